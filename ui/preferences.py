"""Edit > Preferences…: every setting, in groups, each with its description.

The dialog knows nothing about the settings file: the app gives it plain
`PreferenceField`s (key, words, kind, current value) and applies what `changes()`
returns. Lists and tables (model folders, servers, task models) are edited as text:
folders one a line, the rest as JSON, checked before the dialog can be accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFontComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class PreferenceField:
    """One setting as the dialog shows it."""

    key: str
    label: str
    description: str
    kind: type
    value: Any
    default: Any
    group: str = "General"
    choices: tuple[tuple[str, str], ...] = ()  # (value, words) for a drop-down
    minimum: float = 0
    maximum: float = 1_000_000
    step: float = 1
    suffix: str = ""
    font: bool = False  # a typeface chooser ("" for the default)
    lines: bool = False  # a list of strings, one a line
    extra: dict[str, Any] = field(default_factory=dict)


class PreferencesDialog(QDialog):
    """The settings in tabs by group; OK is refused while a JSON field does not parse."""

    def __init__(self, fields: list[PreferenceField], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("Preferences")
        self.fields = {f.key: f for f in fields}
        self.editors: dict[str, QWidget] = {}
        tabs = QTabWidget(self)
        forms: dict[str, QFormLayout] = {}
        for item in fields:
            form = forms.get(item.group)
            if form is None:
                page = QWidget(tabs)
                form = QFormLayout(page)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
                tabs.addTab(page, item.group)
                forms[item.group] = form
            editor = self._editor_for(item)
            editor.setObjectName(f"pref-{item.key}")
            editor.setToolTip(item.description)
            self.editors[item.key] = editor
            label = QLabel(item.label, self)
            label.setToolTip(item.description)
            label.setBuddy(editor)
            form.addRow(label, editor)
            note = QLabel(item.description, self)
            note.setWordWrap(True)
            note.setObjectName("PreferenceNote")
            note.setEnabled(False)  # drawn in the muted colour
            note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            form.addRow("", note)
        self.problem = QLabel("", self)
        self.problem.setObjectName("PreferenceProblem")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.defaults_button = QPushButton("Restore Defaults", self)
        buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.defaults_button.clicked.connect(self.restore_defaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.tabs = tabs
        self.resize(620, 520)

    # --- one editor per kind ------------------------------------------------------
    def _editor_for(self, item: PreferenceField) -> QWidget:
        widget: QWidget
        if item.choices:
            combo = QComboBox(self)
            for value, words in item.choices:
                combo.addItem(words, value)
            widget = combo
        elif item.font:
            fonts = QFontComboBox(self)
            fonts.setEditable(True)
            line = fonts.lineEdit()
            if line is not None:
                line.setPlaceholderText("A readable serif (the default)")
            widget = fonts
        elif item.kind is bool:
            widget = QCheckBox(self)
        elif item.kind is int:
            spin = QSpinBox(self)
            spin.setRange(int(item.minimum), int(item.maximum))
            spin.setSingleStep(int(item.step))
            spin.setSuffix(item.suffix)
            widget = spin
        elif item.kind is float:
            real = QDoubleSpinBox(self)
            real.setRange(item.minimum, item.maximum)
            real.setSingleStep(item.step)
            real.setDecimals(2)
            widget = real
        elif item.kind is str:
            widget = QLineEdit(self)
        else:  # lists and tables as text
            text = QPlainTextEdit(self)
            text.setTabChangesFocus(True)
            text.setFixedHeight(90)
            text.textChanged.connect(self._check)
            widget = text
        self._show(item, widget, item.value)
        return widget

    def _show(self, item: PreferenceField, widget: QWidget, value: Any) -> None:
        if isinstance(widget, QComboBox) and item.choices:
            index = widget.findData(value)
            widget.setCurrentIndex(max(0, index))
        elif isinstance(widget, QFontComboBox):
            if value:
                widget.setCurrentFont(QFont(str(value)))
            else:
                widget.setEditText("")
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QDoubleSpinBox):
            widget.setValue(float(value))
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))
        elif isinstance(widget, QPlainTextEdit):
            if item.lines:
                widget.setPlainText("\n".join(str(v) for v in value))
            else:
                widget.setPlainText(json.dumps(value, indent=2) if value else "")

    def _read(self, key: str) -> Any:
        """The value shown for `key`; ValueError (plain words) when it cannot be read."""
        item = self.fields[key]
        widget = self.editors[key]
        if isinstance(widget, QComboBox) and item.choices:
            return widget.currentData()
        if isinstance(widget, QFontComboBox):
            return widget.currentText().strip()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QSpinBox):
            return widget.value()
        if isinstance(widget, QDoubleSpinBox):
            return round(widget.value(), 2)
        if isinstance(widget, QLineEdit):
            return widget.text().strip()
        if isinstance(widget, QPlainTextEdit):
            text = widget.toPlainText().strip()
            if item.lines:
                return [line.strip() for line in text.splitlines() if line.strip()]
            if not text:
                return item.kind()
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                where = f"{exc.msg}, line {exc.lineno}"
                raise ValueError(f"{item.label}: not valid JSON ({where}).") from None
            if not isinstance(value, item.kind):
                kind = "a list [ … ]" if item.kind is list else "an object { … }"
                raise ValueError(f"{item.label}: should be {kind}.")
            return value
        raise TypeError(f"no editor for {key}")

    # --- results --------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Every setting as shown now (ValueError when one cannot be read)."""
        return {key: self._read(key) for key in self.fields}

    def changes(self) -> dict[str, Any]:
        """The settings the writer changed."""
        return {k: v for k, v in self.values().items() if v != self.fields[k].value}

    def restore_defaults(self) -> None:
        for key, item in self.fields.items():
            self._show(item, self.editors[key], item.default)

    def _check(self) -> bool:
        if len(self.editors) < len(self.fields):
            return True  # still being built
        try:
            self.values()
        except ValueError as exc:
            self.problem.setText(str(exc))
            return False
        self.problem.setText("")
        return True

    def accept(self) -> None:
        if self._check():
            super().accept()
