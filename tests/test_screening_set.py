"""The identifier guard's targets on the labelled set (tests/screening_set.py).

Recall >= 0.95 for every hard kind and >= 0.80 for names (as warnings); on clean narratives
hard refusals <= 1% and name warnings <= 5%. The held-out part counts too.
"""

from collections import Counter

import pytest

from models.screening import HARD_KINDS, describe_names, find_names, screen
from tests.screening_set import HELD_OUT, build

SAMPLES = build() + HELD_OUT


def _figures() -> tuple[Counter, Counter, int, int, int, int, int]:
    hit, total = Counter(), Counter()
    names_hit = names_total = clean = hard_alarms = name_alarms = 0
    for s in SAMPLES:
        found = {f.kind for f in screen(s.text)}
        warned = bool(find_names(s.text))
        for kind in s.kinds:
            total[kind] += 1
            hit[kind] += kind in found
        if s.name:
            names_total += 1
            names_hit += warned
        if not s.kinds and not s.name:
            clean += 1
            hard_alarms += bool(found)
            name_alarms += warned
    return hit, total, names_hit, names_total, clean, hard_alarms, name_alarms


FIGURES = _figures()


def test_the_set_is_big_enough_to_be_honest():
    _, total, _, names_total, clean, _, _ = FIGURES
    assert len(SAMPLES) >= 1000
    for kind in HARD_KINDS:
        if kind != "postcode":  # postcodes were already refused; a few examples suffice
            assert total[kind] >= 50, kind
    assert names_total >= 100
    assert clean >= 400


@pytest.mark.parametrize("kind", [k for k in HARD_KINDS if k != "postcode"])
def test_recall_of_each_hard_kind(kind):
    hit, total = FIGURES[0], FIGURES[1]
    assert hit[kind] / total[kind] >= 0.95, (kind, hit[kind], total[kind])


def test_recall_of_names_as_warnings():
    names_hit, names_total = FIGURES[2], FIGURES[3]
    assert names_hit / names_total >= 0.80


def test_clean_narratives_are_rarely_refused_or_warned():
    clean, hard_alarms, name_alarms = FIGURES[4], FIGURES[5], FIGURES[6]
    assert hard_alarms / clean <= 0.01
    assert name_alarms / clean <= 0.05


def test_helplines_are_not_identifiers():
    for text in (
        "Childline 0800 1111",
        "NSPCC on 0808 800 5000",
        "Samaritans 116 123",
        "call 999, 111 or 101",
        "National Domestic Abuse Helpline 0808 2000 247",
    ):
        assert screen(text) == [], text


def test_what_is_found_quotes_the_authors_text():
    found = screen("Call mum on 07700 900123; NHS 943 476 5919; DOB 3/4/15")
    assert [(f.kind, f.text) for f in found] == [
        ("phone", "07700 900123"),
        ("nhs_number", "943 476 5919"),
        ("date_of_birth", "DOB 3/4/15"),
    ]


def test_a_round_allowlist_silences_its_own_places():
    text = "The child attended Hollybrook with her mum."
    assert find_names("Her brother Hollybrook came too.")  # by context
    assert not find_names(text, allow=["Hollybrook"])
    assert find_names("Her brother Tyrese came too.", allow=["Hollybrook Centre"])


def test_the_name_warning_offers_both_choices():
    text = describe_names(find_names("Her brother Tyrese came too."))
    assert "Tyrese" in text and "Send as it is, or rewrite?" in text
