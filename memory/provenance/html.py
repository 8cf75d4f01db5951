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
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache

import markdown
import markdown.treeprocessors
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

_PUNCT = frozenset("*_`~[]()!<>&\\{}^|#")
_BLOCK_PREFIX = regex.compile(
    r"[ \t]*(?:\[\^?[^\]\n]*\]:[ \t]*)?(?:(?:[>#*+\-=|`~:]+|\d+[.)])[ \t]*)*"
)
#: A reference-style link definition is syntax from end to end: its URL and title show
#: where the link is used, not here, so no run's marker may stay in them.
_LINK_DEFINITION = regex.compile(r"[ ]{0,3}\[(?!\^)[^\[\]\n]*\]:[^\n]*")
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
            syntax = not stripped.strip() or _LINK_DEFINITION.fullmatch(self.text, start, end)
            cached = (end, prefix_end, trailing, bool(syntax))
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


def _stand_ins(text: str) -> dict[str, str]:
    """For each marker-like character of the writer's text, a stand-in from the Basic
    Multilingual Plane's private use area that the text does not hold: rendered in its
    place and put back after, so the text keeps its length and no run moves. (Written
    as `&#x...;` they hit python-markdown's stash leak: `**a*a**&amp;*a*` renders
    `\x02</em>lzzwxh:0000\x03`.) Empty for nearly every text."""
    foreign = sorted(set(_MARKER.findall(text)))
    if not foreign:
        return {}
    free = (chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    return dict(zip(foreign, free, strict=False))


def _swap(text: str, table: dict[str, str]) -> str:
    for old, new in table.items():
        text = text.replace(old, new)
    return text


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


def markdown_renderer() -> markdown.Markdown:
    """A renderer of the export's Markdown: raw HTML escaped rather than passed through."""
    renderer = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    renderer.preprocessors.deregister("html_block")
    renderer.inlinePatterns.deregister("html")
    return renderer


def render_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML escaped rather than passed through."""
    return markdown_renderer().convert(text)


#: Characters of Markdown converted at once: a long text is rendered piece by piece,
#: each ending at a block boundary at or after this many characters (`piece_bounds`).
PIECE_CHARS = 1 << 17
#: Where one top-level block ends and the next may start a piece of its own: blank lines,
#: then a line that cannot continue the block before them (not indented, not a list item,
#: quote, definition, table row or fence) and is no link definition (which leaves no
#: element, so the block after it continues the one before); `piece_bounds` checks the
#: rest.
_BLOCK_BREAK = regex.compile(r"\n[ \t]*\n(?:[ \t]*\n)*(?=[^\s*+\-:>|`~0-9\[])")
#: A definition list's definition line anywhere in a block joins the list before it, and
#: one that starts the block after a paragraph makes that paragraph its term.
_DEFINITION = regex.compile(r"(?:^|\n)[ ]{0,3}:[ ]{1,3}")
_DEFINITION_NEXT = regex.compile(r"(?:\n[ \t]*)+\n[ ]{0,3}:[ ]{1,3}")
_BLANK_LINE = regex.compile(r"\n[ \t]*\n")
#: Footnotes, abbreviations, and characters python-markdown removes or turns into line
#: breaks before it reads the blocks: a text holding any is converted whole.
_READ_WHOLE = ("[^", "*[", "\r", "\x02", "\x03")
_FENCE_LINE = regex.compile(r"^(?:~{3,}|`{3,})[^\n]*", regex.MULTILINE)


def piece_bounds(text: str, size: int = PIECE_CHARS, markers: Sequence[int] = ()) -> list[int]:
    """Offsets that cut `text` into pieces python-markdown renders one by one exactly as
    it renders the whole (the pieces' HTML joined by newlines): `[0, ..., len(text)]`.

    A cut falls only between two top-level blocks that nothing joins: after blank lines,
    before a line that starts a paragraph or heading, after a block whose last line is
    not indented, never inside a fenced code block (found as python-markdown finds
    them). A text that python-markdown reads as a whole is one piece: footnotes (their
    numbers and list span the document), abbreviations (defined anywhere, applied
    everywhere), carriage returns (and STX, ETX), tabs on a fence line, fences with
    attributes.
    Reference-style link definitions are collected over the whole text before the pieces
    are rendered (`PieceRenderer`). `markers`: where runs' markers go (sorted)."""
    if len(text) <= size or any(sign in text for sign in _READ_WHOLE):
        return [0, len(text)]
    fences = _fence_regions(text, markers)
    if fences is None:
        return [0, len(text)]
    bounds = [0]
    fence = 0
    position = size
    while position < len(text):
        found = _BLOCK_BREAK.search(text, position)
        if found is None:
            break
        cut = found.end()
        position = cut
        line_end = found.start()
        line_start = text.rfind("\n", 0, line_end) + 1
        if text[line_start] in " \t\n" or not text[line_start:line_end].strip(" \t"):
            continue  # the block before may continue (indented), or no block ends here
        while fence < len(fences) and fences[fence][1] <= cut:
            fence += 1
        if fence < len(fences) and fences[fence][0] < cut:
            continue  # inside a fenced code block
        block_end = _BLANK_LINE.search(text, cut)
        end = block_end.start() if block_end else len(text)
        if _DEFINITION.search(text, cut, end) or _DEFINITION_NEXT.match(text, end):
            continue  # a definition list's term or definition: it may join one before it
        bounds.append(cut)
        position = cut + size
    bounds.append(len(text))
    return bounds


def _fence_regions(text: str, markers: Sequence[int] = ()) -> list[tuple[int, int]] | None:
    """(start, end) of each fenced code block as python-markdown's `fenced_code` finds
    them in the text with a marker at each of `markers` (sorted positions; a marker on
    a fence line can stop it being one); None where its search could differ on the raw
    text (a tab on a fence line, which it expands first, or `{attributes}`).

    Only fence lines decide where fenced blocks are (the lines between them are any code),
    so the search runs over the fence lines alone, joined by newlines."""
    from markdown.extensions.fenced_code import FencedBlockPreprocessor

    lines: list[str] = []
    starts: list[tuple[int, int, int]] = []  # (compact offset, line start, line end)
    compact = 0
    for line in _FENCE_LINE.finditer(text):
        if "\t" in line.group():
            return None
        start, end = line.span()
        first = bisect_left(markers, start)
        last = bisect_right(markers, end)
        marked = line.group()
        for position in reversed(markers[first:last]):
            marked = marked[: position - start] + _marker(0) + marked[position - start :]
        starts.append((compact, start, end))
        lines.append(marked)
        compact += len(marked) + 1
    view = "\n".join(lines)
    offsets = [c for c, _s, _e in starts]
    pattern = FencedBlockPreprocessor.FENCED_BLOCK_RE
    regions: list[tuple[int, int]] = []
    index = 0
    while (found := pattern.search(view, index)) is not None:
        if found.group("attrs"):
            return None
        opening = starts[bisect_right(offsets, found.start()) - 1]
        closing = starts[bisect_right(offsets, found.end() - 1) - 1]
        regions.append((opening[1], closing[2]))
        index = found.end()
    return regions


class PieceRenderer:
    """One python-markdown instance converting a text's pieces in order (`reset()`
    between them), given the reference-style link definitions of the whole text
    (`collect_references`), so a link in one piece finds its definition in another, the
    last definition of a name winning, as when the whole is converted at once."""

    def __init__(self) -> None:
        self.renderer = markdown_renderer()

    def collect_references(self, pieces: Iterable[str]) -> None:
        """Read every piece's definitions, in order (block parsing only), and give them
        to every later conversion."""
        references: dict[str, tuple[str, str]] = {}
        md = self.renderer
        for piece in pieces:
            md.reset()
            lines = piece.split("\n")
            for preprocessor in md.preprocessors:
                lines = preprocessor.run(lines)
            md.parser.parseDocument(lines)
            references.update(md.references)
        md.reset()
        md.treeprocessors.register(_WholeTextReferences(md, references), "ds_references", 100)

    def convert(self, piece: str) -> str:
        self.renderer.reset()
        return self.renderer.convert(piece)


class _WholeTextReferences(markdown.treeprocessors.Treeprocessor):
    """Before inline patterns run: the whole text's link definitions."""

    def __init__(self, md: markdown.Markdown, references: dict[str, tuple[str, str]]) -> None:
        super().__init__(md)
        self.whole = references

    def run(self, root: object) -> None:
        assert self.md is not None
        self.md.references.clear()
        self.md.references.update(self.whole)


def render_runs(
    text: str,
    runs: list[Run],
    span_attributes: Callable[[Run], str],
) -> str:
    """The Markdown rendered to HTML, each run's visible text in `<span {attributes}>`."""
    return "".join(iter_render_runs(text, runs, span_attributes))


def iter_render_runs(
    text: str,
    runs: list[Run],
    span_attributes: Callable[[Run], str],
    size: int | None = None,
) -> Iterator[str]:
    """`render_runs` piece by piece (`piece_bounds`): a long text's HTML is made, and
    can be written, a piece at a time, each piece's markers, spans and sanitizing its
    own, so the whole text is never marked, rendered or held as one tree. The joined
    pieces are the whole text's `render_runs_whole`."""
    size = PIECE_CHARS if size is None else size
    if len(text) <= size or _MARKER.search(text) is not None:  # one piece, or rare: the
        yield render_runs_whole(text, runs, span_attributes)  # text holds marker characters
        return
    placed = _marker_positions(text, runs) if runs else []
    markers = [position for position, _index in placed]
    bounds = piece_bounds(text, size, markers)
    del markers
    if len(bounds) == 2:
        yield render_runs_whole(text, runs, span_attributes)
        return
    # One numbering of the markers for the whole text, as when it is rendered whole: a
    # link's definition (markers and all) may be used in another piece. Past the
    # markers' capacity, each piece numbers its own (then no definition may cross).
    local = len(runs) > _MARKER_CAPACITY
    renderer = PieceRenderer()
    if "]:" in text:
        if local:
            raise ValueError(f"too many runs to mark ({len(runs)})")
        renderer.collect_references(
            source
            for _base, source in _marked_pieces(text, bounds, placed, local)
            if "]:" in source
        )
    opening = _Openings(runs, span_attributes)
    state = _SpanState()
    wrote = False
    for base, source in _marked_pieces(text, bounds, placed, local):
        rendered = renderer.convert(source)
        del source
        if not rendered:
            continue
        html_piece = (
            sanitize(_spans(rendered, opening, state, base)) if runs else sanitize(rendered)
        )
        if wrote:
            yield "\n"
        yield html_piece
        wrote = True


def _marked_pieces(
    text: str, bounds: list[int], placed: list[tuple[int, int]], local: bool
) -> Iterator[tuple[int, str]]:
    """(base, source) of each piece: its Markdown with its markers (`_marker_positions`),
    numbered from `base` (0, or with `local` the piece's first run)."""
    first = 0  # the first of `placed` not yet in a piece
    for start, end in zip(bounds, bounds[1:], strict=False):
        last = first
        while last < len(placed) and placed[last][0] < end:
            last += 1
        base = placed[first][1] if local and last > first else 0
        pieces: list[str] = []
        position = start
        for at, index in placed[first:last]:
            pieces.append(text[position:at])
            if index - base >= _MARKER_CAPACITY:
                raise ValueError(f"too many runs to mark in one piece ({index - base})")
            pieces.append(_marker(index - base))
            position = at
        pieces.append(text[position:end])
        first = last
        yield base, "".join(pieces)


class _Openings:
    """Each run's opening `<span ...>` tag, made when first needed."""

    def __init__(self, runs: list[Run], span_attributes: Callable[[Run], str]) -> None:
        self.runs = runs
        self.span_attributes = span_attributes
        self.made: dict[int, str] = {}

    def __getitem__(self, index: int) -> str:
        tag = self.made.get(index)
        if tag is None:
            run = self.runs[index]
            # Each span names its run by its first code point in the text: what `verify` checks.
            tag = f'<span {self.span_attributes(run)} data-ds-run="{run.start}">'
            self.made[index] = tag
        return tag


class _SpanState:
    """The run and raw-text element the rendered HTML is in, carried from piece to piece."""

    def __init__(self) -> None:
        self.current = 0
        self.raw_text_tag: str | None = None


def render_runs_whole(
    text: str,
    runs: list[Run],
    span_attributes: Callable[[Run], str],
) -> str:
    """`render_runs` of the whole text in one conversion (short texts, texts that cannot
    be cut into pieces, and the reference the pieces are tested against)."""
    table = _stand_ins(text)
    back = {new: old for old, new in table.items()}
    if not runs:
        return _swap(sanitize(render_markdown(_swap(text, table))), back)
    if len(runs) > _MARKER_CAPACITY:
        raise ValueError(f"too many runs to mark ({len(runs)})")
    opening = _Openings(runs, span_attributes)
    rendered = render_markdown(_marked_source(_swap(text, table), runs))
    return _swap(sanitize(_spans(rendered, opening, _SpanState(), 0)), back)


def _spans(rendered: str, opening: _Openings, state: _SpanState, base: int) -> str:
    """Rendered HTML with its markers (run `base` + the marker's number) turned into
    origin spans around each stretch of visible text."""
    out: list[str] = []
    for match in _TOKENS.finditer(rendered):
        tag, chunk = match.group(1), match.group(2)
        if tag is not None:
            found = _MARKER.findall(tag)
            if found:
                state.current = base + _marker_index(found[-1])
                tag = _MARKER.sub("", tag)
            name = _TAG_NAME.match(tag)
            if name and name.group(1).lower() in _RAW_TEXT_TAGS:
                state.raw_text_tag = None if tag.startswith("</") else name.group(1).lower()
            out.append(tag)
            continue
        if state.raw_text_tag:
            out.append(_MARKER.sub("", chunk))
            continue
        parts = _MARKER.split(chunk)
        boundaries = _MARKER.findall(chunk)
        for n, part in enumerate(parts):
            if n:
                state.current = base + _marker_index(boundaries[n - 1])
            if not part:
                continue
            if part.isspace():
                out.append(part)
            else:
                out.append(opening[state.current] + part + "</span>")
    return "".join(out)


def _marker_positions(text: str, runs: list[Run]) -> list[tuple[int, int]]:
    """(position, run index) of each run's marker: where the run starts, moved to a safe
    place; a run whose marker would land on the next one's is left out."""
    safe = _SafePositions(text)
    placed: list[tuple[int, int]] = []
    for index, run in enumerate(runs):
        position = safe.next_safe(run.start)
        while placed and placed[-1][0] >= position:
            placed.pop()
        if position < len(text):
            placed.append((position, index))
    return placed


def _marked_source(text: str, runs: list[Run]) -> str:
    """The Markdown source with a marker where each run starts (moved to a safe place)."""
    pieces: list[str] = []
    last = 0
    for position, index in _marker_positions(text, runs):
        pieces.append(text[last:position])
        pieces.append(_marker(index))
        last = position
    pieces.append(text[last:])
    return "".join(pieces)


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
    before, after = _page_around(title, extra_css, printable)
    return before + body + after


def _page_around(title: str, extra_css: str = "", printable: bool = False) -> tuple[str, str]:
    """A page's markup before and after its body."""
    css = export_css("print") if printable else export_css("page") + origin_css() + extra_css
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title or 'Untitled')}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n",
        "\n</body>\n</html>\n",
    )


#: Characters of the source put through `json.dumps` at once (escaping is per character).
_JSON_CHUNK = 1 << 20


def _script_json_text(element_id: str, text: str) -> Iterator[str]:
    """`script_json(element_id, text)` for a text, a megabyte at a time."""
    yield f'<script type="application/json" id="{element_id}">"'
    for start in range(0, len(text), _JSON_CHUNK):
        payload = json.dumps(text[start : start + _JSON_CHUNK], ensure_ascii=False)[1:-1]
        yield payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    yield '"</script>'


def write_html(record: ProvenanceRecord, manifest: Manifest | None) -> str:
    """The document as a standalone HTML page with its summary, legend and manifest."""
    parts: list[str] = []
    write_html_to(record, manifest, parts.append)
    return "".join(parts)


def write_html_to(
    record: ProvenanceRecord, manifest: Manifest | None, write: Callable[[str], object]
) -> None:
    """`write_html` handed to `write` a piece at a time (the article a piece of Markdown
    at a time, the embedded source a megabyte at a time), so a long text's page is never
    held whole."""
    before, after = _page_around(record.title)
    write(before)
    write(summary_html(record, manifest))
    write('\n<article id="draftsmith-text">\n')
    for piece in iter_render_runs(record.text, record.runs(), run_attributes):
        write(piece)
    write("\n</article>\n")
    write(
        '<footer class="ds-verify">Exported by Draftsmith '
        f"{html.escape(record.app_version)}. This page carries a signed account of its text "
        "(the <code>draftsmith-manifest</code> element); <code>draftsmith verify FILE</code> "
        "checks that text and account still match.</footer>"
    )
    if manifest is not None:
        write("\n" + script_json("draftsmith-manifest", manifest))
    write("\n")
    for chunk in _script_json_text("draftsmith-source", record.text):
        write(chunk)
    write(after)


def printable_html(record: ProvenanceRecord, manifest: Manifest | None) -> str:
    """The same document for Qt's rich text engine (PDF): inline colours, no scripts."""
    article = render_body(record, inline_style=True)
    return page(
        record.title, summary_html(record, manifest, printable=True) + article, printable=True
    )
