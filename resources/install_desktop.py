"""Put Draftsmith in this user's applications menu (freedesktop desktops: GNOME, KDE, ...).

The .desktop file goes to `$XDG_DATA_HOME/applications` (default `~/.local/share`), its
Exec line pointing at the `draftsmith` of this environment, and the icons to the hicolor
theme there. `make install-desktop` runs it; by hand: `python -m resources.install_desktop
[--executable PATH]`. Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import resources

APP_ID = "draftsmith"
PNG_SIZES = (64, 128, 256)
# Characters that make an Exec argument need quotes (Desktop Entry spec, "The Exec key").
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = frozenset('"`$\\')


def data_home() -> Path:
    """`$XDG_DATA_HOME`, or `~/.local/share` when it is unset or not absolute (the spec)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


def default_executable() -> Path:
    """The `draftsmith` script beside the running Python (the virtual environment's)."""
    return Path(sys.executable).absolute().parent / "draftsmith"


def exec_argument(text: str) -> str:
    """`text` as one argument of an Exec value, quoted and escaped as the spec asks."""
    if any(ord(c) < 0x20 for c in text):
        raise ValueError(f"{text!r} cannot be written in a .desktop file")
    if text and not any(c in _RESERVED for c in text):
        quoted = text
    else:
        quoted = '"' + "".join("\\" + c if c in _ESCAPED_IN_QUOTES else c for c in text) + '"'
    # "%" starts a field code; a backslash is itself escaped in a string value.
    return quoted.replace("%", "%%").replace("\\", "\\\\")


def desktop_entry(template: str, executable: Path) -> str:
    """The shipped .desktop text with its Exec program replaced by `executable`."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            _program, _, arguments = line.removeprefix("Exec=").partition(" ")
            line = "Exec=" + exec_argument(str(executable)) + (f" {arguments}" if arguments else "")
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(executable: Path, data: Path | None = None) -> list[Path]:
    """Write the .desktop file and the icons under `data` (default `data_home()`).

    Returns the files written. The desktop and icon caches are refreshed when their tools
    are installed; a failure there is not an error (menus rescan on their own).
    """
    data = data_home() if data is None else data
    applications = data / "applications"
    hicolor = data / "icons" / "hicolor"
    written: list[Path] = []

    def put(target: Path, content: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)

    entry = desktop_entry(resources.read_text(f"{APP_ID}.desktop"), executable)
    put(applications / f"{APP_ID}.desktop", entry.encode("utf-8"))
    for size in PNG_SIZES:
        png = resources.path(f"icons/{APP_ID}-{size}.png").read_bytes()
        put(hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png", png)
    svg = resources.path(f"icons/{APP_ID}.svg").read_bytes()
    put(hicolor / "scalable" / "apps" / f"{APP_ID}.svg", svg)

    _run_if_present("update-desktop-database", "-q", str(applications))
    if (hicolor / "icon-theme.cache").exists():  # a stale cache would hide the new icon
        _run_if_present("gtk-update-icon-cache", "-q", "-f", "-t", str(hicolor))
    return written


def _run_if_present(tool: str, *arguments: str) -> None:
    found = shutil.which(tool)
    if found is None:
        return
    try:
        subprocess.run([found, *arguments], check=False, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resources.install_desktop",
        description="Add Draftsmith to this user's applications menu.",
    )
    parser.add_argument(
        "--executable",
        type=Path,
        default=None,
        help="the draftsmith program the menu entry starts (default: beside this Python)",
    )
    args = parser.parse_args(argv)
    executable = (args.executable or default_executable()).absolute()
    if not executable.exists():
        print(f"note: {executable} does not exist yet (run `make setup`).", file=sys.stderr)
    try:
        written = install(executable)
    except (OSError, ValueError) as exc:
        print(f"Could not install the desktop entry: {exc}", file=sys.stderr)
        return 1
    print(f"Installed {written[0]} (starts {executable}) and its icons.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
