"""The dashboard's figures kept current change by change equal the figures counted afresh."""

import random
from dataclasses import replace

from sqlalchemy import select

from bench.synthetic import answers, big_snapshot
from collector.auth import Actor
from collector.desk.board_cache import BoardCache
from collector.services import desk_board
from collector.services.board_figures import RoundFigures, progress
from models.enums import ExpectationStatus, ReturnStatus, Role
from models.people import Agency
from report.overview import build_report
from report.snapshot import ExpectationRow, ReturnRow
from tests.conftest import full_answers, small_round

GRADES = ["outstanding", "good", "requires_improvement", "inadequate", "not_graded"]


def _fresh(snapshot):
    return build_report(snapshot, figures_only=True), progress(snapshot)


def test_figures_kept_in_parts_equal_a_fresh_count_after_every_kind_of_change():
    rnd = random.Random(12)
    snap = big_snapshot(5, 40)
    # Some drafts, some returns missing, one case expected of nobody, one agency not asked.
    returns = [
        replace(r, status=ReturnStatus.draft) if r.id % 7 == 0 else r
        for r in snap.returns
        if r.id % 11
    ]
    expectations = [
        e
        if e.case != snap.cases[3].reference
        else ExpectationRow(e.agency, e.case, ExpectationStatus.not_required)
        for e in snap.expectations
    ]
    snap = replace(snap, returns=returns, expectations=expectations)
    figures = RoundFigures(snap)
    assert (figures.report(), figures.progress()) == _fresh(snap)
    next_id = max(r.id for r in returns) + 1
    for step in range(60):
        current = list(figures.returns.values())
        kind = step % 4
        if kind == 0:  # a grade changed, or a narrative only (no figure moves)
            r = rnd.choice(current)
            grade = rnd.choice(GRADES)
            changed = [replace(r, answers=answers(grade, good=f"Note {step}."))]
            gone = []
        elif kind == 1:  # submitted, or reopened
            r = rnd.choice(current)
            flip = (
                ReturnStatus.draft if r.status == ReturnStatus.submitted else ReturnStatus.submitted
            )
            changed, gone = [replace(r, status=flip)], []
        elif kind == 2:  # a new return, for a missing one
            taken = {(r.agency, r.case) for r in current}
            free = [
                (a.code, c.reference)
                for a in snap.agencies
                for c in snap.cases
                if (a.code, c.reference) not in taken
            ]
            agency, case = rnd.choice(free)
            changed = [ReturnRow(next_id, agency, case, ReturnStatus.submitted, answers("good"))]
            next_id, gone = next_id + 1, []
        else:  # a return no longer in the round
            changed, gone = [], [rnd.choice(current).id]
        figures.apply(changed, gone)
        now = figures.snapshot()
        assert (figures.report(), figures.progress()) == _fresh(now), step
        code = rnd.choice(snap.agencies).code
        scoped = desk_board.scope_to_agency(now, code)
        assert figures.agency_view(code) == _fresh(scoped), step


def test_a_narrative_only_change_counts_nothing_again():
    snap = big_snapshot(3, 10)
    figures = RoundFigures(snap)
    r = snap.returns[0]
    assert figures.apply([replace(r, answers=dict(r.answers))], []) == 0
    assert figures.apply([replace(r, answers=answers("inadequate"))], []) == 1


async def _write(collector, tid: int, rid: int, answers_: dict) -> None:
    for key, value in answers_.items():
        status, body = await collector.as_member(
            "PUT", f"/api/returns/{rid}/answers/{key}", tid, json={"value": value}
        )
        assert status == 200, body


async def test_the_cached_dashboard_after_writes_equals_a_fresh_build(collector):
    """Through the real collector and database: each answer, submission and reopening is
    taken in by the cache, whose board then equals one built afresh, for every view."""
    await collector.create_round(small_round(), open_it=True)
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    await collector.add_member("Cas", Role.auditor, agency="csc", telegram_id=2)
    await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=3)
    viewer = await collector.add_member("Vi", Role.viewer, telegram_id=5)
    async with collector.db.read() as s:
        codes = dict((await s.execute(select(Agency.code, Agency.id))).all())
    actors = [
        Actor(member_id=coord, role=Role.coordinator),
        Actor(member_id=viewer, role=Role.viewer),
        Actor(member_id=2, role=Role.auditor, agency_id=codes["csc"], agency_code="csc"),
        Actor(member_id=3, role=Role.auditor, agency_id=codes["police"], agency_code="police"),
    ]
    cache = BoardCache()

    async def check(label: str) -> None:
        for actor in actors:
            cached = await cache.get(collector.db, actor, "r-2026")
            async with collector.db.read() as s:
                fresh = await desk_board.round_board(session=s, actor=actor, slug="r-2026")
            assert replace(cached, built_at=fresh.built_at) == fresh, (label, actor.role)

    await check("empty")
    rids = {}
    for tid, case in ((2, "C1"), (2, "C2"), (3, "C1")):
        status, draft = await collector.as_member(
            "POST", "/api/returns", tid, json={"round": "r-2026", "case": case}
        )
        rids[(tid, case)] = draft["id"]
    await check("drafts opened")
    await _write(collector, 2, rids[(2, "C1")], full_answers("good"))
    await _write(collector, 3, rids[(3, "C1")], full_answers("inadequate"))
    await check("answers written")
    for key in ((2, "C1"), (3, "C1")):
        status, _ = await collector.as_member("POST", f"/api/returns/{rids[key]}/submit", key[0])
        assert status == 200
    board = await cache.get(collector.db, actors[0], "r-2026")
    assert board.report.total_returns == 2 and board.report.matrix.flagged  # C1 differs
    await check("submitted")
    reopen = {"reason": "Check the grade."}
    status, body = await collector.call(
        "POST",
        f"/api/returns/{rids[(3, 'C1')]}/reopen",
        token=await collector.token_for(coord),
        json=reopen,
    )
    assert status == 200, body
    await check("reopened")
    board = await cache.get(collector.db, actors[0], "r-2026")
    assert board.report.total_returns == 1 and not board.report.matrix.flagged
    assert cache.read_afresh == 1  # every change after the first read was taken in as it came
