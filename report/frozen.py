"""A round snapshot as JSON and back: what a final report stores, so every later download is
rendered from exactly the figures and words that were finalised."""

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from models.enums import ActionStatus, ExpectationStatus, ReturnStatus, RoundStatus
from models.tool import load_tool
from report.snapshot import (
    ActionRow,
    AgencyRow,
    CaseRow,
    ExpectationRow,
    ReturnRow,
    RoundSnapshot,
    Writeup,
)

FORMAT = 1  # bump if the stored shape changes; older frozen reports keep their number


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(snapshot: RoundSnapshot) -> dict[str, Any]:
    """The snapshot as plain JSON (the tool by its version: shipped tools never change)."""
    out: dict[str, Any] = {"format": FORMAT}
    for f in fields(snapshot):
        value = getattr(snapshot, f.name)
        if f.name == "tool":
            out["tool"] = value.version
        elif f.name == "previous":
            out["previous"] = to_json(value) if value is not None else None
        elif f.name == "writeup":
            out["writeup"] = _plain(asdict(value))
        elif isinstance(value, list):
            out[f.name] = [_plain(asdict(v)) for v in value]
        else:
            out[f.name] = _plain(value)
    return out


def from_json(data: dict[str, Any]) -> RoundSnapshot:
    w = dict(data.get("writeup") or {})
    w["finalised_at"] = _dt(w.get("finalised_at"))
    return RoundSnapshot(
        slug=data["slug"],
        title=data["title"],
        theme=data["theme"],
        partnership=data["partnership"],
        scope=data["scope"],
        opens_at=_dt(data["opens_at"]),  # type: ignore[arg-type]
        due_at=_dt(data["due_at"]),  # type: ignore[arg-type]
        status=RoundStatus(data["status"]),
        tool=load_tool(data["tool"]),
        agencies=[AgencyRow(**a) for a in data["agencies"]],
        cases=[CaseRow(**c) for c in data["cases"]],
        expectations=[
            ExpectationRow(
                e["agency"],
                e["case"],
                ExpectationStatus(e["status"]),
                e.get("extended_to", ""),
            )
            for e in data["expectations"]
        ],
        returns=[
            ReturnRow(
                id=r["id"],
                agency=r["agency"],
                case=r["case"],
                status=ReturnStatus(r["status"]),
                answers=r["answers"],
                submitted_at=_dt(r["submitted_at"]),
                updated_at=_dt(r["updated_at"]),
                moderated=r.get("moderated") or {},
                first_answer_at=_dt(r.get("first_answer_at")),
                cross_check_reason=r.get("cross_check_reason"),
            )
            for r in data["returns"]
        ],
        actions=[
            ActionRow(
                number=a["number"],
                recommendation=a["recommendation"],
                owner=a["owner"],
                due_at=_dt(a["due_at"]),
                progress=a["progress"],
                status=ActionStatus(a["status"]),
            )
            for a in data["actions"]
        ],
        previous=from_json(data["previous"]) if data.get("previous") else None,
        taken_at=_dt(data.get("taken_at")),
        theme_threshold=data.get("theme_threshold", 3),
        writeup=Writeup(**w),
        annex=data.get("annex", True),
        matrix_grades=data.get("matrix_grades", "agency"),
    )
