"""Start the window: Qt first, everything heavy later and in the background."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def run_window(file: Path | None, *, model_path: Path | None, load_model: bool = True) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.crash import install_crash_handler
    from app.logs import setup_logging
    from app.settings import Settings
    from app.writing_room import WritingRoom

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Draftsmith")
    app.setApplicationDisplayName("Draftsmith")
    setup_logging(paths.logs_dir())
    install_crash_handler()
    settings = Settings(paths.settings_path())
    room = WritingRoom(settings, model_path=model_path, load_model=load_model)
    room.show()
    if file is not None:
        if file.exists():
            room.session.open_path(file)
        else:
            room.session.start_at(file)
    app.aboutToQuit.connect(room.shutdown)
    return app.exec()
