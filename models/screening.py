"""Screening narratives for things that identify a child or family.

Cases are pseudonymous by design: before a narrative is stored, every channel and the collector
run the same two checks here:
- `screen`: identifiers that can be recognised for certain (NHS, National Insurance and pupil
  numbers with their checks, phones, emails, postcodes, street addresses, dates of birth). These
  are refused.
- `find_names`: what may be a person's name. A warning the author can overrule.
The findings quote the author's own text back to them; they must never be logged or stored.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from models import screen_ids, screen_names
from models.screen_ids import nhs_check_digit_ok

__all__ = ["HARD_KINDS", "Finding", "describe", "describe_names", "find_names", "screen"]
__all__ += ["nhs_check_digit_ok"]


@dataclass(frozen=True)
class Finding:
    kind: str  # nhs_number / phone / email / ni_number / upn / date_of_birth / address / ...
    label: str  # what a person calls it
    text: str  # the matched text, to show the author only


# In order of precedence: where two overlap, the earlier kind names the finding (an email's
# digits are not a phone; ten digits that pass the NHS check are an NHS number). The number is
# the fewest digits (`\d`, as the finders' own patterns read them) in any text the finder can
# match: most narratives hold none or a few (a year, a count), so `screen` runs only the finders
# the text could satisfy. tests/test_screen_prefilter.py checks each bound on the labelled set
# and on generated text.
_FINDERS: tuple[tuple[str, str, Callable[[str], Iterator[tuple[int, int]]], int], ...] = (
    ("email", "an email address", screen_ids.emails, 0),
    ("date_of_birth", "a date of birth", screen_ids.dates_of_birth, 3),  # 1st May '15
    ("upn", "a pupil number (UPN)", screen_ids.upns, 11),  # a letter, 11 digits, a check
    ("ni_number", "a National Insurance number", screen_ids.ni_numbers, 6),
    ("nhs_number", "an NHS number", screen_ids.nhs_numbers, 10),
    ("phone", "a phone number", screen_ids.phones, 7),  # only stretches of 7+ digits are read
    ("address", "a street address", screen_ids.addresses, 1),  # a house or flat number
    ("postcode", "a postcode", screen_ids.postcodes, 1),  # GIR 0AA
)
HARD_KINDS = tuple(kind for kind, _, _, _ in _FINDERS)
_DIGIT = re.compile(r"\d")


def _collect(text: str, spans: Iterable[tuple[str, str, int, int]]) -> list[Finding]:
    found: list[tuple[int, Finding]] = []
    taken: list[tuple[int, int]] = []
    for kind, label, start, end in spans:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        found.append((start, Finding(kind, label, text[start:end])))
    return [f for _, f in sorted(found, key=lambda p: p[0])]


def screen(text: str) -> list[Finding]:
    """Every identifier in `text` that is refused, in order of appearance."""
    digits = len(_DIGIT.findall(text))
    finders = [(kind, label, find) for kind, label, find, needs in _FINDERS if digits >= needs]
    return _collect(
        text, ((kind, label, s, e) for kind, label, find in finders for s, e in find(text))
    )


def find_names(text: str, allow: Iterable[str] = ()) -> list[Finding]:
    """What may be a person's name (a warning); `allow`: the round's own places and services."""
    return _collect(text, (("name", "a name", s, e) for s, e in screen_names.names(text, allow)))


def describe(findings: list[Finding]) -> str:
    """One kind sentence for the author, quoting what was found."""
    items = "; ".join(f"{f.label} ({f.text.strip()})" for f in findings)
    return (
        f"This answer seems to contain {items}. Cases are pseudonymous, so please send it again "
        "without it. Nothing has been saved yet."
    )


def describe_names(findings: list[Finding]) -> str:
    """The warning for possible names: the author decides."""
    items = ", ".join(dict.fromkeys(f.text.strip() for f in findings))
    return (
        f"This may contain a name: {items}. Cases are pseudonymous. Send as it is, or rewrite? "
        "Nothing has been saved yet."
    )
