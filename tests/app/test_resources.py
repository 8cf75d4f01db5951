"""What ships in resources/: the icon, the desktop entry and its installer, the theme."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

import resources
from resources.install_desktop import desktop_entry, exec_argument
from ui import theme

ROOT = Path(__file__).resolve().parents[2]
ICON_FILES = [
    "64x64/apps/draftsmith.png",
    "128x128/apps/draftsmith.png",
    "256x256/apps/draftsmith.png",
    "scalable/apps/draftsmith.svg",
]


def _desktop_keys(text: str) -> dict[str, str]:
    lines = text.splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line and not line.startswith("#"))


def _validate(path: Path) -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        return  # desktop-file-utils is optional
    result = subprocess.run([validator, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout


# --- the desktop entry ------------------------------------------------------------------


def test_desktop_entry_describes_draftsmith() -> None:
    keys = _desktop_keys(resources.read_text("draftsmith.desktop"))
    assert keys["Type"] == "Application"
    assert keys["Name"] == "Draftsmith"
    assert keys["GenericName"] == "Writing Assistant"
    assert keys["Comment"]
    assert keys["Exec"] == "draftsmith %f"  # the command line takes one file
    assert keys["Icon"] == "draftsmith"
    assert keys["Terminal"] == "false"
    assert keys["Categories"] == "Office;WordProcessor;TextEditor;"
    assert keys["MimeType"] == "text/markdown;text/plain;"
    assert keys["StartupWMClass"] == "Draftsmith"  # the window's WM_CLASS (application name)
    _validate(resources.path("draftsmith.desktop"))


def _install(tmp_path: Path, *arguments: str, xdg: bool = True) -> tuple[Path, str]:
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "XDG_DATA_HOME"}
    env["HOME"] = str(home)
    if xdg:
        env["XDG_DATA_HOME"] = str(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "resources.install_desktop", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return (tmp_path / "data" if xdg else home / ".local" / "share"), result.stdout


def test_install_desktop_puts_the_entry_and_icons_in_xdg_data_home(tmp_path: Path) -> None:
    program = tmp_path / "checkout" / ".venv" / "bin" / "draftsmith"
    data, said = _install(tmp_path, "--executable", str(program))
    entry = data / "applications" / "draftsmith.desktop"
    assert str(entry) in said
    keys = _desktop_keys(entry.read_text(encoding="utf-8"))
    assert keys["Exec"] == f"{program} %f"
    assert Path(keys["Exec"].split(" ")[0]).is_absolute()
    assert keys["Icon"] == "draftsmith"
    for name in ICON_FILES:
        installed = data / "icons" / "hicolor" / name
        assert (
            installed.read_bytes()
            == resources.path(
                f"icons/draftsmith{Path(name).suffix}"
                if name.startswith("scalable")
                else f"icons/draftsmith-{name.split('x')[0]}.png"
            ).read_bytes()
        )
    _validate(entry)


def test_install_desktop_defaults_to_local_share_and_this_environment(tmp_path: Path) -> None:
    data, _said = _install(tmp_path, xdg=False)
    keys = _desktop_keys((data / "applications" / "draftsmith.desktop").read_text("utf-8"))
    expected = Path(sys.executable).absolute().parent / "draftsmith"
    assert keys["Exec"] == f"{expected} %f"
    assert all((data / "icons" / "hicolor" / name).is_file() for name in ICON_FILES)


def test_make_install_desktop_runs_the_installer_with_this_checkouts_program() -> None:
    make = shutil.which("make")
    assert make is not None, "make is part of the set-up (README): it must be installed"
    result = subprocess.run(
        [make, "-n", "--no-print-directory", "install-desktop"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (
        f'.venv/bin/python -m resources.install_desktop --executable "{ROOT}/.venv/bin/draftsmith"'
        in result.stdout
    )


@pytest.mark.parametrize(
    ("path", "written"),
    [
        ("/opt/draftsmith/bin/draftsmith", "/opt/draftsmith/bin/draftsmith"),
        ("/home/ann/My Books/.venv/bin/draftsmith", '"/home/ann/My Books/.venv/bin/draftsmith"'),
        ("/srv/100%/draftsmith", "/srv/100%%/draftsmith"),
        ('/a "b"/$x/draftsmith', '"/a \\\\"b\\\\"/\\\\$x/draftsmith"'),
    ],
    ids=["plain", "space", "percent", "quotes-and-dollar"],
)
def test_exec_paths_are_quoted_as_the_spec_asks(path: str, written: str) -> None:
    assert exec_argument(path) == written
    entry = desktop_entry("[Desktop Entry]\nExec=draftsmith %f\n", Path(path))
    assert entry == f"[Desktop Entry]\nExec={written} %f\n"


def test_exec_paths_with_control_characters_are_refused() -> None:
    with pytest.raises(ValueError):
        exec_argument("/tmp/new\nline/draftsmith")


# --- the icon ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", theme.ICON_SIZES)
def test_icon_pngs_are_renders_of_the_svg(qapp: QApplication, size: int) -> None:
    shipped = QImage(str(resources.path(theme.icon_png(size))))
    assert (shipped.width(), shipped.height()) == (size, size)
    assert shipped.hasAlphaChannel()
    fresh = theme.render_icon(size)
    shipped = shipped.convertToFormat(fresh.format())
    step = max(size // 32, 1)
    difference = [
        abs(QColor(shipped.pixel(x, y)).lightness() - QColor(fresh.pixel(x, y)).lightness())
        for x in range(0, size, step)
        for y in range(0, size, step)
    ]
    # Regenerate after changing the SVG: `python -c "from PySide6.QtGui import
    # QGuiApplication as A; a = A([]); from ui.theme import write_icon_pngs as w; w()"`
    assert sum(difference) / len(difference) < 4, "the PNGs are older than the SVG"
    corner = QColor.fromRgba(shipped.pixel(0, 0))
    centre = QColor.fromRgba(shipped.pixel(size // 2, size // 2))
    assert corner.alpha() == 0 and centre.alpha() == 255


def test_app_icon(qapp: QApplication) -> None:
    icon = theme.app_icon()
    assert not icon.isNull()
    for size in (16, 32, 64, 256):
        assert not icon.pixmap(size, size).isNull()


# --- the theme --------------------------------------------------------------------------


@pytest.fixture()
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The application, its theme taken off again afterwards for the other tests."""
    yield qapp
    qapp.setStyleSheet("")
    qapp.setPalette(QPalette())
    for name in ("draftsmithTheme", "draftsmithDark", "draftsmithSystemDark"):
        qapp.setProperty(name, None)


def _foreground(widget: QWidget) -> str:
    return widget.palette().color(widget.foregroundRole()).name()


def _background(widget: QWidget) -> str:
    return widget.palette().color(widget.backgroundRole()).name()


@pytest.mark.parametrize(
    ("dark", "colours"),
    [
        (False, {"info": "#2f5d8a", "warning": "#7a5a00", "error": "#9b1c1c"}),
        (True, {"info": "#a9c7e8", "warning": "#e3c46f", "error": "#f0a9a9"}),
    ],
    ids=["light", "dark"],
)
def test_message_bars_wear_their_level(
    themed: QApplication, qtbot, dark: bool, colours: dict[str, str]
) -> None:
    from ui.messages import MessageStack

    assert theme.apply_theme(themed, dark) is dark
    assert theme.is_dark(themed) is dark
    stack = MessageStack()
    qtbot.addWidget(stack)
    bars = {level: stack.show_message(level, f"A {level}.") for level in colours}
    stack.show()
    qtbot.waitUntil(lambda: all(bar.isVisible() for bar in bars.values()), timeout=2000)
    backgrounds = {_background(bar) for bar in bars.values()}
    assert len(backgrounds) == 3
    for level, colour in colours.items():
        label = bars[level].findChild(QLabel)
        assert label is not None and label.text() == f"A {level}."
        assert _foreground(label) == colour
    if not dark:
        assert _background(bars["error"]) == "#fdeeee"
        assert _background(bars["warning"]) == "#fdf6e3"
        assert _background(bars["info"]) == "#eef4fb"


def test_status_bar_and_find_bar_follow_the_theme(themed: QApplication, qtbot) -> None:
    from app.model_service import ModelState
    from ui.editor import DraftEditor
    from ui.find_bar import FindBar
    from ui.status_bar import DraftStatusBar

    theme.apply_theme(themed, False)
    status = DraftStatusBar()
    qtbot.addWidget(status)
    status.show()
    status.set_model_state(ModelState.ERROR, "The model file x.gguf is not a GGUF model file.")
    assert _foreground(status.model_label) == "#9b1c1c"
    status.set_model_state(ModelState.READY, "SmolLM2")
    assert _foreground(status.model_label) == "#2e6b34"
    assert status.model_label.text() == "● SmolLM2 ready"

    editor = DraftEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("The keeper climbed.")
    bar = FindBar(editor)
    qtbot.addWidget(bar)
    bar.open(replace=False)
    bar.find_field.setText("lighthouse")
    assert not bar.find_next()
    assert bar.status.text() == "Not found"
    assert _foreground(bar.status) == "#9b1c1c"
    bar.find_field.setText("keeper")
    assert bar.find_next()
    assert _foreground(bar.status) != "#9b1c1c"

    theme.apply_theme(themed, True)
    assert _foreground(status.model_label) == "#86c08f"
    assert editor.palette().color(QPalette.ColorRole.Base).name() == "#1f2023"


def test_a_long_model_error_does_not_widen_the_window(themed: QApplication, qtbot) -> None:
    from app.model_service import ModelState
    from ui.status_bar import MODEL_LABEL_MAX_WIDTH, DraftStatusBar

    status = DraftStatusBar()
    qtbot.addWidget(status)
    reason = "The model file " + "/very/long/folder" * 40 + "/m.gguf cannot be read."
    status.set_model_state(ModelState.ERROR, reason)
    label = status.model_label
    assert label.fontMetrics().horizontalAdvance(label.text()) <= MODEL_LABEL_MAX_WIDTH
    assert label.text().startswith("Model unavailable: The model file")
    assert label.toolTip() == reason


def test_switching_back_restores_the_platform_palette(themed: QApplication) -> None:
    platform = themed.palette().color(QPalette.ColorRole.Window).name()
    system_dark = theme.system_is_dark()
    theme.apply_theme(themed, not system_dark)
    assert themed.palette().color(QPalette.ColorRole.Window).name() != platform
    assert theme.system_is_dark() is system_dark  # not fooled by our own palette
    theme.apply_theme(themed, None)
    assert themed.palette().color(QPalette.ColorRole.Window).name() == platform
    assert theme.is_dark(themed) is system_dark


def test_following_the_system_switches_with_it(
    themed: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt

    theme.apply_theme(themed, None)
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    themed.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.is_dark(themed)
    assert themed.styleSheet() == theme.style_sheet(True)

    theme.apply_theme(themed, False)  # the writer's own choice stays
    themed.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not theme.is_dark(themed)
    assert themed.styleSheet() == theme.style_sheet(False)


def test_style_sheets_mirror_each_other() -> None:
    import re

    def selectors(sheet: str) -> list[str]:
        without_comments = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
        return [s.strip() for s in re.findall(r"([^{}]+)\{", without_comments)]

    light, dark = theme.style_sheet(False), theme.style_sheet(True)
    assert selectors(light) == selectors(dark)  # every rule has its dark twin
    assert '#MessageBar[level="warning"]' in selectors(light)
    assert '#MessageBar[level="error"]' in selectors(light)  # info is the bar's default


def test_ghost_colour() -> None:
    assert theme.ghost_color(False) == QColor(140, 140, 150)  # as the editor had it
    assert theme.ghost_color(True).lightness() < QColor("#ddd8cc").lightness()
    assert theme.ghost_color(True).lightness() > QColor("#1f2023").lightness()


def test_ghost_colour_follows_the_page(themed: QApplication, qtbot) -> None:
    from ui.editor import DraftEditor

    editor = DraftEditor()
    qtbot.addWidget(editor)
    editor.show()
    theme.apply_theme(themed, True)
    assert theme.ghost_color_for(editor) == theme.ghost_color(True)
    theme.apply_theme(themed, False)
    assert theme.ghost_color_for(editor) == theme.ghost_color(False)
