"""Screening narratives for things that identify a child or family.

Cases are pseudonymous by design: before a narrative is stored, every channel runs `screen`
and asks the auditor to take out whatever it found. The findings quote the auditor's own text
back to them; they must never be logged or stored.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str  # nhs_number / postcode / date_of_birth / phone / email
    label: str  # what a person calls it
    text: str  # the matched text, to show the auditor only


_NHS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}),? \d{{2,4}}"
    r"|\d{4}-\d{2}-\d{2})"
)
# A date on its own is ordinary in a narrative ("strategy meeting on 3/4/24"); a date given as
# someone's birth date is an identifier.
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?|birthday(?: is| was)?)"
    rf"\s*[:\-]?\s*(?:is\s+|was\s+)?{_DATE}",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s-]?){9,10}(?!\d)")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2, check = 11 - sum mod 11 (11 -> 0)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def screen(text: str) -> list[Finding]:
    """Everything in `text` that looks like it identifies someone, in order of appearance."""
    found: list[tuple[int, Finding]] = []
    taken: list[range] = []

    def add(start: int, end: int, kind: str, label: str) -> None:
        if any(start in r or end - 1 in r for r in taken):
            return
        taken.append(range(start, end))
        found.append((start, Finding(kind, label, text[start:end])))

    for m in _EMAIL.finditer(text):
        add(m.start(), m.end(), "email", "an email address")
    for m in _DOB.finditer(text):
        add(m.start(), m.end(), "date_of_birth", "a date of birth")
    for m in _NHS.finditer(text):
        if nhs_check_digit_ok("".join(m.groups())):
            add(m.start(), m.end(), "nhs_number", "an NHS number")
    for m in _PHONE.finditer(text):
        add(m.start(), m.end(), "phone", "a phone number")
    for m in _POSTCODE.finditer(text):
        add(m.start(), m.end(), "postcode", "a postcode")
    return [f for _, f in sorted(found, key=lambda p: p[0])]


def describe(findings: list[Finding]) -> str:
    """One kind sentence for the auditor, quoting what was found."""
    items = "; ".join(f"{f.label} ({f.text.strip()})" for f in findings)
    return (
        f"This answer seems to contain {items}. Cases are pseudonymous, so please send it again "
        "without it. Nothing has been saved yet."
    )
