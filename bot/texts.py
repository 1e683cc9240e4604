"""Everything the bot says, in one place: short, kind and clear for busy practitioners on phones.

Plain text only (no Markdown), so nothing an auditor types can break the formatting.
"""

# Enrolment
WELCOME_NEW = (
    "Hello! This bot collects multi-agency case audits for the safeguarding partnership.\n\n"
    "To get started, please open the invite link your coordinator sent you "
    "(it begins the chat with /start and a code)."
)
WELCOME_BACK = "Welcome back, {name} ({role}, {agency}).\n\n{help}"
ENROLLED = "Thank you, {name}: you're now enrolled as {role} for {agency}.\n\n{help}"
ALREADY_ENROLLED = "You're already enrolled as {role} for {agency}, so there's no need for a code."
INVITE_USED = "That invite has already been used. Please ask your coordinator for a new one."
INVITE_EXPIRED = "That invite has expired. Please ask your coordinator for a new one."
INVITE_INVALID = (
    "I don't recognise that code. Please open the invite link again, or ask your coordinator "
    "for a new one."
)
TOO_MANY_TRIES = (
    "That's several codes that didn't work, so please wait about {minutes} before trying "
    "again. If it keeps happening, ask your coordinator for a new invite."
)
NOT_ENROLLED = (
    "I don't know you yet. Please open the invite link your coordinator sent you "
    "(it starts the chat with /start and a code)."
)

HELP_AUDITOR = (
    "What you can do:\n"
    "/audit – choose a case to audit\n"
    "/resume – carry on where you left off\n"
    "/status – your agency's returns for this round\n"
    "/extension CASE DATE REASON – ask for more time on a case\n"
    "While answering: /back previous question, /skip an optional question, "
    "/cancel to stop (your answers are kept).\n"
    "/help – this message"
)
HELP_COORDINATOR = (
    "Coordinator commands:\n"
    "/tally – returns and overall grades per agency\n"
    "/overdue – returns still outstanding\n"
    "/report – the overview report as a document (add html, pdf or docx)\n"
    "/invite AGENCY ROLE – an invite link, e.g. /invite police auditor\n"
    "/round – open or close a round\n"
    "/remind – who would be chased now, and send those reminders\n"
    "/actions – the action plan: owners, due dates, progress\n"
    "/concerns – concern alerts and who is dealing with each\n"
    "/disable N, /enable N – withdraw or restore member N's access\n"
    "/desk – a sign-in link to the desk (the web pages)\n\n"
)
HELP_LEAD = (
    "As your agency's lead: /concerns – your agency's concern alerts and who has each\n"
    "/allocate – give each of your agency's cases to one of its auditors\n\n"
)
HELP_VIEWER = (
    "You can use /tally to see returns and grades per agency, and /actions for the action "
    "plan.\n/help – this message"
)

# Choosing a case
NO_OPEN_ROUND = "There's no audit round open at the moment. You'll hear from your coordinator."
CHOOSE_CASE = "{title}\nDue {due}. Which case would you like to audit?"
CASE_BUTTON = "{case} · {answered} of {total} answered · due {due}"
NOTHING_OUTSTANDING = "All done for {title}: nothing outstanding. Thank you!"
ALREADY_SUBMITTED = "Case {case} has already been submitted. Thank you! /audit shows what's left."
NOTHING_IN_PROGRESS = "You have no case in progress. Use /audit to choose one."
CHOOSE_RESUME = "You have more than one case in progress. Which one?"
NOT_IN_CASE = "You're not in a case right now. Use /audit to choose one, or /resume."
LEFT_CASE = (
    "You've left case {case}. Everything you answered is saved.\n"
    "Use /resume to carry on, or /audit to choose another case."
)
NOT_YOUR_CASE = "That case isn't one for your agency, so I can't open it."

# Questions
PROGRESS = "Case {case} · Question {n} of {total} · {title}"
CURRENT_ANSWER = "Current answer: {answer}"
OPTIONAL = "(Optional – /skip if it doesn't apply.)"
TEXT_LIMITS = (
    "Please write between {min:,} and {max:,} characters. A long answer can go in several "
    "messages; press Done when you've finished."
)
TEXT_REPLACE = "Send a new answer to replace it, or keep it as it is."
CHOOSE_REASON = "Why can't this be graded?"
MULTI_HINT = "Tap to select or unselect, then press Done."
ANSWERED = "✓ {answer}"
JUST_ANSWERED = "✓ {title}: {answer}"  # on top of the next screen, after a button answer
SKIPPED = "Skipped"
NOT_ANSWERED = "not answered yet"
NARRATIVE_SAVED = (
    "Saved ({length:,} of {max:,} characters). Send another message to add to this answer, "
    "or press Done."
)
NARRATIVE_PART_SAVED = "✓ Saved ({length:,} characters)."
NARRATIVE_FULL = (
    "That part would take the answer to {length:,} characters; the limit here is {max:,}. "
    "Nothing from that message was added: please send a shorter part, or press Done."
)
USE_BUTTONS = "Please use the buttons under the question (or /back, /skip, /cancel)."
FIRST_QUESTION = "This is the first question."
CANNOT_SKIP = "This question is needed, so it can't be skipped."
NOT_A_TEXT_QUESTION = "Please use the buttons for this question."

# Review and submit
REVIEW_TITLE = "Review – case {case} ({agency})"
REVIEW_MISSING = "Still to answer: {titles}"
REVIEW_READY = "Everything is answered. Check it through, then press Submit."
CONFIRM_SUBMIT = (
    "Submit case {case} for {agency}? After that it can only be changed if a coordinator "
    "reopens it."
)
SUBMITTED = "Submitted – thank you! Case {case} is done. /audit shows what's left."
INCOMPLETE = "A few answers are still needed before you can submit: {titles}."

# Buttons
BTN_NOT_GRADED = "Not graded"
BTN_BACK_TO_GRADES = "‹ Back to the grades"
BTN_YES = "Yes"
BTN_NO = "No"
BTN_DONE = "Done"
BTN_SKIP = "Skip"
BTN_KEEP = "Keep it as it is"
BTN_SUBMIT = "Submit"
BTN_CONFIRM = "Yes, submit"
BTN_NOT_YET = "Not yet"
BTN_EDIT = "✎ {n}. {title}"
BTN_ANSWER = "Answer {n}. {title}"
BTN_RETRY = "Try again"
BTN_OPEN_ROUND = "Open {slug}"
BTN_CLOSE_ROUND = "Close {slug}"
BTN_CONFIRM_CLOSE = "Yes, close {slug}"

# Concern alerts (what the auditor is told when the answer is stored comes from the collector)
CONCERN_YOURS = (
    "✓ You are dealing with the concern about case {case} (since {at}). The others are being told."
)
CONCERN_TAKEN = "{who} is already dealing with the concern about case {case} (since {at})."
CONCERN_NOT_YOURS = (
    "Only coordinators, and the lead of the agency that raised it, can take this on."
)
CONCERNS_ONLY = "Sorry, /concerns is for coordinators and agency leads."
CONCERNS_NONE = "No concern alerts in {title}."
CONCERNS_TITLE = "Concern alerts in {title} ({count}), newest first:"
CONCERN_LINE = "• {case} ({agency}), raised {raised}: {state}"
CONCERN_STATES = {
    "queued": "queued, not delivered yet",
    "sent": "delivered to {sent}; nobody has taken it on yet",
    "acknowledged": "{who} is dealing with it (since {at})",
    "escalated": "not taken on in time: sent again to every coordinator at {at}",
    "undeliverable": "could not be delivered to anyone",
}

# When the collector can't be reached
NOT_SAVED = (
    "I can't reach the audit service just now, so your answer is NOT saved yet. I'm keeping "
    "it and will keep trying; you'll get a message once it is saved. You can also press "
    "Try again."
)
STILL_NOT_SAVED = (
    "Still no connection, so your last answer is not saved yet. I'm keeping it; please "
    "wait a moment and press Try again."
)
GAVE_UP = (
    "I still couldn't save your last answer. It hasn't been lost yet: press Try again when "
    "you're ready."
)
SAVED_NOW = "✓ The connection is back and your answer is saved."
UNAVAILABLE = "I can't reach the audit service just now. Please try again in a minute."

# Anything the bot can't use
UNSUPPORTED_MEDIA = (
    "I can only read typed text and button presses, so that wasn't saved. "
    "Please type your answer instead."
)
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STALE_BUTTON = "That button is from an earlier message. Here's where you are now:"
STALE_BUTTON_TOAST = "That button is out of date."
IDLE_TEXT = "I'm not expecting a message just now. Use /audit to choose a case, or /help."
SOMETHING_WRONG = "Sorry, something went wrong on my side. Nothing was lost; please try again."

# Coordinators
COORDINATORS_ONLY = "Sorry, that's only for coordinators. /help shows what you can do."
CHOOSE_ROUND = "Which round?"
NO_ROUNDS = "There are no audit rounds yet."
TALLY_TITLE = "{title}\nReturns: {total} · agencies returning: {agencies}"
TALLY_LINE = "{name}: {returned} (of {expected})"
OVERDUE_TITLE = "Outstanding returns for {title} (due {due}):"
OVERDUE_LINE = "{agency} · {case} · {state}"
OVERDUE_NONE = "Nothing outstanding for {title}. Every expected return is in."
REPORT_CAPTION = "Overview report: {title}"
REPORT_FORMATS = "Please choose html, pdf or docx, e.g. /report pdf."
INVITE_USAGE = "Please say which agency and role, e.g. /invite police auditor.\nRoles: {roles}."
INVITE_LINK = (
    "Invite for {agency} ({role}), valid until {expires}. It works once – send this link "
    "to the person:\n{link}"
)
INVITE_REFUSED = "I couldn't make that invite: {message}"
DESK_LINK = (
    "Your sign-in link to the desk. It works once, until {expires} UTC, and only for you: "
    "do not forward it.\n{url}"
)
ROUNDS_LIST = "Rounds:\n{lines}"
ROUND_LINE = "{slug} · {status} · due {due}"
ROUND_CHANGED = "Round {slug} is now {status}."
CONFIRM_CLOSE = "Close round {slug}? Auditors won't be able to add answers after that."
ROUND_USAGE = "Use /round to list rounds, or /round open SLUG, /round close SLUG."
ROUND_UNKNOWN = "I can't find a round called {slug}."
ROUND_CLOSED = "This round is closed, so answers can't be changed any more."
AUDITORS_ONLY = "Only auditors and agency leads audit cases. /help shows what you can do."
WRITE_FIRST = "Please write your answer first, then press Done."

# Reminders (coordinators)
REMIND_TITLE = "Reminders for {title} if they were sent now ({count}):"
REMIND_NONE = "Nothing to send for {title} right now."
BTN_SEND_REMINDERS = "Send these now"
REMIND_QUEUED = (
    "✓ {queued} queued for {title}. They go out over the next few minutes "
    "(quiet hours and weekends are respected)."
)
REMIND_ALREADY = " {already} had been queued or sent before, so they won't be sent twice."
REMIND_MORE = "…and {n} more lines"

# The action plan
ACTIONS_TITLE = "Action plan for {title}: {count}, {overdue} overdue."
ACTIONS_NONE = "The round {title} has no actions in its action plan."
ACTION_OVERDUE = "⚠️ OVERDUE · "
ACTION_LINE = "{mark}{number}. {recommendation}"
ACTION_DETAIL = "Owner: {owner} · due {due} · {status}"
ACTION_PROGRESS = "Progress: {progress}"
ACTION_NO_PROGRESS = "No progress recorded yet."
ACTION_NO_OWNER = "nobody named"
ACTION_NOT_IN_CHAT = " (not in the chat, so not reminded)"
ASK_PROGRESS = (
    "Action {number}: “{recommendation}”\nDue {due} · {status}\n\n"
    "Please type a short update on its progress in one message (up to 4,000 characters). "
    "No names or other details that identify a child or family, please."
)
BTN_CANCEL = "Cancel"
PROGRESS_SAVED = "✓ Thank you: your update on action {number} is saved. Where does it stand now?"
BTN_IN_PROGRESS = "In progress"
BTN_ACTION_DONE = "Done"
STATUS_SAVED = "✓ Action {number} is now marked {status}. Thank you!"
PROGRESS_CANCELLED = "OK, no update recorded."
PROGRESS_TOO_LONG = (
    "That update is {length:,} characters; the limit is 4,000. Nothing was saved: please send "
    "a shorter one."
)
PROGRESS_NOT_SAVED = (
    "I can't reach the audit service just now, so your update is NOT saved. Please send it "
    "again in a minute."
)
NOT_ACTION_OWNER = "Only the action's owner or a coordinator can record its progress."
ACTION_UNKNOWN = "I can't find that action any more."
STATUS_WORDS = {"open": "open", "in_progress": "in progress", "done": "done"}

# The name warning (the collector's message names what it found; these are the choices)
BTN_SEND_AS_IS = "Send as it is"
BTN_REWRITE = "Rewrite"
NAMES_KEPT = "You chose to send it as it is."
NAMES_REWRITE = "Nothing was saved. Please send it again without the name."
NAMES_GONE = "That message is no longer waiting to be sent."
# Withdrawn access (a coordinator disabled the member)
MEMBER_DISABLED = (
    "Your access to the audit has been switched off by your coordinator, so I can't take "
    "anything from you now. Nothing you sent just now was saved. Please contact your "
    "coordinator if you think this is a mistake."
)
ACCESS_USAGE = "Please give the member's number, e.g. /disable 12 or /enable 12.\nMembers:"
ACCESS_MEMBER_LINE = "{id} · {name} · {role}{agency}{disabled}"
MEMBER_NOW_DISABLED = (
    "{name} (member {id}) is now disabled: their messages to me and their API tokens are "
    "refused from now on. Their answers and the audit trail stay. /enable {id} undoes this."
)
MEMBER_NOW_ENABLED = "{name} (member {id}) is enabled again."
ACCESS_REFUSED = "That didn't work: {message}"
