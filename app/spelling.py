"""Spelling in the running app: the dictionaries, the writer's own words, the menus.

The language dictionaries are pyspellchecker's bundled word lists (English, German,
French, Spanish, Italian, Portuguese, Dutch, Russian, ...), loaded in the background;
the writer's own words ("Add to Dictionary") live in `dictionary.txt` in the data
folder, one a line, shared by every language. Each document keeps its language (a small
map in the data folder, by path); a new document takes the `spelling_language` setting.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction, QActionGroup, QTextCursor
from PySide6.QtWidgets import QMenu

from app import messages, paths
from app.files import FileProblem, write_text_atomically
from memory.events import How
from ui.editor import EditIntent
from ui.spelling import SpellingMarks

if TYPE_CHECKING:
    from app.document_session import DocumentSession
    from app.settings import Settings
    from app.tasks import TaskContext, TaskRunner
    from app.word_lists import WordList
    from ui.editor import DraftEditor
    from ui.main_window import MainWindow


class WritingRoom(Protocol):
    """What spelling needs of `app.writing_room.WritingRoom` (no import circle)."""

    settings: Settings
    editor: DraftEditor
    window: MainWindow
    session: DocumentSession
    runner: TaskRunner

    def lane_busy(self) -> bool: ...


log = logging.getLogger(__name__)

#: pyspellchecker's bundled languages, in their own words.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "ru": "Русский",
    "lv": "Latviešu",
    "eu": "Euskara",
    "ar": "العربية",
    "fa": "فارسی",
}
PERSONAL_FILE = "dictionary.txt"
LANGUAGES_FILE = "spelling-languages.json"


def personal_path() -> Path:
    return paths.data_dir() / PERSONAL_FILE


class PersonalWords:
    """The writer's own words, kept in the data folder (a word that cannot be saved
    stays known for the session, and the writer is told once)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.words: set[str] = set()
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            messages.warning(f"Your dictionary {path} could not be read ({exc}).", id="dictionary")
            text = ""
        self.words = {line.strip() for line in text.splitlines() if line.strip()}

    def __contains__(self, word: str) -> bool:
        return word in self.words or word.lower() in self.words

    def add(self, word: str) -> None:
        self.words.add(word)
        try:
            write_text_atomically(self.path, "".join(w + "\n" for w in sorted(self.words)))
        except (FileProblem, OSError) as exc:
            messages.warning(
                f"“{word}” could not be saved to your dictionary {self.path} ({exc}). "
                "It counts as spelled right until you quit.",
                id="dictionary",
            )


_WORD_LISTS: dict[str, WordList] = {}
_LOADING = threading.Lock()


def word_list(language: str) -> WordList:
    """pyspellchecker's words for `language`, loaded once a process (0.3 s; call it off
    the GUI thread) and only read afterwards: the writer's words are kept apart."""
    with _LOADING:
        words = _WORD_LISTS.get(language)
        if words is None:
            from app.word_lists import WordList

            words = _WORD_LISTS[language] = WordList.bundled(language)
        return words


class Dictionary:
    """One language's words and the writer's own: what `ui.spelling` asks."""

    def __init__(self, language: str, personal: PersonalWords) -> None:
        self.language = language
        self.personal = personal
        self._words = word_list(language)

    def unknown(self, words: Iterable[str]) -> set[str]:
        wanted = [w for w in words if w not in self.personal]
        parts = {p for w in wanted for p in w.split("-") if p}
        missing = self._words.unknown(parts)  # lowercased
        if missing:  # "naïve", "café": known without their accents, as word lists spell them
            from app.word_lists import without_accents  # loaded with the list

            folded = {m: without_accents(m) for m in missing}
            known = self._words.known({f for m, f in folded.items() if f != m})
            missing = {m for m in missing if folded[m] not in known}
        if missing and self.language == "en":  # British spellings: "harbour", "realise"
            variants = {m: american_spellings(m) for m in missing}
            known = self._words.known({v for vs in variants.values() for v in vs})
            missing = {m for m in missing if not variants[m] & known}
        return {w for w in wanted if any(p.lower() in missing for p in w.split("-") if p)}

    def suggestions(self, word: str) -> list[str]:
        candidates = self._words.candidates(word.lower()) or set()
        best = self._words.correction(word.lower(), candidates)
        ranked = sorted(candidates, key=lambda w: (w != best, -self._words.count(w), w))
        if word[:1].isupper():
            ranked = [w[:1].upper() + w[1:] for w in ranked]
        return ranked[:6]


_BRITISH = (
    ("isation", "ization"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ising", "izing"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("ence", "ense"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("mme", "m"),
    ("mmes", "ms"),
)


def american_spellings(word: str) -> set[str]:
    """The American spellings a British word may stand for, by the regular patterns
    ("harbour" → "harbor", "realise" → "realize", "centre" → "center"). pyspellchecker's
    English list is American; a British writer's words are not mistakes."""
    for possessive in ("\u2019s", "'s"):
        if word.endswith(possessive):
            stem = word[: -len(possessive)]
            return {stem, *american_spellings(stem)}
    out = set()
    if "our" in word:
        out.add(word.replace("our", "or"))
    for british, american in _BRITISH:
        if word.endswith(british) and len(word) > len(british) + 1:
            out.add(word[: -len(british)] + american)
    return out


class DocumentLanguages:
    """Which language each document is checked in, by path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, ValueError):
            raw = {}
        self.chosen: dict[str, str] = (
            {k: v for k, v in raw.items() if isinstance(v, str) and v in LANGUAGES}
            if isinstance(raw, dict)
            else {}
        )

    def get(self, document: Path | None, default: str) -> str:
        return self.chosen.get(str(document), default) if document else default

    def set(self, document: Path, language: str) -> None:
        self.chosen[str(document)] = language
        try:
            write_text_atomically(self.path, json.dumps(self.chosen, indent=2, sort_keys=True))
        except (FileProblem, OSError) as exc:
            log.warning("spelling languages not saved: %s", exc)


class Spelling:
    """The editor's spelling marks, their dictionary, menu and context menu."""

    def __init__(self, room: WritingRoom) -> None:
        self.room = room
        editor = room.editor
        self.marks = SpellingMarks(editor.document(), editor.styler)
        self.marks.wait_while = room.lane_busy  # checks wait as off-screen styling does
        self.marks.set_enabled(bool(room.settings["spelling_enabled"]))
        self.personal = PersonalWords(personal_path())
        self.languages = DocumentLanguages(paths.data_dir() / LANGUAGES_FILE)
        self._dictionaries: dict[str, Dictionary] = {}
        self.language = ""
        self._build_menu()
        editor.set_context_items(self.context_items)
        room.session.opened.connect(self.document_opened)
        self.document_opened()

    # --- language -------------------------------------------------------------------
    def document_opened(self) -> None:
        default = str(self.room.settings["spelling_language"])
        language = self.languages.get(self.room.session.path, default)
        self.use_language(language if language in LANGUAGES else "en")

    def use_language(self, language: str, *, remember: bool = False) -> None:
        """Check the document in `language` (and remember it for this document)."""
        if remember and self.room.session.path is not None:
            self.languages.set(self.room.session.path, language)
        self.language = language
        for action in self.language_group.actions():
            action.setChecked(action.data() == language)
        loaded = self._dictionaries.get(language)
        if loaded is not None:
            self.marks.set_dictionary(loaded)
            return
        self.marks.set_dictionary(None)

        def load(_ctx: TaskContext) -> Dictionary:
            return Dictionary(language, self.personal)

        def loaded_now(dictionary: Dictionary) -> None:
            self._dictionaries[language] = dictionary
            if self.language == language:
                self.marks.set_dictionary(dictionary)

        def failed(exc: BaseException, _details: str) -> None:
            messages.warning(
                f"The {LANGUAGES.get(language, language)} dictionary could not be loaded "
                f"({exc}); spelling is not checked.",
                id="dictionary",
            )

        self.room.runner.submit(
            load,
            name=f"dictionary {language}",
            lane="io",
            on_success=loaded_now,
            on_failure=failed,
        )

    # --- menus ------------------------------------------------------------------------
    def _build_menu(self) -> None:
        window = self.room.window
        menu = QMenu("S&pelling", window)
        self.check_action = QAction("&Check Spelling While Typing", window)
        self.check_action.setCheckable(True)
        self.check_action.setChecked(self.marks.enabled)
        self.check_action.toggled.connect(self.set_enabled)
        menu.addAction(self.check_action)
        languages = QMenu("&Language of This Document", window)
        self.language_group = QActionGroup(window)
        for code, name in LANGUAGES.items():
            action = QAction(name, window)
            action.setCheckable(True)
            action.setData(code)
            action.triggered.connect(lambda _c=False, c=code: self.use_language(c, remember=True))
            self.language_group.addAction(action)
            languages.addAction(action)
        menu.addMenu(languages)
        window.edit_menu.addSeparator()
        window.edit_menu.addMenu(menu)
        self.menu = menu

    def set_enabled(self, on: bool) -> None:
        self.marks.set_enabled(on)
        if self.room.settings["spelling_enabled"] != on:
            self.room.settings.set("spelling_enabled", on)

    def context_items(self, position: int) -> list[tuple[str, Callable[[], object] | None]]:
        """Suggestions and Add to Dictionary for an unknown word at `position`."""
        found = self.marks.misspelling_at(position)
        dictionary = self.marks.dictionary
        if found is None or dictionary is None:
            return []
        block, mark = found
        items: list[tuple[str, Callable[[], object] | None]] = []
        at = block.position()
        for word in dictionary.suggestions(mark.word):
            items.append((word, partial(self.replace, at, mark.start, mark.end, word)))
        if not items:
            items.append(("No suggestions", None))
        items.append(("", None))
        items.append((f"Add “{mark.word}” to Dictionary", partial(self.add_word, mark.word)))
        return items

    def replace(self, block_position: int, start: int, end: int, word: str) -> None:
        """Put `word` in place of the misspelling: the writer's own edit, undoable."""
        editor = self.room.editor
        block = editor.document().findBlock(block_position)
        text = block.text()
        prefix16 = len(text[:start].encode("utf-16-le")) // 2
        length16 = len(text[start:end].encode("utf-16-le")) // 2
        cursor = editor.textCursor()
        cursor.setPosition(block.position() + prefix16)
        cursor.setPosition(block.position() + prefix16 + length16, QTextCursor.MoveMode.KeepAnchor)
        with editor.intent(EditIntent(How.REPLACE)):
            cursor.beginEditBlock()
            cursor.insertText(word)
            cursor.endEditBlock()

    def add_word(self, word: str) -> None:
        self.personal.add(word.replace("’", "'"))
        self.marks.word_added(word)


def attach_spelling(room: WritingRoom) -> Spelling:
    """Spelling marks for the room's editor: Edit > Spelling, and the context menu."""
    return Spelling(room)
