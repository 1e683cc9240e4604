"""`screen` skips a finder when the text has fewer digits than anything that finder matches:
the skip must never hide an identifier. Checked on the labelled set and on generated text made
of the pieces identifiers are written with (digits of any script, separators, months, birth
words, country codes)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import screening
from tests.screening_set import HELD_OUT, build

SAMPLES = [s.text for s in build() + HELD_OUT]


def _digits(text: str) -> int:
    return len(screening._DIGIT.findall(text))


def _unfiltered(text: str) -> list[screening.Finding]:
    """Every finder run, whatever the text: what `screen` found before the pre-filter."""
    spans = (
        (kind, label, s, e) for kind, label, find, _ in screening._FINDERS for s, e in find(text)
    )
    return screening._collect(text, spans)


def test_no_finder_finds_anything_in_fewer_digits_than_its_bound_on_the_labelled_set():
    checked = 0
    for text in SAMPLES:
        for kind, _, find, needs in screening._FINDERS:
            if any(True for _ in find(text)):
                checked += 1
                assert _digits(text) >= needs, (kind, needs)
    assert checked >= 500  # the set holds identifiers of every kind


def test_screen_finds_what_every_finder_finds_on_the_labelled_set():
    for text in SAMPLES:
        assert screening.screen(text) == _unfiltered(text)


def test_texts_without_digits_run_only_the_email_finder():
    # "at ... dot com" has no digit and is still an email address.
    found = screening.screen("Write to jo at example dot com about the plan.")
    assert [f.kind for f in found] == ["email"]
    assert screening.screen("Good practice: the school shared the plan promptly.") == []


PIECES = st.sampled_from(
    [
        "0", "1", "4", "7", "9", "07700", "900", "123", "44", "+44 ", "(0)", "00",
        "٣", "١٢", "۷", "१", " ", "-", ".", "/", "'", ",", "\n", "(", ")",
        "dob ", "born ", "D.O.B. ", "date of birth ", "b. ", "March ", "1st ", "of ", "May ",
        "AB", "QQ", "C", "A", "X", "flat ", "Flat 3 ", "High Street", "road ", "Rose House",
        "SW1A 1AA", "GIR 0AA", "@", "at ", "dot ", "nhs.net", "com", "NI ", "UPN ", "tel ",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, min_size=1, max_size=24).map("".join))
def test_screen_equals_every_finder_on_generated_text(text):
    assert screening.screen(text) == _unfiltered(text)
