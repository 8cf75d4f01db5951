"""Edit > Preferences…: every setting is editable there, changes are saved and take effect."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QPlainTextEdit, QSpinBox

from app import paths
from app.preferences import FIELDS, apply_preferences, open_preferences
from app.settings import OPTIONS, Settings
from ui.theme import is_dark


def test_every_setting_has_a_place_in_the_dialog() -> None:
    assert set(OPTIONS) <= set(FIELDS), set(OPTIONS) - set(FIELDS)


def test_the_dialog_shows_every_setting_and_saves_changes(writing_room, qtbot) -> None:
    dialog = open_preferences(writing_room)
    qtbot.addWidget(dialog)
    assert set(dialog.editors) == set(OPTIONS)
    size = dialog.editors["editor_font_size"]
    assert isinstance(size, QSpinBox)
    size.setValue(17)
    styling = dialog.editors["markdown_styling"]
    assert isinstance(styling, QCheckBox) and styling.isChecked()
    styling.setChecked(False)
    folders = dialog.editors["model_folders"]
    assert isinstance(folders, QPlainTextEdit)
    folders.setPlainText("/models/one\n\n/models/“two” 😀\n")
    servers = dialog.editors["model_servers"]
    assert isinstance(servers, QPlainTextEdit)
    servers.setPlainText('[{"url": "http://localhost:8080", "model": "m"}')  # not closed
    dialog.accept()
    assert dialog.isVisible()  # refused: the JSON does not parse
    assert "Servers" in dialog.problem.text()
    servers.setPlainText('[{"url": "http://localhost:8080", "model": "m"}]')
    dialog.accept()
    assert not dialog.isVisible()
    settings = writing_room.settings
    assert settings["editor_font_size"] == 17
    assert writing_room.editor.font().pointSize() == 17
    assert settings["model_folders"] == ["/models/one", "/models/“two” 😀"]
    assert settings["model_servers"] == [{"url": "http://localhost:8080", "model": "m"}]
    assert not writing_room.editor.styler.markdown
    saved = json.loads(paths.settings_path().read_text(encoding="utf-8"))
    assert saved["editor_font_size"] == 17 and saved["markdown_styling"] is False
    assert Settings(paths.settings_path()).problems == []


def test_the_theme_choice_applies_at_once_and_at_the_next_start(writing_room, qtbot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    dialog = open_preferences(writing_room)
    qtbot.addWidget(dialog)
    theme = dialog.editors["theme"]
    assert isinstance(theme, QComboBox) and theme.currentData() == "system"
    theme.setCurrentIndex(theme.findData("dark"))
    dialog.accept()
    assert is_dark(app)
    assert writing_room.editor.styler.dark
    assert Settings(paths.settings_path())["theme"] == "dark"
    apply_preferences(writing_room, {"theme": "light"})
    assert not is_dark(app)
    assert not writing_room.editor.styler.dark
    apply_preferences(writing_room, {"theme": "system"})


@pytest.mark.parametrize("key", ["editor_max_width", "suggestion_delay_ms"])
def test_restore_defaults_puts_back_the_declared_default(writing_room, qtbot, key) -> None:
    writing_room.settings.set(key, 123)
    dialog = open_preferences(writing_room)
    qtbot.addWidget(dialog)
    dialog.restore_defaults()
    assert dialog.changes()[key] == OPTIONS[key].default
