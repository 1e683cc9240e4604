"""Load the demo round and its returns through the service layer; running it twice is harmless."""

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from collector.auth import SYSTEM, Actor
from collector.db import Database, database
from collector.services import answers, progress, report_doc, report_text, returns, rounds
from collector.services.report_doc import report_snapshot
from models.enums import ReturnStatus, Role, RoundStatus
from models.people import Agency, Member
from models.report_doc import ReportInfoUpdate
from models.returns import ReturnOpen
from models.roundfile import RoundFile
from models.rounds import Round
from models.settings import Settings
from report.formats import FORMATS, render_async
from report.tally import Tally

HERE = Path(__file__).parent
SLUG = "cne-2024"


def demo_report_text() -> dict[str, Any]:
    return yaml.safe_load((HERE / f"{SLUG}-report.yaml").read_text())


async def write_demo_text(db: Database) -> None:
    """The demo report's authored sections, saved as a first version only where none exists."""
    authored = demo_report_text()
    async with db.write() as session:
        info = await report_doc.get_info(session=session, actor=SYSTEM, slug=SLUG)
        if info.status != "draft":
            return
        await report_doc.update_info(
            session=session,
            actor=SYSTEM,
            slug=SLUG,
            data=ReportInfoUpdate(
                authors=authored["authors"],
                report_date=authored["report_date"],
                distribution=authored["distribution"],
            ),
        )
    for key, text in authored["sections"].items():
        async with db.write() as session:
            current = await report_text.get_section(
                session=session, actor=SYSTEM, slug=SLUG, key=key
            )
            if current.version == 0:
                await report_text.save_section(
                    session=session, actor=SYSTEM, slug=SLUG, key=key, text=text, base_version=0
                )


def demo_files() -> tuple[RoundFile, list[dict[str, Any]]]:
    round_file = RoundFile.model_validate(yaml.safe_load((HERE / f"{SLUG}.yaml").read_text()))
    returns_data = yaml.safe_load((HERE / f"{SLUG}-returns.yaml").read_text())
    return round_file, returns_data


async def _demo_auditor(db: Database, agency_code: str) -> Actor:
    """One synthetic auditor per agency, made once; the demo writes as them."""
    name = f"Demo auditor ({agency_code})"
    async with db.write() as session:
        agency = (
            await session.execute(select(Agency).where(Agency.code == agency_code))
        ).scalar_one()
        member = (await session.execute(select(Member).where(Member.display_name == name))).scalar()
        if member is None:
            member = Member(display_name=name, role=Role.auditor, agency_id=agency.id)
            session.add(member)
            await session.flush()
        return Actor(member.id, Role.auditor, agency.id, agency.code)


async def load_demo(db: Database) -> None:
    round_file, returns_data = demo_files()
    async with db.write() as session:
        exists = (await session.execute(select(Round.id).where(Round.slug == SLUG))).scalar()
        if not exists:
            await rounds.create_round(session=session, actor=SYSTEM, data=round_file)
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug=SLUG, status=RoundStatus.open
        )
    actors: dict[str, Actor] = {}
    for item in returns_data:
        code = item["agency"]
        if code not in actors:
            actors[code] = await _demo_auditor(db, code)
        actor = actors[code]
        async with db.write() as session:
            ret = await returns.open_return(
                session=session, actor=actor, data=ReturnOpen(round=SLUG, case=item["case"])
            )
        if ret.status == ReturnStatus.submitted:
            continue
        for key, value in item["answers"].items():  # each answer as the API writes it
            await db.run(
                partial(answers.put_answer, who=actor, return_id=ret.id, key=key, value=value)
            )
        async with db.write() as session:
            await returns.submit_return(session=session, actor=actor, return_id=ret.id)
    async with db.write() as session:
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug=SLUG, status=RoundStatus.closed
        )
    await write_demo_text(db)


async def run_demo(settings: Settings) -> Tally:
    """Load the demo, write the reports to settings.out_dir, and return the tally."""
    db = database(settings)
    try:
        await load_demo(db)
        async with db.read() as session:
            result = await progress.round_tally(session=session, actor=SYSTEM, slug=SLUG)
        await write_reports(db, settings.out_dir)
        return result
    finally:
        await db.dispose()


async def write_reports(db: Database, out_dir: Path) -> list[Path]:
    """Every report format of the demo round, from one snapshot."""
    async with db.read() as session:
        snapshot = await report_snapshot(session=session, slug=SLUG)
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    written = []
    for fmt in FORMATS.values():
        path = out_dir / fmt.filename(SLUG)
        body = await render_async(snapshot, fmt.name)
        await asyncio.to_thread(path.write_bytes, body)
        written.append(path)
    return written
