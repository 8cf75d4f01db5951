"""The disclosure paragraph's arithmetic is the statistics' arithmetic; the report PDF shows
"<1%"; Export > Markdown with Authorship never proposes or replaces the working file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from export_samples import ANA, SMOL, build_record

from memory.events import Author, How, SourceKind
from memory.origins import MODEL, MODEL_EDITED
from memory.provenance.report import _exact_pct, disclosure, printable_report, write_report
from tests.conftest import type_text
from ui.authorship_stats import share_rows


def edited_record():
    # The writer finished two of the model's words: "quie|t|ly", "mi|l|l".
    return build_record(
        [
            ("The river “", ANA, How.TYPED),
            ("ran quie", SMOL, How.SUGGESTION),
            ("t", ANA, How.TYPED),
            ("ly past the mi", SMOL, How.SUGGESTION),
            ("l", ANA, How.TYPED),
            ("l” and on to the sea for ever and ever 😀.", SMOL, How.SUGGESTION),
            (" Then Ana wrote a long closing sentence of her own, " * 3, ANA, How.TYPED),
        ]
    )


def test_edited_share_divides_by_the_model_characters_as_the_statistics_do():
    record = edited_record()
    counts = record.characters_by_origin()
    assert counts[MODEL_EDITED] and counts.get(MODEL, 0)
    model_total = counts[MODEL_EDITED] + counts.get(MODEL, 0)
    # The statistics dialog, over the model's text only, shows this share as edited.
    rows = dict(
        (d, p) for d, _n, p in share_rows({k: counts.get(k, 0) for k in (MODEL, MODEL_EDITED)})
    )
    shown = next(p for d, p in rows.items() if "edited" in d.lower())
    expected = f"{counts[MODEL_EDITED]:,} characters ({shown:.1f}%)"
    assert f"(of these, {expected} were then edited by the writer)" in disclosure(record)
    share_of_whole = 100 * counts[MODEL_EDITED] / len(record.text)
    assert f"({share_of_whole:.1f}%)" not in disclosure(record) or share_of_whole == shown
    assert model_total < len(record.text)


def test_the_issues_figures():
    assert _exact_pct(9, 106) == "8.5%"  # not 1% of the whole text
    assert _exact_pct(1, 3) == "33.3%" and _exact_pct(0, 0) == "0.0%"


def test_one_edited_character_reads_in_the_singular():
    record = build_record(
        [("ab", SMOL, How.SUGGESTION), ("c", ANA, How.TYPED), ("d and more", SMOL, How.SUGGESTION)]
    )
    text = disclosure(record)
    match = re.search(r"of these, (\d+) characters? \(([\d.]+)%\) (was|were) then edited", text)
    assert match, text
    assert (match.group(1) == "1") == (match.group(3) == "was")


def tiny_share_record():
    """Ana wrote one character in 300: her share is "<1%"."""
    return build_record([("A", ANA, How.TYPED), ("b" * 299, SMOL, How.SUGGESTION)])


def test_report_escapes_less_than_one_percent():
    record = tiny_share_record()
    for markup in (write_report(record, None), printable_report(record, None)[0]):
        assert "&lt;1%" in markup
        assert re.search(r">\s*<1%", markup) is None  # never a raw "<" in a cell


def test_report_pdf_shows_less_than_one_percent(qapp):
    from PySide6.QtGui import QTextDocument

    page, _images = printable_report(tiny_share_record(), None)
    document = QTextDocument()
    document.setHtml(page)  # what the PDF renderer lays out
    assert "<1%" in document.toPlainText()


# --- the window's Export > Markdown with Authorship -------------------------------------


@pytest.fixture
def saved_room(writing_room, tmp_path):
    room = writing_room
    type_text(room.editor, "Ana’s “draft” 😀.")
    working = tmp_path / "draft.md"
    room.window.ask_save_path = lambda _suggested: str(working)
    assert room.session.save()
    type_text(room.editor, " More, unsaved.")
    return room, working


def test_markdown_export_does_not_propose_the_working_file(saved_room, qtbot, tmp_path):
    room, working = saved_room
    asked: list[str] = []

    def choose(suggested: str) -> str:
        asked.append(suggested)
        return suggested

    room.window.ask_export_path = choose
    before = working.read_bytes()
    task = room.export_document("markdown", ".md")
    assert task is not None
    qtbot.waitUntil(lambda: "Exported" in room.window.messages.text, timeout=30_000)
    assert Path(asked[0]).resolve() != working.resolve()
    assert Path(asked[0]).name == "draft.export.md"
    assert working.read_bytes() == before and (tmp_path / "draft.export.md").exists()


def test_markdown_export_refuses_to_replace_the_working_file(saved_room, qtbot):
    room, working = saved_room
    room.window.ask_export_path = lambda _suggested: str(working)
    before = working.read_bytes()
    assert room.export_document("markdown", ".md") is None
    qtbot.waitUntil(lambda: "you are working on" in room.window.messages.text, timeout=5_000)
    assert working.read_bytes() == before
    assert room.session.modified  # the window still holds the unsaved text


def test_names_with_markup_in_the_disclosure_are_escaped():
    mallory = Author(SourceKind.PERSON, "<b onclick=x>Mal</b>")
    record = build_record([("Some “text” 😀", mallory, How.TYPED)])
    assert "<b onclick" not in write_report(record, None)
