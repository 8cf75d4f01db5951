"""Start the window: Qt first, everything heavy later and in the background."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def run_window(file: Path | None, *, model_path: Path | None, load_model: bool = True) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from PySide6.QtWidgets import QApplication

    from app import messages, paths
    from app.crash import install_crash_handler
    from app.interrupts import InterruptHandler
    from app.logs import setup_logging
    from app.settings import Settings
    from app.writing_room import WritingRoom
    from ui.theme import app_icon, apply_theme

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Draftsmith")
    app.setApplicationDisplayName("Draftsmith")
    app.setDesktopFileName("draftsmith")
    app.setWindowIcon(app_icon())
    apply_theme(app)
    log_problem = setup_logging(paths.logs_dir())
    if log_problem:
        messages.warning(log_problem)
    install_crash_handler()
    settings = Settings(paths.settings_path())
    room = WritingRoom(settings, model_path=model_path, load_model=load_model)
    room.show()
    if file is not None:
        if file.exists():
            room.session.open_path(file)
        else:
            room.session.start_at(file)

    def close_on_signal(_signum: int) -> None:
        room.shutdown()  # journal flushed, model released, database closed
        app.exit(0)

    interrupts = InterruptHandler(close_on_signal)
    interrupts.install()
    app.aboutToQuit.connect(room.shutdown)
    try:
        return app.exec()
    finally:
        interrupts.uninstall()
