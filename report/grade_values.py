"""A stored grade answer read as (grade key, reason key): one reading for every report part."""

from models.grades import BY_KEY, NOT_GRADED


def grade_of(value: object) -> tuple[str, str]:
    """(grade key or "not_graded", reason key) of a stored grade answer, tolerating odd shapes."""
    if isinstance(value, str):
        value = {"grade": value}
    if not isinstance(value, dict):
        return NOT_GRADED, ""
    grade = value.get("grade")
    if grade in BY_KEY:
        return grade, ""
    return NOT_GRADED, str(value.get("reason") or "")
