"""The writer's preferences, declared once with defaults and descriptions.

Settings live in `settings.json` in the data folder. Unknown keys and values of the
wrong type are rejected with a plain message (and the default kept), so a hand-edited
file can never break start-up. Window state (size, recent files) is kept apart, in
`app.window_state`.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import messages
from app.files import FileProblem, write_text_atomically

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Option:
    default: Any
    kind: type
    description: str


def account_full_name() -> str:
    """The account's full name (the GECOS field on Unix), falling back to the login name.

    `pwd` exists only on Unix, so it is imported here and only there: start-up imports
    nothing Linux-only."""
    full = ""
    if os.name == "posix":
        try:
            import pwd

            full = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip()
        except (ImportError, KeyError, OSError):
            full = ""
    try:
        login = getpass.getuser()
    except (ImportError, KeyError, OSError):
        login = ""
    return full or login or "Writer"


OPTIONS: dict[str, Option] = {
    "writer_name": Option("", str, "Your name, used to attribute the text you type."),
    "model_path": Option("", str, "A GGUF model file to use; empty means the bundled model."),
    "suggestions_enabled": Option(True, bool, "Offer inline suggestions when you pause."),
    "suggestion_delay_ms": Option(250, int, "Pause (milliseconds) before a suggestion starts."),
    "suggestion_max_tokens": Option(24, int, "Longest suggestion, in model tokens."),
    "suggestion_max_sentences": Option(
        1, int, "A suggestion ends after this many sentences (or at the end of a line)."
    ),
    "temperature": Option(0.7, float, "Sampling temperature: lower is more predictable."),
    "model_threads": Option(
        0,
        int,
        "CPU threads for the model; 0 chooses automatically (every core, up to 8, to read "
        "the text, and one fewer to write, so the window keeps a core).",
    ),
    "context_tokens": Option(2048, int, "Model context window, in tokens."),
    "editor_font_size": Option(13, int, "Editor font size, in points."),
    "editor_max_width": Option(760, int, "Widest line of text, in pixels; 0 for full width."),
    "editor_font_family": Option("", str, "The editor's typeface; empty chooses a serif."),
    "theme": Option("system", str, 'Colours: "system" (follow the desktop), "light" or "dark".'),
    "markdown_styling": Option(
        True, bool, "Style Markdown as you type: headings, emphasis, code, links, lists."
    ),
    "spelling_enabled": Option(True, bool, "Underline misspelled words as you type."),
    "spelling_language": Option(
        "en", str, 'Spelling language for new documents ("en", "de", "fr", "es", ...).'
    ),
    "word_goal": Option(0, int, "A word-count goal shown in the status bar; 0 for none."),
    "word_goal_per_session": Option(
        False, bool, "Count the goal in words written since the document opened."
    ),
    "autosave_interval_ms": Option(1000, int, "How often unsaved typing is journaled."),
    "continue_lists": Option(True, bool, "Enter on a list item or quote starts the next one."),
    "smart_punctuation": Option(
        False, bool, 'Curly quotes and dashes as you type ("--" is an en dash).'
    ),
    "reopen_last_document": Option(
        False, bool, "At launch with no file named, reopen the document or project last open."
    ),
    "markdown_authorship_block": Option(
        True, bool, "Write the authorship block into saved Markdown files."
    ),
    "model_folders": Option([], list, "More folders to look in for GGUF model files."),
    "model_servers": Option(
        [],
        list,
        'OpenAI-compatible servers, each {"url": ..., "model": ...}; API keys are kept in '
        "the system keyring, never here.",
    ),
    "task_models": Option(
        {},
        dict,
        'Which model does each task ("suggest", "rewrite", "brainstorm"): "bundled", a GGUF '
        'path, or "server:URL#MODEL"; missing means the suggestion model (for suggest: '
        "model_path).",
    ),
}


class Settings:
    """Typed access to the preferences file; every write is atomic.

    A change that cannot be written is kept in memory for the session and reported once
    as a message; it never raises into the UI."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []
        self.unsaved: str = ""  # why the last write failed, "" when the file is current
        self._values: dict[str, Any] = {k: o.default for k, o in OPTIONS.items()}
        self._load()

    def _load(self) -> None:
        try:
            if not self.path.exists():
                return
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("the file does not hold a JSON object")
        except (OSError, ValueError) as exc:
            self.problems.append(
                f"Settings file {self.path} could not be read ({exc}); using the defaults."
            )
            return
        for key, value in raw.items():
            option = OPTIONS.get(key)
            if option is None:
                self.problems.append(f"Unknown setting '{key}' ignored.")
                continue
            if option.kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, option.kind) or (
                option.kind is int and isinstance(value, bool)
            ):
                self.problems.append(
                    f"Setting '{key}' should be {option.kind.__name__}; kept the default."
                )
                continue
            self._values[key] = value

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def set(self, key: str, value: Any) -> None:
        option = OPTIONS.get(key)
        if option is None:
            raise KeyError(f"unknown setting {key!r}")
        if not isinstance(value, option.kind):
            raise TypeError(f"setting {key!r} takes {option.kind.__name__}")
        self._values[key] = value
        self.save()

    def save(self) -> bool:
        """Write the changed settings; False (and a plain reason in `unsaved`) on failure."""
        changed = {k: v for k, v in self._values.items() if v != OPTIONS[k].default}
        try:
            write_text_atomically(self.path, json.dumps(changed, indent=2, sort_keys=True) + "\n")
        except (FileProblem, OSError) as exc:
            first = not self.unsaved
            reason = exc.reason if isinstance(exc, FileProblem) and exc.reason else str(exc)
            self.unsaved = (
                f"Your settings could not be saved to {self.path} ({reason}). "
                "They apply until you quit."
            )
            log.warning("settings not saved: %s", exc)
            if first:
                messages.warning(self.unsaved, id="settings-unsaved")
            return False
        if self.unsaved:
            messages.retract("settings-unsaved")
        self.unsaved = ""
        return True

    @property
    def writer_name(self) -> str:
        return self._values["writer_name"] or account_full_name()
