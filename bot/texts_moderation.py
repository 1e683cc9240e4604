"""What the chat says about moderation queries, allocation and extensions (bot/texts.py style)."""

ASK_REPLY = (
    "Type your reply to the coordinator's query in one message. It is checked like any answer: "
    "no names, dates of birth or other identifiers. /cancel to stop."
)
REPLY_SAVED = (
    "Thank you: your reply is saved on the return, and the coordinator will be told "
    "(the message is queued)."
)
NAMES_AGAIN = "If these are not people's names, send the same reply again and it will be saved."
NOT_FOR_YOU = (
    "That is not yours to do in MAA: it is for the agency's own auditors, its lead or a "
    "coordinator."
)
REPLY_CANCELLED = "OK, no reply sent. The query stays open."
SOMETHING_WRONG = "Something went wrong on our side; nothing was changed. Please try again later."
WHICH_ROUND = "Which round? Put its name first, e.g. /extension r-2026 C3 2026-03-01 reason."
EXTENSION_USAGE = (
    "To ask for more time: /extension CASE DATE REASON, e.g. "
    "/extension C3 2026-03-01 Records are held off site."
)
EXTENSION_ASKED = "Your request for more time on {case}, until {until}, is with the coordinators."
QUEUED_TO = "Queued to: {names}. You will hear here when it is decided."
NOBODY = "nobody reachable yet (no coordinator is enrolled): please tell the partnership team"
APPROVED = "Approved: {case} ({agency}) is extended to {until}. Their reminders move to that date."
DECLINED = "Declined: {case} ({agency}) keeps the round's due date. They will be told."
ALLOCATE_TITLE = "Your agency's cases and who audits each (press a button to allocate):"
UNALLOCATED = "not allocated"
NO_CASES = "Your agency has no expected cases in this round."
ALLOCATED = "{case} is now allocated to {auditor}. Their reminders will list it."
LEADS_ONLY = (
    "/allocate is for agency leads: it is not yours to do in the chat. Coordinators can allocate "
    "with `maa allocate` or the API."
)
CHANGE_NOT_OPEN = (
    "That answer has no open query any more, so it cannot be changed: the return is submitted. "
    "Ask a coordinator if it needs to be reopened."
)
CHANGED = (
    "Thank you: your new answer to “{question}” on {case} is saved, and it answers the "
    "coordinator's query. The return stays submitted."
)
UNCHANGED = (
    "The answer to “{question}” on {case} is as it was, so the query stays open: press Reply "
    "on it to answer in words, or Change the answer to give a new one."
)
