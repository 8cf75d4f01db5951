"""A small dialog with characters and shares by origin, for the document or a selection."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from memory.origins import vocabulary


def share_rows(counts: dict[str, int]) -> list[tuple[str, int, float]]:
    """(origin's description, characters, percent) for each origin present, largest first."""
    total = sum(counts.values())
    words = vocabulary()
    rows = [
        (words[label].description, count, 100.0 * count / total if total else 0.0)
        for label, count in counts.items()
        if count
    ]
    return sorted(rows, key=lambda row: -row[1])


class AuthorshipStatsDialog(QDialog):
    """Shows who wrote how much of the text (or of the selection)."""

    def __init__(self, counts: dict[str, int], scope: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Authorship Statistics")
        layout = QVBoxLayout(self)
        total = sum(counts.values())
        layout.addWidget(QLabel(f"<b>{scope}</b>: {total:,} characters", self))
        rows = share_rows(counts)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Origin", "Characters", "Share"])
        self.table.verticalHeader().hide()
        for row, (legend, count, percent) in enumerate(rows):
            for column, value in enumerate((legend, f"{count:,}", f"{percent:.1f}%")):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(380, 260)
