"""One origin vocabulary: the editor's authorship view and the HTML export show every
origin in the same colours, in the light theme and in the dark one."""

from __future__ import annotations

import regex
from PySide6.QtGui import QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QLabel

from memory.events import UNKNOWN_EXTERNAL, AttributedSpan, Author, EditEvent, How, SourceKind
from memory.origins import LABELS, ORIGIN_KEYS, Theme, vocabulary
from memory.provenance.html import write_html
from memory.provenance.record import ProvenanceRecord
from tests.export.export_samples import ANA, CLIP, SMOL, T0
from ui.authorship_stats import share_rows
from ui.authorship_view import AuthorshipHighlighter, AuthorshipLegend

FILE = Author(SourceKind.IMPORT, "notes.md")
THEMES: tuple[Theme, ...] = ("light", "dark")


def every_origin() -> ProvenanceRecord:
    """A record with text of every origin, "unknown" (no recorded edit) included."""
    pieces = [
        ("Typed by Ana. ", EditEvent(1, ANA, How.TYPED, T0)),
        ("A model line. ", EditEvent(2, SMOL, How.SUGGESTION, T0 + 1)),
        ("Edi", EditEvent(3, SMOL, How.SUGGESTION, T0 + 2)),
        ("t", EditEvent(4, ANA, How.TYPED, T0 + 3)),
        ("ed. ", EditEvent(3, SMOL, How.SUGGESTION, T0 + 2)),
        ("Pasted words. ", EditEvent(5, CLIP, How.PASTE, T0 + 4)),
        ("From a file. ", EditEvent(6, FILE, How.IMPORT, T0 + 5)),
        ("Changed on disk. ", EditEvent(7, UNKNOWN_EXTERNAL, How.EXTERNAL, T0 + 6)),
        ("Nobody knows.", None),
    ]
    text, spans, events = "", [], {}
    for piece, event in pieces:
        if event is not None:
            spans.append(AttributedSpan(len(text), len(piece), event))
            events[event.seq] = event
        text += piece
    return ProvenanceRecord("Origins", text, spans, list(events.values()), "h", "v")


def css_rules(page: str) -> dict[str, dict[str, str]]:
    """Theme -> origin class -> its CSS rule body, from the page's style element."""
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    light, _, dark = style.partition("@media (prefers-color-scheme:dark)")
    rule = regex.compile(r"\.(o-[a-z-]+)\{([^}]*)\}")
    return {
        "light": dict(rule.findall(light)),
        "dark": dict(rule.findall(dark)),
    }


def declarations(body: str) -> dict[str, str]:
    return dict(part.split(":", 1) for part in body.split(";") if part)


def editor_formats(theme: Theme) -> dict[str, QTextCharFormat]:
    """The format the editor's highlighter gives each origin, read back from the layout."""
    document = QTextDocument()
    words = {label: f"{label} " for label in LABELS}
    document.setPlainText("".join(words.values()))
    spans, position = [], 0
    for label, word in words.items():
        spans.append((position, len(word), label))
        position += len(word)
    highlighter = AuthorshipHighlighter(document, lambda _start, _length: spans, theme=theme)
    highlighter.rehighlight()
    ranges = document.firstBlock().layout().formats()
    by_start = {r.start: QTextCharFormat(r.format) for r in ranges}  # outlive the document
    return {label: by_start.get(start, QTextCharFormat()) for start, _n, label in spans}


def test_the_editor_and_the_html_export_colour_every_origin_alike(qapp) -> None:
    record = every_origin()
    assert {run.origin for run in record.runs()} == set(ORIGIN_KEYS)
    page = write_html(record, None)
    rules = css_rules(page)
    words = vocabulary()
    for key in ORIGIN_KEYS:
        assert f'class="{words[key].css_class}"' in page, key
    for theme in THEMES:
        formats = editor_formats(theme)
        for label in LABELS:
            origin = words[label]
            css = declarations(rules[theme][origin.css_class])
            fmt = formats[label]
            if origin.colours(theme).background is None:  # the writer's own text: no tint
                assert css["background"] == "transparent"
                assert fmt.background().style().name == "NoBrush", label
            else:
                assert fmt.background().color().name() == css["background"], (theme, label)
            line = css.get("text-decoration") or ""
            colour = css.get("text-decoration-color") or line.rpartition(" ")[2]
            if origin.line_pattern == "none":
                assert not line and "text-decoration-color" not in css
                assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline
            else:
                if theme == "light":
                    assert line.startswith(f"underline {origin.line_pattern} ")
                assert fmt.underlineColor().name() == colour, (theme, label)
                assert fmt.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline


def test_model_text_is_one_colour_everywhere(qapp) -> None:
    """The regression this vocabulary fixes: model text was blue in the editor and
    orange in HTML exports."""
    model = vocabulary()["model"]
    css = declarations(css_rules(write_html(every_origin(), None))["light"]["o-model"])
    assert css["background"] == model.light.background
    assert editor_formats("light")["model"].background().color().name() == css["background"]


def test_legend_and_statistics_use_the_same_words(qtbot) -> None:
    legend = AuthorshipLegend(theme="light")
    qtbot.addWidget(legend)
    words = vocabulary()
    for label in LABELS:
        swatch = legend.findChild(QLabel, f"legend-{label}")
        assert swatch is not None and swatch.text() == words[label].label
        assert swatch.toolTip() == words[label].description
        background = words[label].light.background or words.theme("light").page
        assert f"background: {background};" in swatch.styleSheet()
    rows = share_rows({"human": 30, "model": 10, "pasted": 0})
    assert rows == [(words["human"].description, 30, 75.0), (words["model"].description, 10, 25.0)]
