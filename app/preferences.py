"""Preferences in the running app: every declared setting, editable in one dialog.

`FIELDS` says how each of `app.settings.OPTIONS` is shown (its group, words, range);
a setting without an entry here is a test failure, so a new setting cannot be left out
of the dialog. `apply_preferences` saves the changes and puts the ones that can take
effect at once into effect (theme, font, column, Markdown styling, suggestions, name);
the model's settings apply when a model next loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtWidgets import QApplication

from app.settings import OPTIONS, Settings
from app.spelling import LANGUAGES
from ui.editor import DraftEditor, writing_font
from ui.preferences import PreferenceField, PreferencesDialog
from ui.theme import apply_theme, chosen_theme

if TYPE_CHECKING:
    from app.document_session import DocumentSession
    from ui.main_window import MainWindow


class WritingRoom(Protocol):
    """What preferences need of `app.writing_room.WritingRoom` (no import circle)."""

    settings: Settings
    editor: DraftEditor
    window: MainWindow
    session: DocumentSession

    def set_writer_name(self, name: str) -> None: ...


THEMES = (("system", "As the system is"), ("light", "Light"), ("dark", "Dark"))


@dataclass(frozen=True)
class Shown:
    """How one setting is shown: its label, tab and range."""

    label: str
    group: str
    minimum: float = 0
    maximum: float = 1_000_000
    step: float = 1
    suffix: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    font: bool = False
    lines: bool = False


APPEARANCE, WRITING, SUGGESTIONS, MODELS = "Appearance", "Writing", "Suggestions", "Models"

FIELDS: dict[str, Shown] = {
    "theme": Shown("Theme", APPEARANCE, choices=THEMES),
    "editor_font_family": Shown("Font", APPEARANCE, font=True),
    "editor_font_size": Shown("Size", APPEARANCE, 6, 48, suffix=" pt"),
    "editor_max_width": Shown("Column width", APPEARANCE, 0, 4000, 20, " px"),
    "markdown_styling": Shown("Style Markdown", APPEARANCE),
    "writer_name": Shown("Your name", WRITING),
    "continue_lists": Shown("Continue lists", WRITING),
    "smart_punctuation": Shown("Smart quotes and dashes", WRITING),
    "reopen_last_document": Shown("Reopen last document", WRITING),
    "markdown_authorship_block": Shown("Authorship block", WRITING),
    "autosave_interval_ms": Shown("Journal every", WRITING, 200, 60_000, 100, " ms"),
    "word_goal": Shown("Word goal", WRITING, 0, 1_000_000, 100, " words"),
    "word_goal_per_session": Shown("Goal per session", WRITING),
    "spelling_enabled": Shown("Check spelling", WRITING),
    "spelling_language": Shown("Spelling language", WRITING, choices=tuple(LANGUAGES.items())),
    "suggestions_enabled": Shown("Offer suggestions", SUGGESTIONS),
    "suggestion_delay_ms": Shown("Pause before", SUGGESTIONS, 0, 10_000, 50, " ms"),
    "suggestion_max_tokens": Shown("Longest", SUGGESTIONS, 1, 512, suffix=" tokens"),
    "suggestion_max_sentences": Shown("Sentences", SUGGESTIONS, 1, 10),
    "temperature": Shown("Temperature", SUGGESTIONS, 0.0, 2.0, 0.05),
    "model_path": Shown("Model file", MODELS),
    "model_threads": Shown("CPU threads", MODELS, 0, 256),
    "context_tokens": Shown("Context", MODELS, 256, 131_072, 256, " tokens"),
    "model_folders": Shown("More model folders", MODELS, lines=True),
    "model_servers": Shown("Servers (JSON)", MODELS),
    "task_models": Shown("Model per task (JSON)", MODELS),
}


def preference_fields(settings: Settings) -> list[PreferenceField]:
    """Every declared setting that the dialog knows how to show, in `FIELDS` order."""
    fields = []
    for key, shown in FIELDS.items():
        option = OPTIONS.get(key)
        if option is None:
            continue  # a setting of a part not built into this checkout
        value = settings.writer_name if key == "writer_name" else settings[key]
        fields.append(
            PreferenceField(
                key=key,
                label=shown.label,
                description=option.description,
                kind=option.kind,
                value=value,
                default=option.default,
                group=shown.group,
                choices=shown.choices,
                minimum=shown.minimum,
                maximum=shown.maximum,
                step=shown.step,
                suffix=shown.suffix,
                font=shown.font,
                lines=shown.lines,
            )
        )
    return fields


def theme_choice(value: object) -> bool | None:
    """The `theme` setting as `apply_theme` takes it: None follows the system."""
    return {"light": False, "dark": True}.get(str(value))


def apply_appearance(room: WritingRoom) -> None:
    """Put the look in the settings into effect: theme, font, column, Markdown."""
    settings = room.settings
    app = QApplication.instance()
    wanted = str(settings["theme"])
    # Before any theme, Qt's own look is the system's: "system" needs nothing then.
    if isinstance(app, QApplication) and wanted != (chosen_theme(app) or "system"):
        apply_theme(app, theme_choice(wanted))
    editor = room.editor
    font = writing_font(int(settings["editor_font_size"]), str(settings["editor_font_family"]))
    if font != editor.font():
        editor.setFont(font)
    editor.set_max_text_width(int(settings["editor_max_width"]))
    editor.styler.set_markdown(bool(settings["markdown_styling"]))
    room.window.status.set_goal(
        int(settings["word_goal"]), per_session=bool(settings["word_goal_per_session"])
    )


def apply_preferences(room: WritingRoom, changes: dict[str, Any]) -> None:
    """Save `changes` and apply what can take effect now."""
    settings = room.settings
    for key, value in changes.items():
        if key == "writer_name":
            if value:
                room.set_writer_name(str(value))
            continue
        settings.set(key, value)
    appearance = {
        "theme",
        "editor_font_family",
        "editor_font_size",
        "editor_max_width",
        "markdown_styling",
        "word_goal",
        "word_goal_per_session",
    }
    if appearance & changes.keys():
        apply_appearance(room)
    if "suggestions_enabled" in changes:
        room.window.suggestions_toggle.setChecked(bool(changes["suggestions_enabled"]))
    if "suggestion_delay_ms" in changes:
        room.editor.set_pause_interval(int(changes["suggestion_delay_ms"]))
    spelling = getattr(room, "spelling", None)
    if "spelling_enabled" in changes and spelling is not None:
        spelling.check_action.setChecked(bool(changes["spelling_enabled"]))
    if "continue_lists" in changes or "smart_punctuation" in changes:
        setter = getattr(room.editor, "set_writing_aids", None)
        if setter is not None:
            setter(
                continue_lists=bool(settings["continue_lists"]),
                smart_punctuation=bool(settings["smart_punctuation"]),
            )


def open_preferences(room: WritingRoom) -> PreferencesDialog:
    """Show the dialog; OK saves and applies the changes."""
    dialog = PreferencesDialog(preference_fields(room.settings), room.window)
    dialog.accepted.connect(lambda: apply_preferences(room, dialog.changes()))
    dialog.open()
    return dialog


def attach_preferences(room: WritingRoom) -> None:
    """Edit > Preferences… (Ctrl+,) opens the dialog; the look from the settings now."""
    room.window.preferences_action.triggered.connect(lambda: open_preferences(room))
    room.session.opened.connect(room.window.status.start_session)
    apply_appearance(room)
