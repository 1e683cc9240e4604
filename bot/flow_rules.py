"""Every chat command and the rules that hold before it runs, stated once.

`Chat` (bot/flow_commands.py) routes a command through `RULES` and then its handler table;
the Telegram channel registers `COMMANDS`. No telegram import.
"""

from dataclasses import dataclass

from bot import texts
from models.enums import Role


@dataclass(frozen=True)
class Rule:
    """What holds before a command runs."""

    # A kept answer (the collector was away) is stored first: the auditor's commands move
    # about the case, so the answer goes before them. Coordinators' commands and /help leave it.
    kept_first: bool = True
    # Only these roles may run it (asked of the collector now); empty: the collector decides.
    roles: tuple[Role, ...] = ()
    refusal: str = texts.COORDINATORS_ONLY
    # The command leaves what was on screen: a held name warning is dropped unsent, and a
    # wait for an action's progress ends. Not /start: it is the way in, nothing to leave.
    moves_on: bool = True


_COORDINATOR = Rule(kept_first=False)
# Every command, with its rules, in menu order: the one place a command's rules are stated.
RULES: dict[str, Rule] = {
    "start": Rule(kept_first=False, moves_on=False),
    "help": Rule(kept_first=False),
    "desk": Rule(),
    "audit": Rule(),
    "resume": Rule(),
    "status": Rule(),
    "back": Rule(),
    "skip": Rule(),
    "cancel": Rule(),
    "tally": _COORDINATOR,
    "overdue": _COORDINATOR,
    "report": _COORDINATOR,
    "invite": _COORDINATOR,
    "round": _COORDINATOR,
    "remind": Rule(kept_first=False, roles=(Role.coordinator,)),
    "actions": Rule(kept_first=False, roles=(Role.coordinator, Role.viewer)),
    "concerns": Rule(
        kept_first=False,
        roles=(Role.coordinator, Role.agency_lead),
        refusal=texts.CONCERNS_ONLY,
    ),
    "disable": _COORDINATOR,
    "enable": _COORDINATOR,
}
COMMANDS = tuple(RULES)
