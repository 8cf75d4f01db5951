"""PDF through Qt's rich text engine (QtGui only: QTextDocument + QPdfWriter), so it runs
headless with QT_QPA_PLATFORM=offscreen and needs no widgets or browser."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize, QUrl
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

# Families that cover Latin, Greek, Cyrillic, Hebrew, Arabic (DejaVu) and more (Noto);
# Qt falls back per character through fontconfig when a glyph is missing.
SERIF_FAMILIES = ["DejaVu Serif", "Noto Serif", "Liberation Serif", "Noto Sans CJK SC"]
_application: QGuiApplication | None = None


def ensure_gui_application() -> None:
    """QtGui needs an application object; create a bare one when there is none."""
    global _application
    if QGuiApplication.instance() is None:
        _application = QGuiApplication([])


def svg_to_image(svg: str, width_px: int) -> QImage:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    size = renderer.defaultSize()
    height = round(width_px * size.height() / max(size.width(), 1))
    image = QImage(QSize(width_px, height), QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def html_to_pdf(
    html: str, title: str = "", svg_images: dict[str, str] | None = None, author: str = ""
) -> bytes:
    """The HTML laid out on A4 pages as PDF bytes, `title` and `author` in its metadata.
    `svg_images` maps an `<img src>` name to SVG text, drawn as an image (Qt's rich text
    does not read inline SVG)."""
    ensure_gui_application()
    document = QTextDocument()
    font = QFont()
    font.setFamilies(SERIF_FAMILIES)
    font.setPointSizeF(10.5)
    document.setDefaultFont(font)
    for name, svg in (svg_images or {}).items():
        document.addResource(
            QTextDocument.ResourceType.ImageResource, QUrl(name), svg_to_image(svg, 1600)
        )
    document.setHtml(html)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title or "Untitled")
    writer.setCreator("Draftsmith")
    if author:
        writer.setAuthor(author)
    writer.setResolution(144)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )
    document.print_(writer)
    del writer  # finishes the PDF
    buffer.close()
    return bytes(buffer.data().data())
