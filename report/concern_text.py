"""What concern-alert messages say: to the recipients, and to the auditor who raised it.

Plain text builders (no database). Every sentence is true when it is queued or shown: a message
to the auditor says "queued" until a recipient's Bot API call has succeeded, and says to whom
and when once it has. Never any narrative: case reference and agency only.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# Told when nobody can be reached and the round file gives the agency no procedure of its own.
DEFAULT_PROCEDURE = (
    "contact your agency's designated safeguarding lead, or make a referral to the local "
    "authority's children's services now. If a child is in immediate danger, call 999."
)
ROLE_WORDS = {"coordinator": "coordinator", "agency_lead": "agency lead"}


def clock(moment: datetime) -> str:
    """A moment as people in the partnership read it: 14:05 London time."""
    return moment.astimezone(LONDON).strftime("%H:%M")


def who(name: str, role: str) -> str:
    return f"{name} ({ROLE_WORDS.get(role, role.replace('_', ' '))})"


def listing(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _body(round_title: str, case: str, agency: str, raised_at: datetime) -> str:
    return (
        f"Round: {round_title}\nCase: {case}\nAgency: {agency}\n"
        f"Raised at {clock(raised_at)}: an auditor says there is a current safeguarding concern "
        "about this child that needs action now. Please contact the agency today."
    )


PRESS = "Press “I'm dealing with this” if you are taking it on."


def alert_text(
    *, round_title: str, case: str, agency: str, raised_at: datetime, minutes: int
) -> str:
    return (
        f"⚠️ Immediate safeguarding concern\n{_body(round_title, case, agency, raised_at)}\n"
        f"{PRESS} If nobody does within {minutes} minutes, it is sent again to every coordinator."
    )


def escalated_text(
    *, round_title: str, case: str, agency: str, raised_at: datetime, minutes: int
) -> str:
    return (
        f"⚠️ Not acknowledged in {minutes} minutes: immediate safeguarding concern\n"
        f"{_body(round_title, case, agency, raised_at)}\n{PRESS}"
    )


def queued_text(*, case: str, recipients: list[str]) -> str:
    """The auditor's reply when the answer is stored: queued, not yet delivered."""
    return (
        f"⚠️ Your concern about case {case} is queued to go now to {listing(recipients)}. "
        "It has not been delivered yet: I will tell you here as each of them receives it. "
        "If a child is in immediate danger, call 999."
    )


def undeliverable_text(*, case: str, procedure: str | None) -> str:
    """Nobody can be told through MAA: say so, and what to do instead, now."""
    return (
        f"⚠️ Nobody could be alerted about case {case} through MAA: no coordinator or lead of "
        "your agency can receive messages from this bot. Please act now through your agency's "
        f"own safeguarding procedure: {procedure or DEFAULT_PROCEDURE}"
    )


def delivered_text(*, case: str, recipient: str, at: datetime) -> str:
    return f"✓ Your concern about case {case} was delivered to {recipient} at {clock(at)}."


def owner_text(*, case: str, agency: str, owner: str, at: datetime) -> str:
    return f"✓ {owner} is dealing with the concern about case {case} ({agency}), since {clock(at)}."


def escalation_note(*, case: str, minutes: int, recipients: list[str]) -> str:
    return (
        f"Nobody has said they are dealing with your concern about case {case} in {minutes} "
        f"minutes, so it is queued to go again to {listing(recipients)}."
    )
