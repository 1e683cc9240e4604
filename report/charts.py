"""Inline SVG charts for the HTML report: no scripts, no external files; the page stands alone."""

from markupsafe import Markup, escape

from models.grades import NOT_GRADED_LABEL
from report.model import OutcomeLine, OverviewReport, ReturnsLine

# Colours chosen to stay distinguishable in greyscale print and for common colour blindness.
GRADE_COLOURS = ("#1b5e20", "#66bb6a", "#f9a825", "#c62828")
NOT_GRADED_COLOUR = "#9e9e9e"
LABEL_W, BAR_W, ROW_H, PAD = 260, 380, 22, 6


def _frame(title: str, rows: int, legend: list[tuple[str, str]], body: list[str]) -> Markup:
    height = PAD * 2 + rows * ROW_H + 28
    width = LABEL_W + BAR_W + 60
    x = 8  # the legend starts under the labels: five grades do not fit beside them
    keys = []
    for label, colour in legend:
        keys.append(
            f'<rect x="{x}" y="{height - 18}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{height - 9}">{escape(label)}</text>'
        )
        x += 24 + 7 * len(label)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}{''.join(keys)}</svg>"
    )


def _label(i: int, text: str) -> str:
    y = PAD + i * ROW_H + ROW_H * 0.65
    short = text if len(text) <= 40 else text[:39] + "…"
    return f'<text x="{LABEL_W - 6}" y="{y:.1f}" text-anchor="end">{escape(short)}</text>'


def _stacked(
    report: OverviewReport, title: str, bars: list[tuple[str, list[int], int, int | None]]
) -> Markup:
    """Stacked grade bars, one per (label, grade counts, not graded, total shown after it);
    bars are scaled to the largest total (or, with none shown, the largest sum)."""
    widest = max((sum(g) + ng if t is None else t for _, g, ng, t in bars), default=0) or 1
    body = []
    for i, (label, grades, not_graded, total) in enumerate(bars):
        body.append(_label(i, label))
        x = float(LABEL_W)
        y = PAD + i * ROW_H + 3
        parts = [*zip(grades, GRADE_COLOURS, report.grade_short, strict=True)]
        parts.append((not_graded, NOT_GRADED_COLOUR, NOT_GRADED_LABEL))
        for n, colour, name in parts:
            if not n:
                continue
            w = BAR_W * n / widest
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW_H - 6}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(name)} {n}</title></rect>"
            )
            x += w
        if total is not None:
            body.append(f'<text x="{x + 4:.1f}" y="{y + 12}">{total}</text>')
    legend = [*zip(report.grade_short, GRADE_COLOURS, strict=True)]
    legend.append((NOT_GRADED_LABEL, NOT_GRADED_COLOUR))
    return _frame(title, len(bars), legend, body)


def grades_chart(report: OverviewReport) -> Markup:
    """Overall grades per agency as stacked bars, each bar scaled to the agency's returns."""
    rows: list[OutcomeLine] = report.outcomes
    bars = [(o.agency, list(o.grades), o.not_graded, o.returned) for o in rows]
    return _stacked(report, "Overall grades per agency", bars)


def returns_chart(report: OverviewReport) -> Markup:
    """Returns received against returns expected, per agency."""
    rows: list[ReturnsLine] = report.returns
    widest = max((max(r.expected, r.returned) for r in rows), default=0) or 1
    body = []
    for i, r in enumerate(rows):
        body.append(_label(i, r.agency))
        y = PAD + i * ROW_H + 3
        exp_w = BAR_W * r.expected / widest
        got_w = BAR_W * r.returned / widest
        body.append(
            f'<rect x="{LABEL_W}" y="{y}" width="{exp_w:.1f}" height="{ROW_H - 6}" '
            f'fill="#e3eaf2" stroke="#1f4e79" stroke-width="0.8"/>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{got_w:.1f}" height="{ROW_H - 12}" '
            f'fill="#1f4e79"><title>{escape(r.agency)}: {r.returned} of {r.expected}</title></rect>'
            f'<text x="{LABEL_W + max(exp_w, got_w) + 4:.1f}" y="{y + 12}">'
            f"{r.returned} / {r.expected}</text>"
        )
    legend = [("Returned", "#1f4e79"), ("Expected", "#e3eaf2")]
    return _frame("Returns against expected", len(rows), legend, body)


def domains_chart(report: OverviewReport) -> Markup:
    """Grades per domain of the audit tool (every graded question), as stacked bars."""
    bars = [(d.domain, list(d.grades), d.not_graded, None) for d in report.domains]
    return _stacked(report, "Grades per domain", bars)
