"""The clean manuscript: the text as a reader sees it, with no authorship tints.

For submitting or sharing the work itself (the provenance exports are for showing who
wrote what). The Markdown is rendered as HTML (python-markdown, raw HTML shown as
text, sanitized by nh3, a strict Content-Security-Policy), or as a Word document
(python-docx, from markdown-it-py's tokens: headings, paragraphs with emphasis, strong
and code, lists, block quotes, code blocks, rules). The title is the first heading's
(else the file's name); a PDF is the HTML laid out by the app's renderer, with title
and author in its metadata. A project is its chapters in order, each starting a page.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FORMATS = ("html", "pdf", "docx")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_SETEXT = re.compile(r"^(?P<title>[^\n]+)\n {0,3}(=+|-+)[ \t]*$", re.MULTILINE)

STYLE = """
body { font-family: "Iowan Old Style", "Palatino Linotype", Georgia, "DejaVu Serif", serif;
  max-width: 36em; margin: 3em auto; padding: 0 1em; line-height: 1.6; color: #1d1d1f;
  background: #fff; font-size: 12pt; }
h1, h2, h3 { line-height: 1.25; }
h1 { font-size: 1.8em; margin-top: 0; }
blockquote { margin-left: 0; padding-left: 1em; border-left: 3px solid #ccc; color: #444; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.9em; }
pre { white-space: pre-wrap; }
section.chapter + section.chapter { page-break-before: always; margin-top: 4em; }
hr { border: none; border-top: 1px solid #bbb; margin: 2em 0; }
"""


@dataclass(frozen=True, slots=True)
class Chapter:
    """One part of a manuscript: its name (for a project's chapters) and Markdown text."""

    name: str
    text: str


def title_of(text: str, fallback: str) -> str:
    """The first heading's text (ATX `# Title` or Setext), else `fallback`."""
    candidates = []
    atx = _ATX.search(text)
    if atx:
        candidates.append((atx.start(), atx.group(2).strip()))
    setext = _SETEXT.search(text)
    if setext and setext.group("title").strip() and not setext.group("title").startswith("#"):
        candidates.append((setext.start(), setext.group("title").strip()))
    if not candidates:
        return fallback
    return re.sub(r"[*_`]", "", min(candidates)[1]) or fallback


def manuscript_html(chapters: Sequence[Chapter], title: str, author: str = "") -> str:
    """A standalone HTML page: every chapter rendered, nothing that can run or load."""
    from memory.provenance.html import CONTENT_SECURITY_POLICY, render_markdown, sanitize

    body = "\n".join(
        f'<section class="chapter">\n{sanitize(render_markdown(chapter.text))}\n</section>'
        for chapter in chapters
    )
    meta_author = (
        f'<meta name="author" content="{html.escape(author, quote=True)}">\n' if author else ""
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        f"{meta_author}<title>{html.escape(title)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def manuscript_docx(chapters: Sequence[Chapter], title: str, author: str = "") -> bytes:
    """A Word document: title and author in its properties, each chapter from a new page."""
    import docx
    from docx.enum.text import WD_BREAK
    from markdown_it import MarkdownIt

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    parser = MarkdownIt("commonmark")
    for number, chapter in enumerate(chapters):
        if number:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _docx_blocks(document, parser.parse(chapter.text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_blocks(document: Any, tokens: Sequence[Any]) -> None:
    """Block tokens to paragraphs (headings, lists, quotes, code, rules)."""
    lists: list[str] = []  # "bullet" / "ordered", innermost last
    quote = 0
    heading: int | None = None
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading = int(token.tag[1])
        elif kind == "heading_close":
            heading = None
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("bullet" if kind.startswith("bullet") else "ordered")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "inline":
            if heading is not None:
                paragraph = document.add_heading(level=min(heading, 9))
            elif lists:
                style = "List Bullet" if lists[-1] == "bullet" else "List Number"
                depth = min(len(lists), 3)
                paragraph = document.add_paragraph(
                    style=style if depth == 1 else f"{style} {depth}"
                )
            elif quote:
                paragraph = document.add_paragraph(style="Quote")
            else:
                paragraph = document.add_paragraph()
            _docx_inline(paragraph, token.children or [])
        elif kind in ("fence", "code_block"):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(token.content.rstrip("\n"))
            run.font.name = "Courier New"
        elif kind == "hr":
            document.add_paragraph("* * *").alignment = 1  # centred, as manuscripts mark breaks
        elif kind == "html_block":
            document.add_paragraph(token.content.rstrip("\n"))  # shown as text, never run


def _docx_inline(paragraph: Any, children: Sequence[Any]) -> None:
    bold = italic = False
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind in ("text", "html_inline"):
            run = paragraph.add_run(child.content)
            run.bold, run.italic = bold or None, italic or None
        elif kind == "code_inline":
            run = paragraph.add_run(child.content)
            run.font.name = "Courier New"
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break()
