"""The status bar: the model's state (loading, ready, generating, error) and counts."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget


class ModelState(StrEnum):
    NONE = "none"
    LOADING = "loading"
    READY = "ready"
    GENERATING = "generating"
    ERROR = "error"
    OFF = "off"


class DraftStatusBar(QStatusBar):
    """Shows model state with a progress bar while loading, tokens/s, and word count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = ModelState.NONE
        self.model_label = QLabel("No model", self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(140)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.speed_label = QLabel("", self)
        self.authorship_label = QLabel("", self)
        self.words_label = QLabel("0 words", self)
        self.addWidget(self.model_label)
        self.addWidget(self.progress)
        self.addWidget(self.speed_label)
        self.addPermanentWidget(self.authorship_label)
        self.addPermanentWidget(self.words_label)

    def set_model_state(self, state: ModelState, detail: str = "") -> None:
        self.state = state
        text = {
            ModelState.NONE: "No model",
            ModelState.LOADING: f"Loading {detail}…",
            ModelState.READY: f"● {detail} ready",
            ModelState.GENERATING: f"● {detail} writing…",
            ModelState.ERROR: f"Model unavailable: {detail}",
            ModelState.OFF: "Suggestions off",
        }[state]
        self.model_label.setText(text)
        self.model_label.setToolTip(detail)
        colour = {"error": "#9b1c1c", "ready": "#2e6b34", "generating": "#2f5d8a"}.get(
            state.value, ""
        )
        self.model_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.progress.setVisible(state is ModelState.LOADING)

    def set_progress(self, fraction: float) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def set_speed(self, tokens_per_s: float | None) -> None:
        self.speed_label.setText(f"{tokens_per_s:.0f} tok/s" if tokens_per_s else "")

    def set_word_count(self, words: int, characters: int) -> None:
        self.words_label.setText(f"{words:,} words · {characters:,} characters")
