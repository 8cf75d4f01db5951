"""`draftsmith manuscript FILE|FOLDER --to html|pdf|docx --out OUT`: the clean manuscript
(no authorship tints, no block), titled from the first heading, the author in its
metadata; a folder is a project, its chapters in order. The window's Export menu uses
`write_manuscript` too."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from memory.manuscript import FORMATS, Chapter


def add_parsers(tools: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    manuscript = tools.add_parser(
        "manuscript", help="export a clean manuscript (no authorship marks) as HTML, PDF or DOCX"
    )
    manuscript.add_argument("file", type=Path, help="a document, or a project folder")
    manuscript.add_argument("--to", required=True, dest="fmt", choices=FORMATS)
    manuscript.add_argument("--out", required=True, type=Path)
    manuscript.add_argument("--author", help="the author's name (default: the writer's name)")
    manuscript.add_argument("--json", action="store_true", help="print a JSON object")


def chapters_of(source: Path) -> tuple[list[Chapter], str]:
    """The chapters (one for a file) and the manuscript's title; raises DraftsmithError /
    OSError when something cannot be read."""
    from app.files import read_text
    from app.project import Project
    from memory.manuscript import title_of
    from memory.provenance.trust import split_block

    if source.is_dir():
        project = Project.open(source)
        chapters = []
        for path in project:
            text, _block = split_block(path, read_text(path))
            chapters.append(Chapter(path.stem, text))
        return chapters, project.title
    text, _block = split_block(source, read_text(source))
    return [Chapter(source.stem, text)], title_of(text, source.stem)


def write_manuscript(
    chapters: list[Chapter], title: str, fmt: str, out: Path, author: str = ""
) -> Path:
    """Write the manuscript as `fmt` to `out` (atomically); returns `out`."""
    from app.files import write_bytes_atomically
    from memory.manuscript import manuscript_docx, manuscript_html

    if fmt == "html":
        data = manuscript_html(chapters, title, author).encode("utf-8")
    elif fmt == "docx":
        data = manuscript_docx(chapters, title, author)
    elif fmt == "pdf":
        from app.export.pdf import html_to_pdf

        data = html_to_pdf(manuscript_html(chapters, title, author), title=title, author=author)
    else:
        raise ValueError(f"unknown manuscript format {fmt!r}; choose one of {', '.join(FORMATS)}")
    write_bytes_atomically(out, data)
    return out


def run(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app import paths
    from app.settings import Settings
    from memory.errors import DraftsmithError

    author = args.author
    if author is None:
        author = Settings(paths.settings_path()).writer_name
    try:
        chapters, title = chapters_of(args.file)
        written = write_manuscript(chapters, title, args.fmt, args.out, author)
    except (DraftsmithError, OSError, ValueError) as exc:
        print(f"draftsmith: could not write the manuscript of {args.file}: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps({"ok": False, "written": [], "problems": [str(exc)]}))
        return 1
    if args.json:
        print(json.dumps({"ok": True, "written": [str(written)], "title": title, "author": author}))
    else:
        print(f"wrote {written}")
    return 0
