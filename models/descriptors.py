"""Grade descriptors: what each point of the four-point scale means in a multi-agency case audit.

Agencies grade in very different ways; descriptors at hand where the grade is chosen make the
same grade mean the same thing whichever agency gives it. These are MAA's defaults, written for
its own tool; a tool version may replace any of them (`descriptors:` in models/tools/*.yaml).
"""

from models.grades import SCALE

# Keyed by grade key (models.grades.SCALE). Written about one agency's work with one child in
# the scope window, so they read the same for Police, Health, Education or Social Care.
DEFAULT_DESCRIPTORS: dict[str, str] = {
    "outstanding": (
        "The child's circumstances improved because of what your agency did. Risks and needs "
        "were understood early and acted on without delay; the child was seen and heard and "
        "their wishes shaped the plan; information was shared promptly and partners were "
        "challenged when needed. Practice others could learn from."
    ),
    "good": (
        "Your agency's work made a positive difference for the child. Needs and risks were "
        "identified and responded to in good time; the child's voice was sought; information "
        "was shared and joint working was effective. Any gaps were minor and did not leave the "
        "child at risk."
    ),
    "requires_improvement": (
        "No widespread or serious failure left the child harmed or at risk, but the child's "
        "experience was not yet good: delays, drift, gaps in information sharing or the child's "
        "voice, or plans that did not lead to change. Strengths may be present but practice "
        "was inconsistent."
    ),
    "inadequate": (
        "Serious or widespread failures left the child harmed or at risk of harm, or their "
        "needs were not met: risks missed or not acted on, significant delay, information not "
        "shared when it mattered, or no escalation when it was needed."
    ),
}

NOT_GRADED_NOTE = (
    "Not graded: choose it only when your agency could not judge its work in the scope window "
    "(no or too little involvement, historical involvement only, or the case transferred), and "
    "say which."
)


def check_descriptors(override: dict[str, str]) -> dict[str, str]:
    """A tool's replacement descriptors: only grades on the scale, none left empty."""
    unknown = [k for k in override if k not in DEFAULT_DESCRIPTORS]
    if unknown:
        raise ValueError(f"descriptors for grades not on the scale: {', '.join(unknown)}")
    empty = [k for k, v in override.items() if not v.strip()]
    if empty:
        raise ValueError(f"empty descriptors: {', '.join(empty)}")
    return {k: " ".join(v.split()) for k, v in override.items()}


def merged(override: dict[str, str]) -> list[tuple[str, str, str]]:
    """(grade key, grade name, descriptor) in scale order, the tool's own where it has one."""
    return [(g.key, g.name, override.get(g.key) or DEFAULT_DESCRIPTORS[g.key]) for g in SCALE]
