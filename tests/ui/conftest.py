"""tests/ui switch themes: each test leaves the application's look as it found it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def application_look(qapp: QApplication) -> Iterator[None]:
    sheet, palette = qapp.styleSheet(), qapp.palette()
    names = ("draftsmithTheme", "draftsmithDark", "draftsmithSystemDark")
    properties = {name: qapp.property(name) for name in names}
    yield
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    for name, value in properties.items():
        qapp.setProperty(name, value)
