"""Where the Markdown is in one line of text: plain data, no Qt.

The editor styles Markdown in place (the characters stay exactly the file's), one line
(a Qt paragraph) at a time, so that a keystroke restyles only its own line. A line's
block structure (heading, list item, block quote, rule, code) and its inline spans
(emphasis, strong, code, links) come from markdown-it-py's parse of that line; what
one line cannot know (inside a fenced code block, a list's continuation) is carried
from line to line in a small `LineState` number, as `QSyntaxHighlighter` carries its
block state. Offsets are code points into the line; the Qt side converts to UTF-16.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from itertools import chain
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token


class Role(StrEnum):
    """What a stretch of a line is, in Markdown's terms; the editor gives each a look."""

    HEADING = "heading"  # the heading's words (its level is in Span.level)
    MARKER = "marker"  # syntax shown dimmed: # marks, * and _, `, brackets, > and rules
    EMPHASIS = "emphasis"
    STRONG = "strong"
    STRIKE = "strike"
    CODE = "code"  # an inline code span, backticks included
    CODE_BLOCK = "code-block"  # a line of a fenced or indented code block
    LINK = "link"  # a link's words, an autolink or a bare URL
    URL = "url"  # a link's destination and title, inside ( )
    QUOTE = "quote"  # the words of a block quote
    LIST_MARKER = "list-marker"  # "-", "*", "+", "1." of a list item
    RULE = "rule"  # a horizontal rule's characters


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    role: Role
    level: int = 0  # the heading level for HEADING, else 0


# LineState: what the previous lines leave open, as one int (QSyntaxHighlighter's
# block state). Fences pack their marker and length above FENCE.
START = 0  # the document's start, or after a blank line
TEXT = 1  # after a line of text
LIST = 2  # after a list item or its continuation
FENCE = 1000  # + 100 for "~" fences + the fence's length


@dataclass
class LineStyle:
    """A line's spans, the state it leaves, and the hanging indent of a list item: how
    many characters the first line's marker takes, that wrapped lines line up with."""

    spans: list[Span] = field(default_factory=list)
    state: int = START
    hang: int = 0


_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*$")
# A line with none of these is plain prose: no parse needed (most lines of a draft).
_MARKUP_CHARS = re.compile(r"[*_`\[\]<>\\&~!]|://|^\s*(?:[#>+=|-]|\d+[.)])|^ {4}|^\t")
# Bare URLs in text: styled as links, and never spell checked.
BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"’”]")


def next_state(text: str, state: int = START) -> int:
    """The state a line leaves for the next, cheaply (no parse): `style_line` says the
    same, so a line styled later never changes what the lines after it look like."""
    if state >= FENCE:
        return START if _closes_fence(text, state) else state
    if not text.strip():
        return START
    fence = _opens_fence(text)
    if fence:
        return FENCE + (100 if fence[0] == "~" else 0) + min(len(fence), 99)
    if state == START and text.startswith(("    ", "\t")):
        return START  # an indented code block: the next indented line is code too
    if _LIST_ITEM.match(text) and not _RULE.match(text):
        return LIST
    if state == LIST and text[:1] in (" ", "\t"):
        return LIST
    return TEXT


@lru_cache(maxsize=4096)
def style_line(text: str, state: int = START) -> LineStyle:
    """The Markdown spans of one line, given the state the lines before it leave.
    (Cached: the result is shared, and never to be changed by the caller.)"""
    style = _spans_of_line(text, state)
    style.state = next_state(text, state)
    return style


def _opens_fence(text: str) -> str:
    """The fence ("```", "~~~~"...) that `text` opens, or ""."""
    opened = _FENCE_OPEN.match(text)
    if not opened or (opened.group(2)[0] == "`" and "`" in opened.group(3)):
        return ""
    return opened.group(2)


def _closes_fence(text: str, state: int) -> bool:
    code = state - FENCE
    char, length = ("~" if code >= 100 else "`"), code % 100
    closing = _FENCE_CLOSE.match(text)
    return bool(closing and closing.group(1)[0] == char and len(closing.group(1)) >= length)


def _spans_of_line(text: str, state: int) -> LineStyle:
    if state >= FENCE:
        return _inside_fence(text, state)
    if not text.strip():
        return LineStyle()
    marker = _opens_fence(text)
    if marker:
        start = len(text) - len(text.lstrip(" "))
        spans = [Span(start, start + len(marker), Role.MARKER)]
        if text[start + len(marker) :].strip():
            spans.append(Span(start + len(marker), len(text), Role.CODE_BLOCK))
        return LineStyle(spans)
    indent = len(text) - len(text.lstrip(" \t"))
    if state == START and text.startswith(("    ", "\t")):
        return LineStyle([Span(indent, len(text), Role.CODE_BLOCK)])
    # After text or a list item an indented line continues it (a nested item stays one).
    offset = indent if state != START and indent >= 4 else 0
    if not _MARKUP_CHARS.search(text[offset:]):
        return LineStyle()
    return _parsed_line(text, offset)


def _inside_fence(text: str, state: int) -> LineStyle:
    if _closes_fence(text, state):
        start = len(text) - len(text.lstrip(" "))
        return LineStyle([Span(start, len(text.rstrip()), Role.MARKER)])
    return LineStyle([Span(0, len(text), Role.CODE_BLOCK)] if text else [])


def _parsed_line(text: str, offset: int) -> LineStyle:
    body = text[offset:]
    tokens = _parser().parse(body)
    style = LineStyle()
    spans = style.spans
    heading = 0
    quoted = False
    list_item = False
    for token in tokens:
        if token.type == "heading_open":
            heading = int(token.tag[1])
        elif token.type == "blockquote_open":
            quoted = True
        elif token.type == "list_item_open":
            list_item = True
        elif token.type == "hr":
            start = offset + len(body) - len(body.lstrip())
            return LineStyle([Span(start, len(text.rstrip()), Role.RULE)])
        elif token.type in ("code_block", "fence"):
            return LineStyle([Span(offset, len(text), Role.CODE_BLOCK)])
        elif token.type == "inline":
            where = _content_offset(body, token.content)
            if where < 0:
                continue  # tabs expanded by the parser: leave the line plain
            content_start = offset + where
            content_end = content_start + len(token.content)
            prefix = text[:content_start]
            if heading:
                hashes = prefix.rstrip()
                spans.append(Span(len(hashes) - len(hashes.lstrip(" ")), len(hashes), Role.MARKER))
                spans.append(Span(content_start, content_end, Role.HEADING, heading))
                closing = text[content_end:].rstrip()
                if closing.strip():
                    first = content_end + len(closing) - len(closing.lstrip())
                    spans.append(Span(first, content_end + len(closing), Role.MARKER))
            if quoted:
                for i, char in enumerate(prefix):
                    if char == ">":
                        spans.append(Span(i, i + 1, Role.MARKER))
                spans.append(Span(content_start, content_end, Role.QUOTE))
            if list_item:
                marker = _LIST_MARKER.search(prefix)
                if marker:
                    spans.append(Span(marker.start(1), marker.end(1), Role.LIST_MARKER))
                style.hang = content_start
            spans.extend(_inline_spans(token, content_start))
            break  # one line holds one inline run
    return style


_LIST_MARKER = re.compile(r"([-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?$")
_LIST_ITEM = re.compile(r"^(?: {0,3}>[ \t]?)*[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_RULE = re.compile(r"^(?: {0,3}>[ \t]?)* {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def _content_offset(body: str, content: str) -> int:
    """Where the parser's inline content starts in the line (-1: it was rewritten)."""
    if not content:
        return -1
    return body.find(content)


def _inline_spans(token: Token, base: int) -> list[Span]:
    spans: list[Span] = []
    opened: dict[str, list[int]] = {}
    children = token.children or []
    for child in children:
        meta = child.meta
        at = meta.get("at")
        if at is None:
            continue
        start = base + at
        kind = child.type
        if kind == "strong_open":
            start -= len(child.markup) - 1  # the pair's second marker became the token
        if kind in ("em_open", "strong_open", "s_open"):
            opened.setdefault(kind[:-5], []).append(start + len(child.markup))
            spans.append(Span(start, start + len(child.markup), Role.MARKER))
        elif kind in ("em_close", "strong_close", "s_close"):
            spans.append(Span(start, start + len(child.markup), Role.MARKER))
            stack = opened.get(kind[:-6])
            if stack:
                role = {"em": Role.EMPHASIS, "strong": Role.STRONG, "s": Role.STRIKE}[kind[:-6]]
                spans.append(Span(stack.pop(), start, role))
        elif kind == "code_inline":
            end = base + meta["end"]
            spans.append(Span(start, end, Role.CODE))
            ticks = len(child.markup)
            spans.append(Span(start, start + ticks, Role.MARKER))
            spans.append(Span(end - ticks, end, Role.MARKER))
        elif kind in ("link_open", "image") and "label_end" in meta:
            end = base + meta["end"]
            label_start = start + (2 if kind == "image" else 1)
            label_end = base + meta["label_end"]
            spans.append(Span(start, label_start, Role.MARKER))
            spans.append(Span(label_start, label_end, Role.LINK))
            spans.append(Span(label_end, end, Role.URL))
        elif kind == "link_open":  # an autolink: <https://...>
            end = base + meta["end"]
            spans.append(Span(start, start + 1, Role.MARKER))
            spans.append(Span(start + 1, end - 1, Role.LINK))
            spans.append(Span(end - 1, end, Role.MARKER))
        elif kind == "html_inline":
            spans.append(Span(start, base + meta["end"], Role.MARKER))
        elif kind == "text_special" and child.info == "escape":
            spans.append(Span(start, start + 1, Role.MARKER))
    taken = [(s.start, s.end) for s in spans if s.role in (Role.CODE, Role.LINK, Role.URL)]
    for url in BARE_URL.finditer(token.content):
        start, end = base + url.start(), base + url.end()
        if not any(a < end and start < b for a, b in taken):
            spans.append(Span(start, end, Role.LINK))
    return spans


@cache
def _parser() -> MarkdownIt:
    """CommonMark with strikethrough, each inline token told where it starts."""
    md = MarkdownIt("commonmark").enable("strikethrough")
    md.disable(["html_block", "reference", "lheading", "table", "text_join"], ignoreInvalid=True)
    ruler = md.inline.ruler
    for rule in list(ruler.__rules__):
        ruler.at(rule.name, _positioned(rule.name, rule.fn))
    return md


def _positioned(
    name: str, rule: Callable[[StateInline, bool], bool]
) -> Callable[[StateInline, bool], bool]:
    """Wrap an inline rule so that the tokens it pushes record where they start."""

    def run(state: StateInline, silent: bool) -> bool:
        if silent:
            return rule(state, silent)
        if state.pending:
            state.pushPending()  # what push() would do anyway: keeps positions exact
        start = state.pos
        first = len(state.tokens)
        if not rule(state, silent):
            return False
        new = state.tokens[first:]
        if name in ("emphasis", "strikethrough"):
            at = start
            for token in new:
                _mark(token, at=at)
                at += len(token.content)
        elif new:
            _mark(new[0], at=start, end=state.pos)
            if name in ("link", "image") and new[0].type in ("link_open", "image"):
                label_from = start + (1 if name == "image" else 0)
                saved = state.pos
                label_end = state.md.helpers.parseLinkLabel(state, label_from, False)
                state.pos = saved
                if label_end >= 0:
                    new[0].meta["label_end"] = label_end
        return True

    return run


def _mark(token: Token, **where: Any) -> None:
    if token.meta is None:
        token.meta = {}
    token.meta.setdefault("at", where["at"])
    if "end" in where:
        token.meta.setdefault("end", where["end"])


@dataclass(frozen=True)
class Heading:
    line: int  # the heading's line (Qt block number)
    level: int
    title: str


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


def outline(lines: Iterable[str]) -> list[Heading]:
    """The document's headings in order (none inside code blocks), cheaply: no parse."""
    found: list[Heading] = []
    state = START
    for number, text in enumerate(lines):
        state = _outline_line(text, number, state, found)
    return found


#: The only lines the outline needs to read: a heading's or a fence's (" {0,3}" then
#: "#", "`" or "~"). Every other line leaves a code fence as it was, open or closed.
_OUTLINE_LINE = " {0,3}[#`~]"
_OUTLINE_FIRST = re.compile(_OUTLINE_LINE)


@lru_cache(maxsize=4)
def _outline_after(separator: str) -> re.Pattern[str]:
    # The separator first, not "(?m)^": a literal lets the regex engine skip ahead
    # (10 MB: 4.5 ms against 57).
    return re.compile(re.escape(separator) + _OUTLINE_LINE)


def outline_of_text(text: str, separator: str = "\n") -> list[Heading]:
    """`outline` of the lines of `text` (`separator` between them: "\u2029" for a
    QTextDocument's raw text), reading only the lines that can be a heading or a fence:
    a long manuscript's outline without a Python step per line."""
    found: list[Heading] = []
    state = START
    number = seen = 0
    after = (m.start() + len(separator) for m in _outline_after(separator).finditer(text))
    for at in chain([0] if _OUTLINE_FIRST.match(text) else [], after):
        number += text.count(separator, seen, at)
        seen = at
        end = text.find(separator, at)
        # A fence opens or closes here only; what a line in between leaves (text, list,
        # blank) is not a fence either way, so skipping it changes no heading.
        state = _outline_line(text[at : end if end >= 0 else len(text)], number, state, found)
    return found


def _outline_line(text: str, number: int, state: int, found: list[Heading]) -> int:
    if state < FENCE and text[:4].lstrip(" ").startswith("#"):
        heading = _ATX.match(text)
        if heading and heading.group(2):
            found.append(Heading(number, len(heading.group(1)), heading.group(2).strip()))
    return next_state(text, state)
