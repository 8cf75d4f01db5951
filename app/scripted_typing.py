"""A test-only hook: the running window types a script, for the crash soak test.

Set `DRAFTSMITH_SCRIPTED_TYPING` to a JSON file `{"text": ..., "interval_ms": 10,
"save_every": 0, "suggest_every": 0, "export_every": 0, "export_to": null}` and the
window (once its file is open) types the part of `text` it does not show yet at the
end of the document, one key press per tick. Each time the text's length passes a
multiple of `suggest_every` it accepts the next few characters as a model's suggestion
instead; of `save_every`, it saves; of `export_every`, it exports HTML to `export_to`
in the background (0: never). So a restarted window goes on where the journal was. It prints
one line per fact to stdout, flushed: `ready N` (characters shown at the start),
`journaled N` (a journal flush covering the first N characters has committed),
`saved N`, `exported`, `done N`. Nothing else uses it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from app.document_session import DocumentSession
from memory.events import Author, How, SourceKind
from ui.editor import DraftEditor, EditIntent

#: The author of the "suggestions" the hook accepts (no model is loaded).
MODEL = Author(SourceKind.MODEL, "Scripted model", "5c" * 32)


class Room(Protocol):
    """What the hook needs of `app.writing_room.WritingRoom`."""

    editor: DraftEditor
    session: DocumentSession
    exported: Any  # Signal(list)

    def export_document(self, fmt: str, suffix: str, out: Path | None = None) -> object: ...


ENV = "DRAFTSMITH_SCRIPTED_TYPING"


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def start(room: Room) -> None:
    script = json.loads(Path(os.environ[ENV]).read_text(encoding="utf-8"))
    text: str = script["text"]
    save_every = int(script.get("save_every", 0))
    suggest_every = int(script.get("suggest_every", 0))
    export_every = int(script.get("export_every", 0))
    export_to = Path(script["export_to"]) if script.get("export_to") else None
    timer = QTimer(room.session)
    timer.setInterval(int(script.get("interval_ms", 10)))
    room.session.journaled.connect(lambda n: _say(f"journaled {n}"))
    room.exported.connect(lambda _paths: _say("exported"))

    def passes(every: int, before: int, after: int) -> bool:
        return bool(every) and before // every != after // every

    def begin() -> None:
        shown = room.editor.toPlainText()
        _say(f"ready {len(shown)}")
        cursor = room.editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        room.editor.setTextCursor(cursor)
        timer.start()

    def tick() -> None:
        typed = len(room.editor.toPlainText())
        if typed >= len(text):
            timer.stop()
            room.session.flush()
            _say(f"done {typed}")
            return
        if passes(suggest_every, typed, typed + 1):
            room.editor.insert_as(text[typed : typed + 8], EditIntent(How.SUGGESTION, author=MODEL))
        else:
            char = text[typed]
            key = Qt.Key.Key_Return if char == "\n" else Qt.Key(0)
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
                QApplication.sendEvent(room.editor, event)
        now = len(room.editor.toPlainText())
        if passes(save_every, typed, now) and room.session.path is not None:
            if room.session.save():
                _say(f"saved {now}")
        if passes(export_every, typed, now) and export_to is not None:
            room.export_document("html", ".html", out=export_to)

    timer.timeout.connect(tick)
    QTimer.singleShot(0, begin)  # after `draftsmith FILE` has opened its file
