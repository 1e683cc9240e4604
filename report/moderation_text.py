"""The words of moderation messages sent through the outbox: short, kind, plain text.

Like the reminders (report/reminder_text.py): within Telegram's limits, and every message says
what the person can do about it.
"""

from datetime import date

from models import buttons
from report.reminder_policy import TEXT_LIMIT
from report.reminder_text import clip, day_words

QUOTE_LIMIT = 1500  # characters of the queried answer quoted in the message


def query_buttons(query_id: int, return_id: int, key: str) -> list[tuple[str, str]]:
    """The buttons on a query: Reply (the next message typed is the reply), and Change the
    answer (the question asked again; the new answer answers the query)."""
    return [
        ("Reply", buttons.reply_query(query_id)),
        ("Change the answer", buttons.change_query(return_id, key)),
    ]


def query_text(
    *,
    name: str,
    round_title: str,
    case: str,
    agency_name: str,
    question_title: str,
    answer: str,
    query: str,
) -> str:
    """To the auditor and agency lead: the coordinator's question with the answer quoted."""
    return clip(
        "\n".join(
            [
                f"Hello {clip(name, 100)},",
                "",
                f"A coordinator has a question about {clip(agency_name, 200)}'s submitted return "
                f"for {case} in “{clip(round_title, 300)}”, on “{clip(question_title, 300)}”.",
                "",
                "The answer given:",
                f"“{clip(answer.strip() or '(no answer)', QUOTE_LIMIT)}”",
                "",
                "Their question:",
                f"“{clip(query.strip(), 2000)}”",
                "",
                "Press Reply below (or reply to this message) to answer it here; your reply is "
                "kept with the return. Or press Change the answer to give a new answer to this "
                "question alone: the return stays submitted, and the new answer answers the query.",
            ]
        ),
        TEXT_LIMIT,
    )


def answered_text(*, name: str, case: str, agency_name: str, question_title: str) -> str:
    """To the coordinator who asked: the query has an answer (the thread is on the return)."""
    return clip(
        f"Hello {clip(name, 100)},\n\n{clip(agency_name, 200)} has answered your query on "
        f"{case}, “{clip(question_title, 300)}”. The thread is on the return "
        "(GET /api/returns/{id}/queries, or `maa moderate queries`).",
        TEXT_LIMIT,
    )


def extension_text(
    *,
    name: str,
    round_title: str,
    case: str,
    agency_name: str,
    until: date,
    reason: str,
    today: date,
) -> str:
    """To a coordinator: an agency asks for more time on one case."""
    return clip(
        "\n".join(
            [
                f"Hello {clip(name, 100)},",
                "",
                f"{clip(agency_name, 200)} asks for more time on {case} in "
                f"“{clip(round_title, 300)}”, until {day_words(until, today)}.",
                f"Their reason: “{clip(reason.strip(), 1500)}”",
                "",
                "Approve or decline below; if approved, their reminders move to the new date.",
            ]
        ),
        TEXT_LIMIT,
    )


def extension_buttons(extension_id: int) -> list[tuple[str, str]]:
    return [
        ("Approve", buttons.decide_extension(extension_id, True)),
        ("Decline", buttons.decide_extension(extension_id, False)),
    ]


def extended_words(until: date | None, today: date) -> str:
    """ "extended to Friday 12 April", as the tally and reports show it; "" when not extended."""
    return f"extended to {day_words(until, today)}" if until else ""
