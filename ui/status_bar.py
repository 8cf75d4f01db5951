"""The status bar: the model's state (loading, ready, generating, error) and counts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from ui.text_stats import READING_WPM, reading_minutes
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
        self.words_label.setObjectName("WordCount")
        self.words = self.characters = 0
        self.goal = 0
        self.goal_per_session = False
        self._session_base: int | None = None
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
        """Show the counts (Markdown's marks are not words), reading time and the goal."""
        self.words, self.characters = words, characters
        if self._session_base is None:
            self._session_base = words
        minutes = reading_minutes(words)
        parts = [f"{words:,} word{'s' if words != 1 else ''}"]
        if self.goal > 0:
            written = max(0, words - self._session_base) if self.goal_per_session else words
            share = min(100, round(100 * written / self.goal))
            whose = "today" if self.goal_per_session else "of the goal"
            parts = [f"{words:,} words", f"{written:,} / {self.goal:,} {whose} ({share}%)"]
            self.words_label.setProperty("goal", "met" if written >= self.goal else "open")
            restyle(self.words_label)
        parts.append(f"{minutes} min read" if minutes else "")
        parts.append(f"{characters:,} characters")
        self.words_label.setText(" · ".join(p for p in parts if p))
        self.words_label.setToolTip(
            f"Reading time at {READING_WPM} words a minute. "
            "Markdown's marks (#, -, *, >) and list numbers are not counted as words."
        )

    def set_goal(self, words: int, *, per_session: bool) -> None:
        """A word-count goal for the document (or for the words added this session);
        0 for none."""
        self.goal = max(0, words)
        self.goal_per_session = per_session
        self.set_word_count(self.words, self.characters)

    def start_session(self) -> None:
        """A document opened: the session's words count from its length now."""
        self._session_base = None
