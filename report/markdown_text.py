"""The coordinator's Markdown, rendered by markdown-it-py with raw HTML off: for HTML/PDF, for
the Markdown download, and as blocks of runs for the Word document.

Raw HTML in a section's text is shown as the text it is, never acted on: the report is circulated
to partners and must carry no markup, script or remote resource a writer did not intend.
"""

import re
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

HEADING_SHIFT = 2  # a "# Heading" inside a section sits under the section's own <h2>


@cache
def _md() -> MarkdownIt:
    # "commonmark" with html off: <b> and <script> are escaped and shown as typed.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def to_html(text: str) -> Markup:
    md = _md()
    tokens = md.parse(text)
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{min(6, int(t.tag[1]) + HEADING_SHIFT)}"
    return Markup(md.renderer.render(tokens, md.options, {}))


_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")


def to_markdown(text: str) -> str:
    """The text for the Markdown download: as written, with anything a Markdown reader would
    take for raw HTML escaped (`\\<`), so the file shows what the HTML report shows."""
    return _HTML_START.sub(r"\\<", text.replace("\r\n", "\n").strip())


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    kind: str  # "para", "heading", "bullet", "number", "quote"
    runs: list[Run]
    level: int = 0  # heading level inside the section (1 = first level below it)


def _runs(inline: Token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    for child in inline.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("text", "code_inline", "html_inline") and child.content:
            runs.append(Run(child.content, bold, italic))
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run("\n" if child.type == "hardbreak" else " ", bold, italic))
        elif child.type == "image":
            runs.append(Run(child.content or "[image]", bold, italic))
    return runs


def to_blocks(text: str) -> list[Block]:
    """Paragraphs, headings, list items and quotes with bold/italic runs, for the Word file."""
    blocks: list[Block] = []
    lists: list[str] = []
    quote = 0
    heading = 0
    for t in _md().parse(text):
        if t.type == "bullet_list_open":
            lists.append("bullet")
        elif t.type == "ordered_list_open":
            lists.append("number")
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t.type == "blockquote_open":
            quote += 1
        elif t.type == "blockquote_close":
            quote -= 1
        elif t.type == "heading_open":
            heading = int(t.tag[1])
        elif t.type == "inline":
            runs = _runs(t)
            if heading:
                blocks.append(Block("heading", runs, heading))
                heading = 0
            elif lists:
                blocks.append(Block(lists[-1], runs))
            else:
                blocks.append(Block("quote" if quote else "para", runs))
        elif t.type in ("fence", "code_block"):
            blocks.append(Block("para", [Run(t.content.rstrip("\n"))]))
    return blocks
