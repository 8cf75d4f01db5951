"""The look: light and dark style sheets, the application icon, the ghost text colour.

The colours live in `resources/theme.qss` and `resources/theme-dark.qss`; widgets carry
only object names and dynamic properties for them to select on (`#MessageBar[level=...]`,
`#ModelState[state=...]`, `#FindBar`). `apply_theme` styles the whole application; with
`dark=None` it follows the system's colour scheme, also when that changes while the
window is open.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QWidget

import resources

ICON_NAME = "draftsmith"
ICON_SIZES = (64, 128, 256)
STYLE_SHEETS = {False: "theme.qss", True: "theme-dark.qss"}

# Ghost text is drawn by hand, so its colour cannot come from a style sheet.
_GHOST = {False: "#8c8c96", True: "#7c8089"}

_Role = QPalette.ColorRole
# Used only when the writer asks for the scheme the system is not in; otherwise the
# platform's own palette stays (native widgets look native). The same paper and ink as
# the style sheets.
_PALETTES: dict[bool, dict[QPalette.ColorRole, str]] = {
    False: {
        _Role.Window: "#f4f2ed",
        _Role.WindowText: "#2b2a27",
        _Role.Base: "#fdfcf9",
        _Role.AlternateBase: "#f4f2ed",
        _Role.Text: "#2b2a27",
        _Role.PlaceholderText: "#8c877d",
        _Role.Button: "#ece9e2",
        _Role.ButtonText: "#2b2a27",
        _Role.BrightText: "#ffffff",
        _Role.Highlight: "#3f6a99",
        _Role.HighlightedText: "#ffffff",
        _Role.ToolTipBase: "#fdfcf9",
        _Role.ToolTipText: "#2b2a27",
        _Role.Link: "#2f5d8a",
        _Role.LinkVisited: "#5b4a8a",
        _Role.Light: "#ffffff",
        _Role.Midlight: "#f1eee8",
        _Role.Mid: "#c9c4b9",
        _Role.Dark: "#a39e93",
        _Role.Shadow: "#6b665c",
    },
    True: {
        _Role.Window: "#26272b",
        _Role.WindowText: "#ddd8cc",
        _Role.Base: "#303237",
        _Role.AlternateBase: "#2b2d31",
        _Role.Text: "#ddd8cc",
        _Role.PlaceholderText: "#7f7a70",
        _Role.Button: "#35373c",
        _Role.ButtonText: "#ddd8cc",
        _Role.BrightText: "#ffffff",
        _Role.Highlight: "#4f739c",
        _Role.HighlightedText: "#ffffff",
        _Role.ToolTipBase: "#35373c",
        _Role.ToolTipText: "#ddd8cc",
        _Role.Link: "#94b6dc",
        _Role.LinkVisited: "#b7a6dc",
        _Role.Light: "#4a4d54",
        _Role.Midlight: "#404248",
        _Role.Mid: "#55585f",
        _Role.Dark: "#5f626a",
        _Role.Shadow: "#101113",
    },
}
_DISABLED_TEXT = {False: "#a39e93", True: "#6e6a62"}

# Dynamic properties on the QApplication: the writer's choice, what was applied, and
# whether the system's scheme changes are watched.
_CHOICE = "draftsmithTheme"  # "system", "light" or "dark"
_DARK = "draftsmithDark"
_SYSTEM_DARK = "draftsmithSystemDark"  # set while our palette hides the platform's
_WATCHING = "draftsmithWatchesScheme"


def apply_theme(app: QApplication, dark: bool | None = None) -> bool:
    """Style `app` light or dark (None: as the system is, following its changes).

    Returns whether the dark theme was applied. Call it once the QApplication exists,
    before the first window is shown; calling it again switches the theme.
    """
    system_dark = system_is_dark()
    chosen = system_dark if dark is None else dark
    app.setProperty(_CHOICE, "system" if dark is None else ("dark" if dark else "light"))
    app.setProperty(_DARK, chosen)
    if chosen == system_dark:
        app.setPalette(QPalette())  # no role set: the platform's palette, kept current
        app.setProperty(_SYSTEM_DARK, None)
    else:
        app.setProperty(_SYSTEM_DARK, system_dark)
        app.setPalette(theme_palette(chosen))
    sheet = style_sheet(chosen)
    if app.styleSheet() != sheet:
        app.setStyleSheet(sheet)
    if not app.property(_WATCHING):
        app.setProperty(_WATCHING, True)
        app.styleHints().colorSchemeChanged.connect(_system_scheme_changed)
    return chosen


def chosen_theme(app: QApplication) -> str:
    """The theme `app` was given: "system", "light" or "dark" ("" before `apply_theme`)."""
    choice = app.property(_CHOICE)
    return choice if isinstance(choice, str) else ""


def is_dark(app: QApplication) -> bool:
    """Whether `app` wears the dark theme (before `apply_theme`: whether the system does)."""
    applied = app.property(_DARK)
    return applied if isinstance(applied, bool) else system_is_dark()


def system_is_dark() -> bool:
    """Whether the desktop asks for dark colours (its palette decides when it does not say)."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    app = QGuiApplication.instance()
    hidden = app.property(_SYSTEM_DARK) if app is not None else None
    if isinstance(hidden, bool):
        return hidden  # the application wears our palette; this is what it covered
    palette = QGuiApplication.palette()
    window = palette.color(QPalette.ColorGroup.Active, _Role.Window)
    text = palette.color(QPalette.ColorGroup.Active, _Role.WindowText)
    return window.lightness() < text.lightness()


def style_sheet(dark: bool) -> str:
    """The application style sheet for the light or the dark theme."""
    return resources.read_text(STYLE_SHEETS[dark])


def theme_palette(dark: bool) -> QPalette:
    """Draftsmith's own palette, for when the theme differs from the system's scheme."""
    palette = QPalette()
    for role, colour in _PALETTES[dark].items():
        palette.setColor(role, QColor(colour))
    disabled = QColor(_DISABLED_TEXT[dark])
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def restyle(widget: QWidget) -> None:
    """Apply the style sheet again after a dynamic property it selects on has changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def ghost_color(dark: bool) -> QColor:
    """The colour of suggested (ghost) text: plainly not yet part of the writing."""
    return QColor(_GHOST[dark])


def ghost_color_for(widget: QWidget) -> QColor:
    """The ghost colour that suits the page `widget` shows now (its base colour decides)."""
    return ghost_color(widget.palette().color(_Role.Base).lightness() < 128)


def app_icon() -> QIcon:
    """The Draftsmith icon: the SVG where Qt can draw it, with PNGs for the usual sizes."""
    icon = QIcon(str(resources.path(f"icons/{ICON_NAME}.svg")))
    for size in ICON_SIZES:
        icon.addFile(str(resources.path(icon_png(size))), QSize(size, size))
    return icon


def icon_png(size: int) -> str:
    """The resource name of the icon's PNG at `size` pixels."""
    return f"icons/{ICON_NAME}-{size}.png"


def render_icon(size: int) -> QImage:
    """The SVG icon drawn at `size` x `size` pixels (how the shipped PNGs are made)."""
    renderer = QSvgRenderer(str(resources.path(f"icons/{ICON_NAME}.svg")))
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def write_icon_pngs(folder: Path | None = None) -> list[Path]:
    """Render the PNGs from the SVG into `folder` (default: the resources' icons folder)."""
    target = resources.path("icons") if folder is None else folder
    written = []
    for size in ICON_SIZES:
        path = target / Path(icon_png(size)).name
        if not render_icon(size).save(str(path), b"PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)
    return written


def _system_scheme_changed(_scheme: Qt.ColorScheme) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication) and app.property(_CHOICE) == "system":
        apply_theme(app, None)


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black ... 1 white)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio of two colours: 1 (none) to 21 (black on white)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)
