"""The status bar: the model's state (loading, ready, generating, error) and counts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from ui.theme import restyle

#: Pixels the model's state may take before it is shortened with an ellipsis.
MODEL_LABEL_MAX_WIDTH = 420


#: What the model label says for each state the app reports (`app.model_service.ModelState`
#: values, plain strings here so that widgets need nothing from the app).
STATE_TEXT = {
    "none": "No model",
    "loading": "Loading {detail}…",
    "ready": "● {detail} ready",
    "generating": "● {detail} writing…",
    "error": "Model unavailable: {detail}",
    "off": "Suggestions off",
}


class DraftStatusBar(QStatusBar):
    """Shows model state with a progress bar while loading, tokens/s, and word count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "none"
        self.model_label = QLabel("No model", self)
        self.model_label.setObjectName("ModelState")  # the theme colours it by its state
        self.model_label.setProperty("state", self.state)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(140)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.speed_label = QLabel("", self)
        self.roles_label = QLabel("", self)  # which model does which task
        self.roles_label.setObjectName("ModelRoles")
        self.authorship_label = QLabel("", self)
        self.words_label = QLabel("0 words", self)
        self.addWidget(self.model_label)
        self.addWidget(self.progress)
        self.addWidget(self.speed_label)
        self.addWidget(self.roles_label)
        self.addPermanentWidget(self.authorship_label)
        self.addPermanentWidget(self.words_label)

    def set_model_state(self, state: str, detail: str = "") -> None:
        """Show the model's state: one of `STATE_TEXT`'s keys, with its detail."""
        state = str(state)
        self.state = state
        text = STATE_TEXT.get(state, "{detail}").format(detail=detail)
        # A long reason must not widen the window: it is shortened here, whole in the tooltip.
        shown = self.model_label.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, MODEL_LABEL_MAX_WIDTH
        )
        self.model_label.setText(shown)
        self.model_label.setToolTip(detail)
        if self.model_label.property("state") != state:
            self.model_label.setProperty("state", state)
            restyle(self.model_label)
        self.progress.setVisible(state == "loading")

    def set_roles(self, roles: dict[str, str]) -> None:
        """Say which model does what: {"suggest": name, "rewrite": name, "brainstorm": name}."""
        suggest = roles.get("suggest", "none")
        rewrite, brainstorm = roles.get("rewrite", ""), roles.get("brainstorm", "")
        copy = f"{suggest} (a copy of its own)"
        if rewrite == brainstorm:
            long = "same model" if rewrite == copy else rewrite
            long = f"Rewrite & brainstorm: {long}"
        else:
            long = f"Rewrite: {rewrite} · Brainstorm: {brainstorm}"
        full = f"Suggestions: {suggest} · {long}"
        # The model label beside it already names the suggestion model: show the rest.
        self.roles_label.setText(
            self.roles_label.fontMetrics().elidedText(
                long, Qt.TextElideMode.ElideRight, MODEL_LABEL_MAX_WIDTH
            )
        )
        self.roles_label.setToolTip(full)

    def set_progress(self, fraction: float) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def set_speed(self, tokens_per_s: float | None) -> None:
        self.speed_label.setText(f"{tokens_per_s:.0f} tok/s" if tokens_per_s else "")

    def set_word_count(self, words: int, characters: int) -> None:
        self.words_label.setText(f"{words:,} words · {characters:,} characters")
