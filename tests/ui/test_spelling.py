"""Spelling: unknown words are marked after a pause, never inside code or URLs or the
authorship block; suggestions and Add to Dictionary work from the context menu."""

from __future__ import annotations

from PySide6.QtGui import QTextCharFormat

from app.spelling import Dictionary, PersonalWords, personal_path
from tests.conftest import type_text
from ui.markdown_spans import START, style_line
from ui.spelling import misspellings, words_to_check

SAMPLE = "\n".join(
    [
        "# The lighthuose keeper",
        "He climbed the stiars and said “I don’t recieve visitors” 😀.",
        "Run `pritn(teh)` or see https://exmaple.org/wrnog and <https://autoo.example/x>.",
        "A [linnk label](https://exmaple.org/pathh) with wrods.",
        "```",
        "def recieve(): teh",
        "```",
        "Annotations: 0,120 SHA-256 " + "ab" * 32,
        "@Ana Kowalsky: 0,40",
        "&SmolLMx <model sha256=" + "cd" * 32 + ">: 40,20",
    ]
)
MISSPELT = {"lighthuose", "stiars", "recieve", "linnk", "wrods"}


def english() -> Dictionary:
    return Dictionary("en", PersonalWords(personal_path()))


def unknown_words(text: str, dictionary: Dictionary) -> set[str]:
    found: set[str] = set()
    state = START
    for line in text.split("\n"):
        found |= {m.word for m in misspellings(line, dictionary, state)}
        state = style_line(line, state).state
    return found


def test_marks_the_known_errors_and_nothing_in_code_urls_or_the_block() -> None:
    assert unknown_words(SAMPLE, english()) == MISSPELT


def test_british_spellings_are_not_mistakes() -> None:
    text = "The harbour’s colour; we realise the centre’s defence, a catalogue programme."
    assert unknown_words(text, english()) == set()
    assert unknown_words("The harbuor", english()) == {"harbuor"}


def test_words_inside_code_and_urls_are_never_looked_at() -> None:
    line = "Run `pritn(teh)` or see https://exmaple.org/wrnog now"
    assert [w for _s, _e, w in words_to_check(line)] == ["Run", "or", "see", "now"]
    fenced = style_line("```").state
    assert words_to_check("teh recieve", fenced) == []


def test_curly_apostrophes_and_accents_are_words_not_errors() -> None:
    dictionary = english()
    assert unknown_words("I don’t think it’s naïve of them", dictionary) == set()
    assert unknown_words("Ana’s frend", dictionary) == {"frend"}


def test_the_editor_underlines_after_a_pause(writing_room, qtbot) -> None:
    spelling = writing_room.spelling
    qtbot.wait_until(lambda: spelling.marks.dictionary is not None, timeout=20_000)
    editor = writing_room.editor
    editor.setPlainText(SAMPLE)
    qtbot.wait_until(lambda: not spelling.marks.pending(), timeout=10_000)
    marked: set[str] = set()
    block = editor.document().firstBlock()
    while block.isValid():
        text = block.text()
        for r in block.layout().formats():
            fmt = QTextCharFormat(r.format)
            if fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                marked.add(text[r.start : r.start + r.length])
        block = block.next()
    assert marked == MISSPELT
    assert editor.toPlainText() == SAMPLE


def test_checks_wait_while_the_app_says_so(writing_room, qtbot) -> None:
    """While a suggestion streams (`wait_while`), nothing is checked; then it all is."""
    spelling = writing_room.spelling
    qtbot.wait_until(lambda: spelling.marks.dictionary is not None, timeout=20_000)
    waiting = [True]
    spelling.marks.wait_while = lambda: waiting[0]
    writing_room.editor.setPlainText(SAMPLE)
    qtbot.wait(900)  # two pauses' worth
    assert spelling.marks.pending()
    waiting[0] = False
    qtbot.wait_until(lambda: not spelling.marks.pending(), timeout=10_000)


def test_a_suggestion_replaces_the_word_and_add_to_dictionary_remembers_it(
    writing_room, qtbot
) -> None:
    spelling = writing_room.spelling
    qtbot.wait_until(lambda: spelling.marks.dictionary is not None, timeout=20_000)
    editor = writing_room.editor
    type_text(editor, "I recieve letters from Zorblax.")
    qtbot.wait_until(lambda: spelling.marks.misspelling_at(4) is not None, timeout=5_000)
    items = dict(spelling.context_items(4))
    assert "receive" in items
    items["receive"]()
    assert editor.toPlainText() == "I receive letters from Zorblax."
    assert writing_room.session.authored.text == editor.toPlainText()
    editor.undo()  # the correction is its own step
    assert editor.toPlainText() == "I recieve letters from Zorblax."
    at = editor.toPlainText().index("Zorblax") + 2
    qtbot.wait_until(lambda: spelling.marks.misspelling_at(at) is not None, timeout=5_000)
    add = dict(spelling.context_items(at))["Add “Zorblax” to Dictionary"]
    add()
    assert spelling.marks.misspelling_at(at) is None
    assert "Zorblax" in personal_path().read_text(encoding="utf-8").split()
    assert "zorblax" not in english().unknown(["Zorblax"])  # the next session knows it too


def test_each_document_keeps_its_language(writing_room, qtbot, tmp_path) -> None:
    spelling = writing_room.spelling
    german = tmp_path / "brief.md"
    german.write_text("Die Straße ist nass und die Läden sind zu.\n", encoding="utf-8")
    english_file = tmp_path / "letter.md"
    english_file.write_text("The street is wet.\n", encoding="utf-8")
    assert writing_room.session.open_path(german)
    assert spelling.language == "en"
    spelling.use_language("de", remember=True)
    qtbot.wait_until(
        lambda: getattr(spelling.marks.dictionary, "language", "") == "de", timeout=20_000
    )
    assert spelling.marks.dictionary.unknown(["Straße", "Läden", "nass"]) == set()
    assert writing_room.session.open_path(english_file)
    assert spelling.language == "en"
    assert writing_room.session.open_path(german)
    assert spelling.language == "de"
    checked = [a for a in spelling.language_group.actions() if a.isChecked()]
    assert [a.data() for a in checked] == ["de"]
