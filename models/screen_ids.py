"""The identifiers that can be recognised for certain, each found as (start, end) spans.

Each finder returns spans in `text`; `models.screening` turns them into findings and resolves
overlaps. Checks (NHS mod-11, the DfE check letter, HMRC's prefix rules, libphonenumber's
validity) keep reference numbers and meeting dates from being refused.
"""

import re
from collections.abc import Iterator

import phonenumbers
from stdnum.gb import upn

Span = tuple[int, int]

# ---- NHS numbers: ten digits in any grouping (3-3-4, 3-4-3, dots, doubled spaces), mod-11
# Not after "+44 " or "(0)": the ten digits of a phone written internationally.
_NHS = re.compile(r"(?<![\d+])(?<!44 )(?<!\(0\) )(?<!\(0\))\d(?:\s?[.\-]?\s{0,2}\d){9}(?![\d])")


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10..2, check = 11 - sum mod 11 (11 -> 0)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_numbers(text: str) -> Iterator[Span]:
    for m in _NHS.finditer(text):
        if nhs_check_digit_ok(re.sub(r"\D", "", m.group())):
            yield m.span()


# ---- phones: libphonenumber (region GB, default leniency) beside our own patterns, which also
# catch the ranges libphonenumber calls invalid (Ofcom's drama numbers look like real ones to a
# reader, and a real number may be newer than the library's metadata).
_PHONE = re.compile(
    r"(?<![\w+])\(?(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|0)"
    r"\d{1,4}\)?(?:[\s.\-]{0,2}\d){6,9}(?!\d)"
)
# Public helplines are not identifiers: these are read as national numbers (no leading 0).
HELPLINES = frozenset(
    {
        "8001111",  # Childline 0800 1111
        "116111",  # Childline 116 111
        "8088005000",  # NSPCC helpline 0808 800 5000
        "800136663",  # NSPCC Report Abuse in Education 0800 136 663
        "116123",  # Samaritans 116 123
        "116000",  # Missing People, Runaway Helpline 116 000
        "8082000247",  # National Domestic Abuse Helpline 0808 2000 247
        "8009995428",  # Galop 0800 999 5428
        "8005999247",  # Karma Nirvana 0800 5999 247
        "800555111",  # Crimestoppers 0800 555 111
        "8081000900",  # Stop It Now 0808 1000 900
        "8081689111",  # Victim Support 0808 168 9111
        "8088002222",  # Family Lives 0808 800 2222
        "8088025544",  # YoungMinds parents helpline 0808 802 5544
        "8000684141",  # Papyrus HOPELINE247 0800 068 4141
        "800585858",  # CALM 0800 58 58 58
        "3001233393",  # Mind infoline 0300 123 3393
        "3001236600",  # FRANK 0300 123 6600
        "999",
        "112",
        "111",
        "101",
    }
)


def _national(digits: str) -> str:
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and len(digits) > 11:
        digits = digits[2:]
    return digits.lstrip("0")


def is_helpline(raw: str) -> bool:
    return _national(re.sub(r"\D", "", raw)) in HELPLINES


# Where a number could be: libphonenumber's matcher is slow on long text (about 40 µs a
# character), so it reads only these stretches and the few characters around them. A UK number
# is written with its trunk 0 or a country code; ten bare digits are a reference, not a phone.
_NUMBERISH = re.compile(r"(?<![\w/.\-])(?:\+|\(\s?0|0)[\d \t().\-/]{5,}\d")


def phones(text: str) -> Iterator[Span]:
    ours: list[Span] = []
    for m in _PHONE.finditer(text):
        digits = _national(re.sub(r"\D", "", m.group()))
        # Ten national digits; nine only where UK numbers have nine (some 01 areas, 0800).
        if len(digits) == 10 or (len(digits) == 9 and digits[0] in "18"):
            ours.append(m.span())
            if not is_helpline(m.group()):
                yield m.span()
    for c in _NUMBERISH.finditer(text):
        digits = sum(ch.isdigit() for ch in c.group())
        if not 7 <= digits <= 15 or DATE.fullmatch(c.group().strip(" ().-/")):
            continue
        if any(s <= c.start() and c.end() <= e for s, e in ours):
            continue  # already ours: libphonenumber would only say it again
        if nhs_check_digit_ok(re.sub(r"\D", "", c.group())):
            continue  # an NHS number, which screening names first
        lo = max(0, c.start() - 2)
        for m in phonenumbers.PhoneNumberMatcher(text[lo : c.end() + 2], "GB"):
            if not is_helpline(m.raw_string):
                yield lo + m.start, lo + m.end


# ---- emails, including the spoken forms ("name at nhs dot net", "name[at]outlook[dot]com")
_TLD = r"(?:com|net|org|uk|co|gov|nhs|ac|sch|police|info|me|io|edu|scot|wales|cymru|biz)"
_EMAIL = re.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b")
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_SPOKEN_EMAIL = re.compile(
    rf"\b[\w.+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}{_TLD}\b", re.IGNORECASE
)


_SPOKEN_DOT = re.compile(r"(?i)\bdot\b|\[dot\]|\(dot\)")


def emails(text: str) -> Iterator[Span]:
    if "@" in text:  # the cheap test first: most narratives have no email at all
        for m in _EMAIL.finditer(text):
            yield m.span()
    if "@" in text or _SPOKEN_DOT.search(text):
        for m in _SPOKEN_EMAIL.finditer(text):
            yield m.span()


# ---- National Insurance numbers: HMRC's rules. First letter not D F I Q U V; second not
# D F I O Q U V; never BG GB KN NK NT TN ZZ; six digits; a suffix A-D. Without the suffix (often
# left off) only next to words that say what it is.
_NINO = re.compile(
    r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ \-]?(\d{2})[ \-]?(\d{2})[ \-]?(\d{2})"
    r"(?:[ \-]?([A-D]))?\b",
    re.IGNORECASE,
)
_NINO_BAD_PREFIX = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_NINO_WORDS = re.compile(r"(?i)\b(?:n\.?i\.?(?:no)?|nino|national insurance)\b")


def ni_numbers(text: str) -> Iterator[Span]:
    for m in _NINO.finditer(text):
        if m.group(1).upper() in _NINO_BAD_PREFIX:
            continue
        if m.group(5) is None and not _NINO_WORDS.search(text, max(0, m.start() - 40), m.start()):
            continue
        yield m.span()


# ---- Unique Pupil Numbers: 13 characters, a check letter first (DfE), checked by python-stdnum
_UPN = re.compile(r"\b[A-Z](?:[ \-]?\d){11}[ \-]?[A-Z\d]\b", re.IGNORECASE)


def upns(text: str) -> Iterator[Span]:
    for m in _UPN.finditer(text):
        if upn.is_valid(re.sub(r"[ \-]", "", m.group()).upper()):
            yield m.span()


# ---- dates of birth: a birth word within a few words of a date, in one sentence
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
DATE = re.compile(
    r"(?<![\d/])(?:"
    r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?(?:\d{4}|\d{2})"  # 12/03/2015, 12.3.15
    r"|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}"  # 2015-03-12
    # 12th of March 2015
    rf"|(?:the\s+)?{_ORD}(?:\s+of)?\s+(?:{_MONTHS})\.?,?\s+(?:\d{{4}}|'?\d{{2}})"
    rf"|(?:{_MONTHS})\.?\s+(?:the\s+)?{_ORD},?\s+(?:\d{{4}}|'?\d{{2}})"  # March 12th, 2015
    rf"|(?:{_MONTHS})\.?\s+\d{{4}}"  # March 2015 (a birth month is enough to find someone)
    r")(?![\d/])",
    re.IGNORECASE,
)
_BIRTH = re.compile(
    r"(?<![\w\-])(?:d\.?\s?o\.?\s?b\b\.?|date of birth|born|birth\s?date|birthday"
    rf"|b\.(?=\s?(?:\d|{_MONTHS})))",
    re.IGNORECASE,
)
# Birth words that are about something else: pre-birth assessments, unborn babies, birth plans.
_NOT_DOB = re.compile(
    r"(?i)(?:pre-?\s?birth|unborn|new-?born|first-?born|birth\s+(?:plan|parents?|family|"
    r"mother|father|weight|certificate|registration|visit)|born\s+(?:prematurely|early|"
    r"at\s+\d+\s+weeks))"
)
_WORD = re.compile(r"\S+")
_NEAR_AFTER = 6  # words from the birth word to the date ("born on the 12th ...")
_NEAR_BEFORE = 3  # words from the date to a birth word after it ("12/03/2015 (DOB)")


def _sentence_cut(text: str, start: int, end: int) -> bool:
    """A sentence ends between the two (a full stop followed by a space and a capital, or !?;)."""
    return re.search(r"[.!?;]\s+[A-Z]|[!?;]|\n", text[start:end]) is not None


def dates_of_birth(text: str) -> Iterator[Span]:
    births = list(_BIRTH.finditer(text))
    if not births:
        return
    excluded = [m.span() for m in _NOT_DOB.finditer(text)]
    births = [b for b in births if not any(s <= b.start() < e for s, e in excluded)]
    # Dates are looked for only near a birth word: the date pattern is the costly part.
    windows: list[Span] = []
    for b in births:
        lo, hi = max(0, b.start() - 130), b.end() + 90
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    for d in (d for lo, hi in windows for d in DATE.finditer(text, lo, hi)):
        best: tuple[int, int, int] | None = None  # (gap, start, end): the nearest birth word
        for b in births:
            if b.start() > d.end() + 60 or b.end() < d.start() - 120:
                continue  # too many characters apart to be a few words apart
            if b.end() <= d.start():
                gap, lo, hi = _words(text, b.end(), d.start()), b.start(), d.end()
                near = gap <= _NEAR_AFTER
            elif d.end() <= b.start():
                gap, lo, hi = _words(text, d.end(), b.start()), d.start(), b.end()
                near = gap <= _NEAR_BEFORE
            else:
                continue
            cut = _sentence_cut(text, min(b.end(), d.end()), max(b.start(), d.start()))
            if near and not cut and (best is None or gap < best[0]):
                best = (gap, lo, hi)
        if best is not None:
            yield best[1], best[2]


def _words(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


# ---- street addresses: a house number and a street type ("Flat 3, 22 High Street")
_STREET_TYPES = (
    r"street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|gardens|gdns|grove|"
    r"place|pl|court|ct|terrace|terr|hill|park|square|sq|mews|row|walk|rise|view|green|parade|"
    r"vale|mead|wharf|boulevard|estate|gate|approach|broadway|causeway|croft|fields|heights|"
    r"meadows?|path|wynd|yard|passage|end|side|park\s+road"
)
_BUILDING = r"house|court|tower|towers|block|lodge|building|buildings|mansions|point|heights"
_STOP = r"(?!(?:the|a|an|on|in|at|to|of|and|or|by|for|with|from|was|were|is|are)\b)"
_ADDRESS = re.compile(
    r"(?=[\dFfAaUuRrMm])"  # where an address can start: skips the rest quickly
    r"(?:\b(?:flat|apartment|apt|unit|room|maisonette)\.?\s*\d+[a-z]?,?\s+)?"
    rf"(?<![\w/.\-£$])\d{{1,4}}[a-z]?,?\s+(?:{_STOP}[a-z'’\-]+\s+){{1,3}}(?:{_STREET_TYPES})\b\.?"
    rf"|\b(?:flat|apartment|apt|maisonette)\.?\s*\d+[a-z]?,?\s+(?:{_STOP}[a-z'’\-]+\s+){{1,3}}"
    rf"(?:{_BUILDING})\b",
    re.IGNORECASE,
)
# A lower-case street is only an address when the street type is one nobody uses otherwise.
_LOWER_OK = re.compile(
    r"(?i)(?:street|st|road|rd|avenue|ave|lane|crescent|gardens|terrace|mews|close|way|drive|"
    r"grove)\.?$"
)


def addresses(text: str) -> Iterator[Span]:
    for m in _ADDRESS.finditer(text):
        words = re.findall(r"[A-Za-z'’\-]+", m.group())
        capitalised = all(w[0].isupper() for w in words[-2:])
        if capitalised or _LOWER_OK.search(m.group()):
            yield m.span()


# ---- postcodes
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)


def postcodes(text: str) -> Iterator[Span]:
    for m in _POSTCODE.finditer(text):
        yield m.span()
