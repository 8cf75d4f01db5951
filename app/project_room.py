"""Projects in the window: File > Open Project… (or `draftsmith FOLDER`), the project
panel (View > Project, Ctrl+Shift+J), chapters opened, reordered, added and renamed,
find across them, and Export > Whole Project as one file with provenance.

The project itself (`app.project.Project`) keeps the order file; the panel
(`ui.project_panel`) shows plain names and paths. Long-term memory scoped to "this
project folder" applies to every chapter, because a chapter's project is its folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import QFileDialog

from app import messages
from app.project import Project, ProjectProblem
from app.tasks import TaskContext
from memory.errors import DraftsmithError
from memory.positions import index_to_utf16
from ui.project_panel import ProjectPanel

PROJECT_MESSAGE = "project"
PROJECT_EXPORTS = (
    ("Whole Project as HTML…", "html", ".html"),
    ("Whole Project as PDF…", "pdf", ".pdf"),
    ("Whole Project as Markdown with Authorship…", "markdown", ".md"),
    ("Whole Project Provenance Report…", "report-html", ".report.html"),
)


class ProjectRoom:
    """The open project (if any) and its panel, wired to the room's document session."""

    def __init__(self, room: Any) -> None:
        self.room = room
        self.project: Project | None = None
        window = room.window
        self.panel = ProjectPanel(window)
        self.panel.hide()
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.panel)
        self.panel.chapter_chosen.connect(self.open_chapter)
        self.panel.hit_chosen.connect(self.open_hit)
        self.panel.order_changed.connect(self.reorder)
        self.panel.new_chapter_requested.connect(self.new_chapter)
        self.panel.rename_requested.connect(self.rename)
        self.panel.find_requested.connect(self.find)
        room.session.opened.connect(self._refresh)

        self.open_action = QAction("Open &Project…", window)
        self.open_action.setShortcut(QKeySequence("Ctrl+Alt+O"))
        self.open_action.setStatusTip("Open a folder of chapters as a project")
        self.open_action.triggered.connect(self.ask_and_open)
        window.file_menu.insertAction(window.recent_menu.menuAction(), self.open_action)
        self.toggle_action = self.panel.toggleViewAction()
        self.toggle_action.setText("&Project")
        self.toggle_action.setShortcut(QKeySequence("Ctrl+Shift+J"))
        self.toggle_action.setEnabled(False)
        window.view_menu.addAction(self.toggle_action)
        menu = window.export_menu
        menu.addSeparator()
        self.export_actions: list[QAction] = []
        for label, fmt, suffix in PROJECT_EXPORTS:
            action = menu.addAction(label)
            action.setEnabled(False)
            action.triggered.connect(lambda _=False, f=fmt, s=suffix: self.export_project(f, s))
            self.export_actions.append(action)

    # Opening

    def ask_and_open(self) -> None:
        start = str(self.project.folder) if self.project else str(Path.home())
        folder = QFileDialog.getExistingDirectory(self.room.window, "Open Project", start)
        if folder:
            self.open_folder(Path(folder))

    def open_folder(self, folder: Path) -> bool:
        """Open `folder` as the project; its first chapter opens (or a new one is made)."""
        try:
            project = Project.open(folder)
            if not len(project):
                project.new_chapter("Chapter 1")
        except (DraftsmithError, OSError) as exc:
            messages.error(str(exc), id=PROJECT_MESSAGE)
            return False
        self.project = project
        self.toggle_action.setEnabled(True)
        for action in self.export_actions:
            action.setEnabled(True)
        self.panel.show()
        self._refresh()
        if self.room.session.path not in project.chapters:
            self.open_chapter(project.chapters[0])
        self._keep_recent()
        return True

    def _keep_recent(self) -> None:
        """While a project is open, it stays first in Open Recent (its chapters follow)."""
        if self.project is not None:
            self.room.state.add_recent(self.project.folder)
            self.room.session.recent_changed.emit()

    def _refresh(self, *_args: object) -> None:
        if self.project is not None:
            self.panel.show_project(
                self.project.title, self.project.chapters, self.room.session.path
            )

    def open_chapter(self, chapter: Path) -> bool:
        opened = bool(self.room.session.open_path(chapter))
        self._refresh()
        self._keep_recent()
        return opened

    def open_hit(self, chapter: Path, offset: int, length: int) -> None:
        if self.room.session.path != chapter and not self.open_chapter(chapter):
            return
        editor = self.room.editor
        text = editor.toPlainText()
        start = index_to_utf16(text, min(offset, len(text)))
        end = index_to_utf16(text, min(offset + length, len(text)))
        cursor = editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        editor.setTextCursor(cursor)
        editor.centerCursor()
        editor.setFocus()

    # Changing the project

    def _guarded(self, change: Any) -> Any:
        try:
            return change()
        except (DraftsmithError, OSError) as exc:
            messages.error(f"The project could not be changed: {exc}", id=PROJECT_MESSAGE)
            return None
        finally:
            self._refresh()

    def reorder(self, names: list[str]) -> None:
        if self.project is not None:
            project = self.project
            self._guarded(lambda: project.reorder(names))

    def new_chapter(self, title: str, after: Path | None) -> None:
        if self.project is None:
            return
        project = self.project
        path = self._guarded(lambda: project.new_chapter(title, after))
        if path is not None:
            self.open_chapter(path)

    def rename(self, chapter: Path, title: str) -> None:
        if self.project is None:
            return
        session = self.room.session
        if session.path == chapter and session.modified and not session.save():
            return
        project = self.project
        renamed = self._guarded(lambda: project.rename(chapter, title))
        if renamed is not None and session.path == chapter:
            session.open_path(renamed)
            self._refresh()

    def find(self, query: str) -> None:
        if self.project is None:
            return
        session = self.room.session
        open_texts = {session.path: self.room.editor.toPlainText()} if session.path else {}
        hits = self.project.find(query, open_texts=open_texts)
        self.panel.show_hits(
            [(h.chapter, h.line, h.column, h.start, h.length, h.excerpt) for h in hits]
        )

    # Exporting

    def export_project(self, fmt: str, suffix: str, out: Path | None = None) -> None:
        """Export every chapter as one file (in the background, as a document export)."""
        if self.project is None:
            return
        project = self.project
        if self.room.session.modified and not self.room.session.save():
            return
        if out is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self.room.window,
                "Export Project",
                str(project.folder.parent / (project.title + suffix)),
            )
            if not chosen:
                return
            out = Path(chosen)
        self.room.session.flush()
        room, status, target = self.room, self.room.window.status, out
        status.progress.show()
        status.set_progress(0.0)

        def work(ctx: TaskContext) -> list[Path]:
            from app import paths
            from app.export import export
            from app.project import project_record
            from app.version import app_version
            from memory.store import Store

            store = Store(paths.database_path())
            try:
                found = project_record(project, store, app_version=app_version())
            finally:
                store.close()
            if found.record is None:
                names = ", ".join(name for name, _problems in found.needs_review)
                raise ProjectProblem(
                    f"The authorship blocks of {names} need your review first: open "
                    "each of those chapters and choose what to do with its block."
                )
            ctx.progress(0.3)
            return export(found.record, fmt, target, paths.keys_dir())

        def done(written: list[Path]) -> None:
            status.progress.hide()
            messages.info(
                f"Exported {project.title} ({len(project)} chapters) as "
                f"{', '.join(p.name for p in written)} to {target.parent}.",
                id=PROJECT_MESSAGE,
            )
            room.exported.emit([str(p) for p in written])

        def failed(exc: BaseException, _details: str) -> None:
            status.progress.hide()
            messages.error(f"The project could not be exported: {exc}", id=PROJECT_MESSAGE)

        room.runner.submit(
            work,
            name=f"export project {fmt}",
            lane="io",
            on_success=done,
            on_failure=failed,
            on_progress=lambda f, _m: status.set_progress(f),
        )


def attach_projects(room: Any) -> ProjectRoom:
    """The room's projects: the panel, File > Open Project…, Export > Whole Project."""
    return ProjectRoom(room)
