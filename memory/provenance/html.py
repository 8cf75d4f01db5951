"""HTML export: the Markdown rendered with every run of text coloured by its origin.

How runs survive rendering: before python-markdown sees the source, a private-use marker
character (one per run, U+F0000 onwards) is inserted where each run starts. Markers are
moved forward off positions where they would change the Markdown's meaning (block prefixes
such as `# ` or `- `, between two syntax characters such as `**`, inside entities, HTML
tags, footnote labels, trailing spaces that make a line break). After rendering, markers in
text become span boundaries; markers that ended up in tags or attributes (a link's URL)
only move the current run. Spans are closed before every tag and reopened after it, so
they never cross an element boundary and the HTML stays well-formed.
"""

from __future__ import annotations

import html
import json
from bisect import bisect_right
from collections.abc import Callable
from functools import cache

import markdown
import nh3
import regex

import resources
from memory.origins import HUMAN, MODEL, ORIGIN_KEYS, Origin, Theme, ThemeColours, vocabulary
from memory.provenance.manifest import Manifest
from memory.provenance.record import (
    ProvenanceRecord,
    Run,
    describe_author,
    format_time,
    how_words,
)

_PLANE_15 = 0xF0000
_MARKER_CAPACITY = 2 * 65534
_MARKER_CHARS = "[\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
_MARKER = regex.compile(_MARKER_CHARS)
_TOKENS = regex.compile(r"(<!--.*?-->|<[^>]*>)|([^<]+)", regex.DOTALL)
_TAG_NAME = regex.compile(r"</?([A-Za-z0-9]+)")
_RAW_TEXT_TAGS = ("script", "style", "textarea", "title")
_ESCAPED_IN_CODE = regex.compile(r"&amp;#x((?:F|10)[0-9A-F]{4});")

_PUNCT = frozenset("*_`~[]()!<>&\\{}^|#")
_BLOCK_PREFIX = regex.compile(
    r"[ \t]*(?:\[\^?[^\]\n]*\]:[ \t]*)?(?:(?:[>#*+\-=|`~:]+|\d+[.)])[ \t]*)*"
)
_UNSAFE_SPANS = regex.compile(
    r"&#?[A-Za-z0-9]+;"  # entity
    r"|<[A-Za-z/!?][^<>\n]*>"  # inline HTML tag or autolink
    r"|\[\^[^\]\n]*\]"  # footnote reference
    r"|\]\[[^\]\n]*\]"  # reference link label
    r"|\]\((?:[^()\n]|\([^()\n]*\))*\)"  # inline link or image destination and title
)

# "extra" without md_in_html and attr_list, and no raw HTML (below): the writer's text is
# shown as text, so a stray or hostile tag or `{onclick=...}` cannot break the page or run
# a script. The rendered HTML is sanitized as well (`sanitize`), whatever the renderer did.
MARKDOWN_EXTENSIONS = [
    "abbr",
    "def_list",
    "fenced_code",
    "footnotes",
    "tables",
    "sane_lists",
]


def _marker(index: int) -> str:
    return chr(_PLANE_15 + index) if index < 65534 else chr(0x100000 + index - 65534)


def _marker_index(char: str) -> int:
    code = ord(char)
    return code - _PLANE_15 if code < 0x100000 else code - 0x100000 + 65534


class _SafePositions:
    """Where a marker can go without changing what the Markdown means."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in regex.finditer("\n", text)]
        self.spans = [(m.start(), m.end()) for m in _UNSAFE_SPANS.finditer(text)]
        self.span_starts = [s for s, _ in self.spans]
        self._lines: dict[int, tuple[int, int, int, bool]] = {}

    def _line(self, k: int) -> tuple[int, int, int, bool]:
        """(end, prefix end, trailing-space start, whole line is syntax or blank)."""
        cached = self._lines.get(k)
        if cached is None:
            start = self.line_starts[k]
            end = self.line_starts[k + 1] - 1 if k + 1 < len(self.line_starts) else len(self.text)
            match = _BLOCK_PREFIX.match(self.text, start, end)
            prefix_end = match.end() if match else start
            body = self.text[prefix_end:end]
            stripped = body.rstrip(" \t\r")
            trailing = prefix_end + len(stripped)
            cached = (end, prefix_end, trailing, not stripped.strip())
            self._lines[k] = cached
        return cached

    def next_safe(self, p: int) -> int:
        text = self.text
        while p < len(text):
            k = bisect_right(self.line_starts, p) - 1
            end, prefix_end, trailing, blank = self._line(k)
            if blank:
                p = end + 1
                continue
            if p < prefix_end:
                p = prefix_end
                continue
            if p >= trailing and trailing < end:
                p = end + 1
                continue
            i = bisect_right(self.span_starts, p) - 1
            if i >= 0 and self.spans[i][0] < p < self.spans[i][1]:
                p = self.spans[i][1]
                continue
            if p > 0 and text[p - 1] in _PUNCT and text[p] in _PUNCT:
                p += 1
                continue
            return p
        return len(text)


def _escape_foreign_markers(text: str) -> str:
    return _MARKER.sub(lambda m: f"&#x{ord(m.group()):X};", text)


#: What the rendered text may contain: Markdown's own elements with the few attributes it
#: writes (links, images, footnotes, table alignment, code languages) and the origin spans.
_ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "img": {"src", "alt", "title"},
    "li": {"id"},
    "ol": {"start"},
    "span": {"class", "title", "style", "data-ds-run"},
    "sup": {"id"},
    "td": {"align", "style"},
    "th": {"align", "style"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
#: The page may show its own styles and images and run nothing; no form, no base URL.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)


def sanitize(markup: str) -> str:
    """Rendered text with anything that could run or load removed (nh3, the Ammonia
    sanitizer): no script or unknown element, no event handler or unknown attribute, no
    `javascript:` or other unknown URL scheme; style only for colours and alignment."""
    return nh3.clean(
        markup,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"background-color", "text-align"},
    )


def render_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML escaped rather than passed through."""
    renderer = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    renderer.preprocessors.deregister("html_block")
    renderer.inlinePatterns.deregister("html")
    return renderer.convert(text)


def render_runs(
    text: str,
    runs: list[Run],
    span_attributes: Callable[[Run], str],
) -> str:
    """The Markdown rendered to HTML, each run's visible text in `<span {attributes}>`."""
    if not runs:
        return sanitize(render_markdown(_escape_foreign_markers(text)))
    if len(runs) > _MARKER_CAPACITY:
        raise ValueError(f"too many runs to mark ({len(runs)})")
    # Each span names its run by the run's first code point in `text`: what `verify` checks.
    opening = [f'<span {span_attributes(run)} data-ds-run="{run.start}">' for run in runs]
    source = _escape_foreign_markers(text)
    escaped = source != text
    if escaped:  # rare: re-derive runs over the escaped text
        runs, text = _runs_over_escaped(text, runs), source
    rendered = render_markdown(_marked_source(text, runs))
    if escaped:  # code keeps `&` literally: show the writer's character there too
        rendered = _ESCAPED_IN_CODE.sub(r"&#x\1;", rendered)
    out: list[str] = []
    current = 0
    raw_text_tag: str | None = None
    for match in _TOKENS.finditer(rendered):
        tag, chunk = match.group(1), match.group(2)
        if tag is not None:
            found = _MARKER.findall(tag)
            if found:
                current = _marker_index(found[-1])
                tag = _MARKER.sub("", tag)
            name = _TAG_NAME.match(tag)
            if name and name.group(1).lower() in _RAW_TEXT_TAGS:
                raw_text_tag = None if tag.startswith("</") else name.group(1).lower()
            out.append(tag)
            continue
        if raw_text_tag:
            out.append(_MARKER.sub("", chunk))
            continue
        parts = _MARKER.split(chunk)
        boundaries = _MARKER.findall(chunk)
        for n, part in enumerate(parts):
            if n:
                current = _marker_index(boundaries[n - 1])
            if not part:
                continue
            if part.isspace():
                out.append(part)
            else:
                out.append(opening[current] + part + "</span>")
    return sanitize("".join(out))


def _marked_source(text: str, runs: list[Run]) -> str:
    """The Markdown source with a marker where each run starts (moved to a safe place)."""
    safe = _SafePositions(text)
    placed: list[tuple[int, int]] = []
    for index, run in enumerate(runs):
        position = safe.next_safe(run.start)
        while placed and placed[-1][0] >= position:
            placed.pop()
        if position < len(text):
            placed.append((position, index))
    pieces: list[str] = []
    last = 0
    for position, index in placed:
        pieces.append(text[last:position])
        pieces.append(_marker(index))
        last = position
    pieces.append(text[last:])
    return "".join(pieces)


def _runs_over_escaped(text: str, runs: list[Run]) -> list[Run]:
    """Runs moved onto the text where marker-like characters became `&#x...;`."""
    shift = [0] * (len(text) + 1)
    extra = 0
    for i, char in enumerate(text):
        shift[i] = extra
        if _MARKER.match(char):
            extra += len(f"&#x{ord(char):X};") - 1
    shift[len(text)] = extra
    return [Run(r.start + shift[r.start], r.end + shift[r.end], r.event) for r in runs]


def run_title(run: Run) -> str:
    """Who, how and when, for a tooltip."""
    if run.event is None:
        return "No record of who wrote this"
    event = run.event
    return f"{describe_author(event.author)} · {how_words(event.how)} · {format_time(event.at)}"


def run_attributes(run: Run, inline_style: bool = False) -> str:
    origin = vocabulary()[run.origin]
    attributes = f'class="{origin.css_class}" title="{html.escape(run_title(run))}"'
    background = origin.light.background
    if inline_style and background is not None:
        attributes += f' style="background-color:{background}"'
    return attributes


def render_body(record: ProvenanceRecord, inline_style: bool = False) -> str:
    """The record's text rendered, runs wrapped in origin spans."""
    return render_runs(record.text, record.runs(), lambda run: run_attributes(run, inline_style))


@cache
def export_css(section: str) -> str:
    """One section of `resources/export.css` ("page", "report" or "print")."""
    sections: dict[str, str] = {}
    for part in _CSS_SECTION.split(resources.read_text("export.css"))[1:]:
        name, _, body = part.partition(" ==")
        sections[name] = body.split("*/", 1)[1].strip() + "\n"
    return sections[section]


_CSS_SECTION = regex.compile(r"/\* == ")


def background_of(origin: Origin, theme: Theme = "light") -> str:
    """The origin's background as CSS: its tint, or `transparent` for untinted text."""
    return origin.colours(theme).background or "transparent"


def origin_css() -> str:
    """The page's colours and one rule per origin, for light and dark themes (the
    colours of `resources/origins.json`, the same as the editor's)."""
    words = vocabulary()
    light = [_theme_variables(words.theme("light"))]
    dark = [_theme_variables(words.theme("dark"))]
    for origin in words.origins.values():
        light_rule = f"background:{background_of(origin)}"
        dark_rule = f"background:{background_of(origin, 'dark')}"
        if origin.line_pattern != "none":
            pattern = origin.line_pattern
            light_rule += f";text-decoration:underline {pattern} {origin.light.line}"
            dark_rule += f";text-decoration-color:{origin.dark.line}"
        light.append(f".{origin.css_class}{{{light_rule}}}")
        dark.append(f".{origin.css_class}{{{dark_rule}}}")
    return "\n".join(light) + "\n@media (prefers-color-scheme:dark){" + "".join(dark) + "}\n"


def _theme_variables(theme: ThemeColours) -> str:
    return (
        f":root{{--ds-page:{theme.page};--ds-text:{theme.text};--ds-muted:{theme.muted};"
        f"--ds-rule:{theme.rule}}}"
    )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _print_colours(key: str) -> tuple[str, str]:
    """(background, line) for Qt's rich text, which has no classes from a theme."""
    words = vocabulary()
    colours = words[key].light
    return colours.background or words.theme("light").page, colours.line


def share_bar(counts: dict[str, int], total: int, printable: bool = False) -> str:
    """A horizontal bar split by origin (a table for Qt, which lacks flexbox)."""
    shown = [o for o in ORIGIN_KEYS if counts.get(o) and total]
    if printable:
        cells = "".join(
            f'<td width="{max(1, round(100 * counts[o] / total))}%" '
            f'bgcolor="{_print_colours(o)[0]}" style="border:1px solid {_print_colours(o)[1]}">'
            "&nbsp;</td>"
            for o in shown
        )
        return (
            '<table width="100%" cellspacing="0" cellpadding="2" style="margin:4px 0">'
            f"<tr>{cells}</tr></table>"
        )
    words = vocabulary()
    spans = "".join(
        f'<span style="width:{100 * counts[o] / total:.3f}%;'
        f'border-right:1px solid {words[o].light.line}" class="{words[o].css_class}" '
        f'title="{words[o].description}: {_percent(counts[o], total)}"></span>'
        for o in shown
    )
    return f'<div class="sharebar">{spans}</div>'


def swatch(origin: str, printable: bool = False) -> str:
    """A small box in the origin's colour (inline colours for Qt's rich text)."""
    background, line = _print_colours(origin)
    if not printable:
        css_class = vocabulary()[origin].css_class
        return (
            f'<span class="swatch {css_class}" style="border:1px solid {line}">'
            "&nbsp;&nbsp;&nbsp;&nbsp;</span>"
        )
    return (
        f'<span class="swatch" style="background:{background};border:1px solid {line};'
        f'background-color:{background}">&nbsp;&nbsp;&nbsp;&nbsp;</span>'
    )


def legend_rows(counts: dict[str, int], total: int, printable: bool = False) -> str:
    words = vocabulary()
    return "".join(
        f"<tr><td>{swatch(o, printable)}</td><td>{words[o].description}</td>"
        f'<td class="num" align="right">{counts.get(o, 0):,}</td>'
        f'<td class="num" align="right">{_percent(counts.get(o, 0), total)}</td></tr>'
        for o in ORIGIN_KEYS
        if counts.get(o) or o in (HUMAN, MODEL)
    )


def summary_html(
    record: ProvenanceRecord, manifest: Manifest | None, printable: bool = False
) -> str:
    """Shares by origin, the models used with their file hashes, and the writing time."""
    counts = record.characters_by_origin()
    total = len(record.text)
    bar = share_bar(counts, total, printable)
    rows = legend_rows(counts, total, printable)
    model_list = [(m.name, m.model_sha256) for m in record.models()]
    if manifest is not None:
        model_list = [(m["name"], m["sha256"]) for m in manifest["models"]]
    models = "".join(
        f"<li>{html.escape(name)}<br><code class='hash'>SHA-256 "
        f"{html.escape(sha or 'unknown')}</code></li>"
        for name, sha in model_list
    )
    times = record.event_times()
    event_count = len(record.events)
    if manifest is not None:  # what the signed account says, so a check can re-render it
        timeline = manifest["timeline"]
        first, last = timeline["first_event_at"], timeline["last_event_at"]
        times = (first, last) if first is not None else None
        event_count = timeline["event_count"]
    when = ""
    if times:
        when = (
            f"<p>Written from {format_time(times[0])} to {format_time(times[1])} "
            f"({_duration(times[1] - times[0])}, {event_count:,} recorded edits).</p>"
        )
    signer = ""
    if manifest and manifest.get("signer"):
        signer = (
            f"<p>Signed by key <code>{html.escape(manifest['signer']['fingerprint'])}</code>; "
            f"text SHA-256 <code class='hash'>{manifest['text']['sha256']}</code></p>"
        )
    return (
        '<header class="ds-summary">'
        f"<h1>{html.escape(record.title or 'Untitled')}</h1>"
        f"<p>{total:,} characters. Each part of the text is coloured by where it came from.</p>"
        f"{bar}"
        '<table class="legend" cellpadding="3">'
        "<tr><th></th><th>Origin</th><th>Characters</th><th>Share</th>"
        f"</tr>{rows}</table>"
        + (f"<p><b>Models used</b></p><ul>{models}</ul>" if models else "<p>No models used.</p>")
        + when
        + signer
        + "</header>"
    )


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} days {hours % 24} h"


def script_json(element_id: str, value: object) -> str:
    """A JSON value in a script element that no text can close early."""
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{element_id}">{payload}</script>'


def page(title: str, body: str, extra_css: str = "", printable: bool = False) -> str:
    css = export_css("print") if printable else export_css("page") + origin_css() + extra_css
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title or 'Untitled')}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def write_html(record: ProvenanceRecord, manifest: Manifest | None) -> str:
    """The document as a standalone HTML page with its summary, legend and manifest."""
    article = render_body(record)
    footer = (
        '<footer class="ds-verify">Exported by Draftsmith '
        f"{html.escape(record.app_version)}. This page carries a signed account of its text "
        "(the <code>draftsmith-manifest</code> element); <code>draftsmith verify FILE</code> "
        "checks that text and account still match.</footer>"
    )
    body = (
        summary_html(record, manifest)
        + f'\n<article id="draftsmith-text">\n{article}\n</article>\n'
    )
    body += footer
    if manifest is not None:
        body += "\n" + script_json("draftsmith-manifest", manifest)
    body += "\n" + script_json("draftsmith-source", record.text)
    return page(record.title, body)


def printable_html(record: ProvenanceRecord, manifest: Manifest | None) -> str:
    """The same document for Qt's rich text engine (PDF): inline colours, no scripts."""
    article = render_body(record, inline_style=True)
    return page(
        record.title, summary_html(record, manifest, printable=True) + article, printable=True
    )
