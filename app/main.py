"""Start the window: Qt first, everything heavy later and in the background.

Start-up never fails for want of a writable data folder: logging falls back to stderr,
settings stay in memory, the library to an in-memory one, each said in a plain message.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.writing_room import WritingRoom


def open_window(
    file: Path | None, *, model_path: Path | None, load_model: bool = True
) -> tuple[QApplication, WritingRoom]:
    """Create the application and its window (shown, with `file` open) without running
    the event loop."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from PySide6.QtWidgets import QApplication

    from ui.module_sources import keep_sources_out_of_memory

    keep_sources_out_of_memory()  # before the app's modules are imported
    from app import messages, paths
    from app.crash import install_crash_handler
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
    folder_problem = paths.data_dir_problem()
    log_problem = setup_logging(paths.logs_dir())
    if folder_problem:
        messages.warning(folder_problem, id="data-folder")
    elif log_problem:
        messages.warning(log_problem, id="data-folder")
    install_crash_handler()
    settings = Settings(paths.settings_path())
    if folder_problem:
        settings.unsaved = folder_problem  # said once above; settings.save() stays quiet
    # The window paints before the model, the memory and the spelling start behind it.
    room = WritingRoom(
        settings, model_path=model_path, load_model=load_model, background_after_paint=True
    )
    room.show()
    if file is None and settings["reopen_last_document"]:
        file = next((Path(p) for p in room.state.recent_files if Path(p).exists()), None)
    if file is not None:
        if file.is_dir():
            room.projects.open_folder(file)
        elif file.exists():
            room.session.open_path(file)
        else:
            room.session.start_at(file)
    return app, room


def run_window(file: Path | None, *, model_path: Path | None, load_model: bool = True) -> int:
    from app.interrupts import InterruptHandler

    app, room = open_window(file, model_path=model_path, load_model=load_model)

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
