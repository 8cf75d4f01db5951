"""The clean manuscript: no tints, no block, titled from the first heading, the author in
the metadata, for a file and for a project; HTML, PDF and DOCX."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from memory.manuscript import Chapter, manuscript_html, title_of

SAMPLE = (
    "# The \u201cHarbour\u201d\n\nMara *knew* the **way**, and `code`.\n\n"
    "- one\n- two\n\n> a quote\n\n---\n\nEnd.\n"
)


def test_the_title_comes_from_the_first_heading() -> None:
    assert title_of(SAMPLE, "file") == "The \u201cHarbour\u201d"
    assert title_of("Just words.\n", "my-file") == "my-file"
    assert title_of("Intro\n\nThe Title\n=========\n\n# Later\n", "f") == "The Title"
    assert title_of("# **Bold** title\n", "f") == "Bold title"


def test_html_has_no_tints_and_runs_nothing() -> None:
    page = manuscript_html(
        [Chapter("c", SAMPLE + "\n<img src=x onerror=alert(1)>\n")], "T", "Ann \u00c5"
    )
    assert "<em>knew</em>" in page and "<strong>way</strong>" in page
    assert "o-model" not in page and "o-human" not in page  # no authorship classes
    assert "onerror" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "Content-Security-Policy" in page
    assert '<meta name="author" content="Ann \u00c5">' in page


def _project(folder: Path) -> None:
    folder.mkdir()
    (folder / "1 Arrival.md").write_text("# Arrival\n\nMara came.\n", encoding="utf-8")
    (folder / "2 Storm.md").write_text("# Storm\n\nRain *fell*.\n", encoding="utf-8")


def test_draftsmith_manuscript_writes_html_docx_and_pdf(
    qapp: object,  # a QApplication for the session (a bare QGuiApplication would stop others)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DRAFTSMITH_HOME", str(tmp_path / "home"))
    doc = tmp_path / "story.md"
    doc.write_text(SAMPLE, encoding="utf-8")
    # A saved file's authorship block never reaches the manuscript.
    assert main(["export", str(doc), "--to", "markdown", "--out", str(tmp_path / "a.md")]) == 0
    annotated = tmp_path / "a.md"
    assert "Annotations" in annotated.read_text(encoding="utf-8")
    capsys.readouterr()

    out = tmp_path / "story.html"
    assert main(["manuscript", str(annotated), "--to", "html", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["title"] == "The \u201cHarbour\u201d"
    page = out.read_text(encoding="utf-8")
    assert "Annotations" not in page and "<title>The \u201cHarbour\u201d</title>" in page

    docx_out = tmp_path / "novel.docx"
    _project(tmp_path / "novel")
    status = main(
        ["manuscript", str(tmp_path / "novel"), "--to", "docx", "--out", str(docx_out)]
        + ["--author", "Ann Writer"]
    )
    assert status == 0
    with zipfile.ZipFile(docx_out) as z:
        body = z.read("word/document.xml").decode("utf-8")
        core = z.read("docProps/core.xml").decode("utf-8")
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", body))
    assert text.index("Arrival") < text.index("Mara came.") < text.index("Storm")
    assert 'w:type="page"' in body  # each chapter starts a page
    assert "<dc:title>novel</dc:title>" in core and "Ann Writer" in core

    pdf_out = tmp_path / "story.pdf"
    status = main(["manuscript", str(doc), "--to", "pdf", "--out", str(pdf_out), "--author", "Ann"])
    assert status == 0
    data = pdf_out.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/Author" in data and b"/Title" in data


def test_a_missing_file_is_a_plain_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["manuscript", str(tmp_path / "nope.md"), "--to", "html", "--out", str(tmp_path / "x")]
    )
    assert status == 1
    assert "could not write the manuscript" in capsys.readouterr().err


def test_the_window_writes_the_manuscript_of_what_the_editor_holds(
    writing_room: object, tmp_path: Path, qtbot: object
) -> None:
    from app.manuscript_room import export_manuscript

    room = writing_room
    room.editor.setPlainText(SAMPLE)  # type: ignore[attr-defined]
    out = tmp_path / "m.docx"
    with qtbot.waitSignal(room.exported, timeout=20000):  # type: ignore[attr-defined]
        export_manuscript(room, "docx", ".docx", out)
    with zipfile.ZipFile(out) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "The \u201cHarbour\u201d" in core
