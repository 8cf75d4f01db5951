"""Projects: a folder of chapters in the writer's order, exported as one manuscript.

A project with three chapters is reordered, reopened (the order comes back from the
folder's project file) and exported with every character's author, the report
showing the shares per chapter; the command line does the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.cli import main
from app.project import PROJECT_FILE, Project, ProjectProblem, project_record
from memory.document import AuthoredDocument, text_sha256
from memory.events import Author, How, SourceKind
from memory.store import Store

ANN = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "smol", "ab" * 32)


def three_chapters(folder: Path) -> Project:
    folder.mkdir()
    (folder / "Chapter 10.md").write_text("# The End\n\nShe left.\n", encoding="utf-8")
    (folder / "Chapter 2.md").write_text(
        "# The Storm\n\nRain \u201cfell\u201d.\n", encoding="utf-8"
    )
    (folder / "Chapter 1.md").write_text("# Arrival\n\nMara came.\n", encoding="utf-8")
    (folder / "notes.png").write_bytes(b"\x89PNG")
    return Project.open(folder)


def test_chapters_start_in_natural_order_and_keep_a_new_order(tmp_path: Path) -> None:
    project = three_chapters(tmp_path / "novel")
    assert [p.name for p in project] == ["Chapter 1.md", "Chapter 2.md", "Chapter 10.md"]
    project.reorder(["Chapter 2.md", "Chapter 1.md", "Chapter 10.md"])
    again = Project.open(tmp_path / "novel")
    assert [p.name for p in again] == ["Chapter 2.md", "Chapter 1.md", "Chapter 10.md"]
    data = json.loads((tmp_path / "novel" / PROJECT_FILE).read_text(encoding="utf-8"))
    assert data["chapters"] == ["Chapter 2.md", "Chapter 1.md", "Chapter 10.md"]
    with pytest.raises(ProjectProblem):
        again.reorder(["Chapter 2.md"])


def test_files_added_elsewhere_join_at_the_end_and_missing_ones_drop(tmp_path: Path) -> None:
    project = three_chapters(tmp_path / "novel")
    project.reorder(["Chapter 10.md", "Chapter 1.md", "Chapter 2.md"])
    (tmp_path / "novel" / "Chapter 1.md").unlink()
    (tmp_path / "novel" / "Epilogue.md").write_text("# Epilogue\n", encoding="utf-8")
    again = Project.open(tmp_path / "novel")
    assert [p.name for p in again] == ["Chapter 10.md", "Chapter 2.md", "Epilogue.md"]


def test_new_chapter_and_rename_keep_the_order(tmp_path: Path) -> None:
    project = three_chapters(tmp_path / "novel")
    first = project.chapters[0]
    new = project.new_chapter("Interlude", after=first)
    assert new.read_text(encoding="utf-8") == "# Interlude\n\n"
    assert [p.name for p in project][:2] == ["Chapter 1.md", "Interlude.md"]
    renamed = project.rename(new, "Interlude \u2014 at sea")
    assert renamed.name == "Interlude \u2014 at sea.md" and not new.exists()
    assert [p.name for p in Project.open(tmp_path / "novel")][1] == renamed.name
    with pytest.raises(ProjectProblem):
        project.new_chapter("Chapter 2")
    with pytest.raises(ProjectProblem):
        project.new_chapter("///")


def test_find_across_the_project(tmp_path: Path) -> None:
    project = three_chapters(tmp_path / "novel")
    hits = project.find("the", whole_word=True)
    assert [(h.chapter.name, h.line, h.column) for h in hits] == [
        ("Chapter 2.md", 1, 3),
        ("Chapter 10.md", 1, 3),
    ]
    assert [h.excerpt for h in project.find("FELL")] == ["Rain \u201cfell\u201d."]
    assert project.find("FELL", case=True) == []


def _write_chapter_with_ledger(store: Store, path: Path) -> None:
    """A chapter typed in Draftsmith: the writer's heading, then a suggestion accepted."""
    doc = AuthoredDocument.create(store, str(path.resolve()), path.stem)
    doc.record(0, 0, "# Arrival\n\nMara came. ", ANN, How.TYPED)
    doc.record(len(doc), 0, "The harbour was quiet.\n", MODEL, How.SUGGESTION)
    path.write_text(doc.text, encoding="utf-8")
    doc.mark_saved(text_sha256(doc.text))
    doc.close()


def test_the_project_exports_with_every_chapters_authors(tmp_path: Path) -> None:
    project = three_chapters(tmp_path / "novel")
    store = Store(tmp_path / "lib.db")
    _write_chapter_with_ledger(store, project.chapters[0])
    found = project_record(project, store, app_version="test")
    store.close()
    record = found.record
    assert record is not None
    texts = [p.read_text(encoding="utf-8") for p in project]
    assert record.text == "".join(texts)
    assert [name for name, _s, _e in record.parts] == ["Chapter 1", "Chapter 2", "Chapter 10"]
    first = record.characters_by_origin(*record.parts[0][1:])
    assert first["model"] == len("The harbour was quiet.\n")
    assert first["human"] == len("# Arrival\n\nMara came. ")
    second = record.characters_by_origin(*record.parts[1][1:])
    assert second == {"imported": len(texts[1])}
    assert len({e.seq for e in record.events}) == len(record.events)


def test_draftsmith_export_folder_writes_one_report_with_shares_per_chapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DRAFTSMITH_HOME", str(tmp_path / "home"))
    project = three_chapters(tmp_path / "novel")
    project.reorder(["Chapter 2.md", "Chapter 1.md", "Chapter 10.md"])
    out = tmp_path / "novel-report.html"
    assert main(["export", str(tmp_path / "novel"), "--to", "report-html", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>(Chapter \d+)</td>", page)
    assert rows == ["Chapter 2", "Chapter 1", "Chapter 10"]
    html_out = tmp_path / "novel.html"
    capsys.readouterr()
    status = main(
        ["export", str(tmp_path / "novel"), "--to", "html", "--out", str(html_out), "--json"]
    )
    assert status == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] is True and printed["written"] == [str(html_out)]
    assert main(["verify", str(html_out)]) == 0
    capsys.readouterr()
    assert main(["project", str(tmp_path / "novel"), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in listing["chapters"]] == [
        "Chapter 2.md",
        "Chapter 1.md",
        "Chapter 10.md",
    ]


def test_the_window_opens_a_project_and_works_its_chapters(
    writing_room: object, tmp_path: Path, qtbot: object
) -> None:
    from tests.conftest import type_text

    room = writing_room
    project = three_chapters(tmp_path / "novel")
    assert room.projects.open_folder(tmp_path / "novel")  # type: ignore[attr-defined]
    panel = room.projects.panel  # type: ignore[attr-defined]
    session = room.session  # type: ignore[attr-defined]
    assert panel.isVisible()
    assert [panel.chapters.item(i).text() for i in range(3)] == [
        "Chapter 1",
        "Chapter 2",
        "Chapter 10",
    ]
    assert session.path == project.chapters[0]
    # Clicking a chapter opens it; typing and saving writes that chapter.
    panel.chapter_chosen.emit(project.chapters[1])
    assert session.path == project.chapters[1]
    room.editor.moveCursor(room.editor.textCursor().MoveOperation.End)  # type: ignore[attr-defined]
    type_text(room.editor, "More rain.")  # type: ignore[attr-defined]
    assert session.save()
    assert (
        project.chapters[1]
        .read_text(encoding="utf-8")
        .startswith("# The Storm\n\nRain \u201cfell\u201d.\nMore rain.")
    )
    # A new order from the panel is kept in the folder.
    panel.order_changed.emit(["Chapter 10.md", "Chapter 1.md", "Chapter 2.md"])
    assert [p.name for p in Project.open(tmp_path / "novel")][0] == "Chapter 10.md"
    # Find across the project, then jump to a hit in another chapter.
    panel.find_requested.emit("Mara")
    assert panel.hits.count() == 1
    panel._hit(panel.hits.item(0))
    assert session.path == project.chapters[0]
    assert room.editor.textCursor().selectedText() == "Mara"  # type: ignore[attr-defined]
    # Unsaved words in the open chapter are found as the editor holds them, and the
    # search saves nothing.
    room.editor.moveCursor(room.editor.textCursor().MoveOperation.End)  # type: ignore[attr-defined]
    type_text(room.editor, "Gulls \u201cwheeled\u201d.")  # type: ignore[attr-defined]
    panel.find_requested.emit("wheeled")
    assert panel.hits.count() == 1 and session.modified
    assert "wheeled" not in project.chapters[0].read_text(encoding="utf-8")
    assert session.save()
    # A new chapter opens at once.
    room.projects.new_chapter("Epilogue", None)  # type: ignore[attr-defined]
    assert session.path is not None and session.path.name == "Epilogue.md"


def test_recent_projects_and_reopening_the_last_one_at_launch(
    qapp: object, tmp_path: Path, draftsmith_home: Path
) -> None:
    from app import paths
    from app.main import open_window
    from app.settings import Settings

    three_chapters(tmp_path / "novel")
    _app, room = open_window(tmp_path / "novel", model_path=None, load_model=False)
    try:
        assert room.projects.project is not None
        assert room.state.recent_files[0] == str((tmp_path / "novel").resolve())
        assert room.window.recent_menu.actions()[0].text() == "novel"
    finally:
        room.window.set_close_guard(lambda: True)
        room.shutdown()
    settings = Settings(paths.settings_path())
    settings.set("reopen_last_document", True)
    settings.save()
    _app, room = open_window(None, model_path=None, load_model=False)
    try:
        assert room.projects.project is not None
        assert room.session.path is not None and room.session.path.name == "Chapter 1.md"
    finally:
        room.window.set_close_guard(lambda: True)
        room.shutdown()
