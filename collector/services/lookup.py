"""Finding rows by their public names, with errors a person can act on."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.errors import NotFound
from models.people import Agency
from models.rounds import Case, Round


async def round_by_slug(session: AsyncSession, slug: str) -> Round:
    found = (await session.execute(select(Round).where(Round.slug == slug))).scalar()
    if found is None:
        raise NotFound(f"There is no round '{slug}'.")
    return found


async def agency_by_code(session: AsyncSession, code: str) -> Agency:
    found = (await session.execute(select(Agency).where(Agency.code == code))).scalar()
    if found is None:
        raise NotFound(f"There is no agency '{code}'.")
    return found


async def case_by_ref(session: AsyncSession, round_: Round, reference: str) -> Case:
    found = (
        await session.execute(
            select(Case).where(Case.round_id == round_.id, Case.reference == reference)
        )
    ).scalar()
    if found is None:
        raise NotFound(f"Round '{round_.slug}' has no case '{reference}'.")
    return found
