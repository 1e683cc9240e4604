"""Reading a round file's text: YAML, then the RoundFile model, each problem with its line.

One reader for `maa round create` and the desk's upload, so both refuse the same files.
"""

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from models.roundfile import RoundFile

MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    where: str  # e.g. "agencies.2.code", or "file"
    line: int | None  # 1-based line in the file, when known
    message: str

    def __str__(self) -> str:
        at = f" (line {self.line})" if self.line else ""
        return f"{self.where}{at}: {self.message}"


class RoundFileError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the YAML node at a validation error's location (or of its nearest parent)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            match = node.value[part] if part < len(node.value) else None
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def read_round_text(raw: bytes) -> RoundFile:
    """A RoundFile from a file's bytes, or RoundFileError listing every problem found."""
    if len(raw) > MAX_BYTES:
        raise RoundFileError([Problem("file", None, "The file is over 1 MB.")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RoundFileError(
            [Problem("file", None, f"The file is not UTF-8 text (byte {exc.start + 1}).")]
        ) from None
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or "it cannot be read"
        raise RoundFileError([Problem("file", line, f"This is not valid YAML: {what}.")]) from None
    if not isinstance(data, dict):
        raise RoundFileError(
            [Problem("file", None, "A round file is a YAML mapping (slug:, title:, ...).")]
        )
    try:
        return RoundFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "file"
            problems.append(Problem(where, _line_of(root, loc), err["msg"]))
        raise RoundFileError(problems) from None
