"""Export > Clean Manuscript (HTML, PDF, Word) in the window: the document as the
editor holds it (or, with a project open, every chapter), without authorship marks,
written in the background like every export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app import messages
from app.tasks import TaskContext
from memory.manuscript import Chapter, title_of

MANUSCRIPT_MESSAGE = "manuscript"
MANUSCRIPT_EXPORTS = (
    ("Clean Manuscript as HTML…", "html", ".html"),
    ("Clean Manuscript as PDF…", "pdf", ".pdf"),
    ("Clean Manuscript as Word (DOCX)…", "docx", ".docx"),
)


def attach_manuscript(room: Any) -> None:
    """Add the clean manuscript exports to the room's Export menu."""
    menu = room.window.export_menu
    menu.addSeparator()
    for label, fmt, suffix in MANUSCRIPT_EXPORTS:
        action = menu.addAction(label)
        action.triggered.connect(lambda _=False, f=fmt, s=suffix: export_manuscript(room, f, s))


def export_manuscript(room: Any, fmt: str, suffix: str, out: Path | None = None) -> None:
    """Ask where (unless `out`), then write the manuscript off the GUI thread."""
    session = room.session
    project = room.projects.project
    if project is not None:
        if session.modified and not session.save():
            return
        name, folder = project.title, project.folder.parent
    else:
        text = room.editor.toPlainText()
        stem = session.path.stem if session.path else "Untitled"
        name = title_of(text, stem)
        folder = session.path.parent if session.path else Path.home()
    if out is None:
        chosen = room.window.ask_export_path(str(folder / f"{name}{suffix}"))
        if not chosen:
            return
        out = Path(chosen)
    author = room.settings.writer_name
    target = out

    def work(_ctx: TaskContext) -> Path:
        from app.manuscript_cli import chapters_of, write_manuscript

        if project is not None:
            chapters, title = chapters_of(project.folder)
        else:
            chapters, title = [Chapter(name, text)], name
        return write_manuscript(chapters, title, fmt, target, author)

    def done(written: Path) -> None:
        messages.info(
            f"Wrote the manuscript {written.name} to {written.parent}.", id=MANUSCRIPT_MESSAGE
        )
        room.exported.emit([str(written)])

    def failed(exc: BaseException, _details: str) -> None:
        messages.error(f"The manuscript could not be written: {exc}", id=MANUSCRIPT_MESSAGE)

    room.runner.submit(
        work, name=f"manuscript {fmt}", lane="io", on_success=done, on_failure=failed
    )
