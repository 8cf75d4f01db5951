"""iA Writer's Markdown Annotations (open format, v0.1; github.com/iainc/Markdown-Annotations).

A file is the text, then a block: a `---` line, a hash annotation
(`Annotations: start,length SHA-256 <hex>` over the annotated text), one authorship
annotation per author (`@Name` for people, `&Name` for other sources, then ranges
`start[,length]` counted in grapheme clusters), and a `...` line at the end of the file.

Draftsmith writes one blank line between text and block, as the spec recommends; the hash
range then omits that last newline when the text itself has none.

A block can be hostile or damaged; it is then flagged (`problems`, so the writer decides),
never applied by guesswork and never a crash: ranges claimed by two authors (neither gets
them), a block cut off before its `...` line (never read as body text), an author line
with no name or with control characters, negative or enormous numbers, more than
`MAX_AUTHORS` authors or `MAX_RANGES` ranges. Author identifiers
(`<...>`, part of the spec) carry the source kind for sources other than people, e.g.
`&SmolLM2 <model sha256=ab12...>`, `&Clipboard <clipboard>`, so a round trip keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

from memory.events import Author, SourceKind
from memory.provenance.graphemes import GraphemeMap
from memory.provenance.record import ProvenanceRecord
from memory.provenance.text_hash import sha256_hex, sha256_of_pieces

HASH_KEY = "Annotations"
MAX_AUTHORS = 1_000
MAX_RANGES = 200_000
MAX_NAME = 200
#: Ranges on one line of a block (more go on indented continuation lines).
RANGES_PER_LINE = 1_000
#: Numbers past this many digits are refused (no text has 10^15 characters).
_NUMBER = r"\d{1,15}"
_HASH_VALUE = regex.compile(
    rf"^({_NUMBER})(?:,({_NUMBER}))?[ \t]+SHA-256[ \t]+([0-9A-Fa-f]{{32,64}})[ \t]*$"
)
_RANGE = regex.compile(rf"^({_NUMBER})(?:,({_NUMBER}))?$")
_NUMBER_LIKE = regex.compile(r"^[-+]?\d[\d,.\-+eE]*$")
_CONTROL = regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPECIAL_IN_NAME = regex.compile(r"([\\:<>,])")
_IDENTIFIER_MODEL = regex.compile(r"^model(?:[ \t]+sha256=([0-9A-Fa-f]+))?$")


@dataclass(frozen=True, slots=True)
class AnnotatedAuthor:
    """One author annotation: who, and which grapheme ranges (start, length) they wrote."""

    sigil: str  # "@" a person, "&" any other source
    name: str
    identifier: str = ""  # inside <...>, unescaped; "" when absent
    session: str = ""
    ranges: tuple[tuple[int, int], ...] = ()  # grapheme clusters
    content: str = ""  # anything after the ranges (reserved by the spec)

    @property
    def kind(self) -> SourceKind:
        """The source kind: from a Draftsmith identifier, else person for `@`, model for `&`."""
        if self.sigil == "@":
            return SourceKind.PERSON
        ident = self.identifier.strip()
        if _IDENTIFIER_MODEL.match(ident):
            return SourceKind.MODEL
        for kind in SourceKind:
            if ident == kind.value:
                return kind
        return SourceKind.MODEL

    @property
    def model_sha256(self) -> str:
        match = _IDENTIFIER_MODEL.match(self.identifier.strip())
        return (match.group(1) or "").lower() if match else ""

    def as_author(self) -> Author:
        return Author(self.kind, self.name, self.model_sha256)


@dataclass(slots=True)
class ParsedAnnotations:
    """A Markdown file read back. `hash_ok` False means the text changed since the block was
    written (or the hash is missing): the editor must warn and let the writer keep or drop
    the annotations; ranges are never moved by guesswork."""

    text: str
    authors: list[AnnotatedAuthor] = field(default_factory=list)
    has_block: bool = False
    hash_ok: bool = False
    hash_range: tuple[int, int] | None = None  # graphemes
    annotated_end: int | None = None  # graphemes: where the annotated text ends (None: all)
    declared_hash: str = ""
    other: dict[str, str] = field(default_factory=dict)  # annotations that are not authors
    problems: list[str] = field(default_factory=list)
    #: grapheme ranges (start, length) claimed by more than one author: no one's
    contested: list[tuple[int, int]] = field(default_factory=list)
    truncated: bool = False  # the block has no closing `...` line

    @property
    def needs_review(self) -> bool:
        """True when there are annotations the writer must confirm before editing."""
        return self.has_block and (not self.hash_ok or bool(self.problems))

    def author_ranges(self) -> dict[str, list[tuple[int, int]]]:
        """Author key -> grapheme ranges (authors with one key merged)."""
        result: dict[str, list[tuple[int, int]]] = {}
        for author in self.authors:
            result.setdefault(author.as_author().key, []).extend(author.ranges)
        return {key: _merge(sorted(ranges)) for key, ranges in result.items()}

    def code_point_ranges(self) -> dict[str, list[tuple[int, int]]]:
        """Author key -> code point ranges (start, length) in `text`: the valid ranges only
        (a range beyond the annotated text, or beyond the text, is left out, and so is
        every part claimed by two authors: neither can be believed there)."""
        graphemes = GraphemeMap(self.text)
        end = self._valid_end(graphemes)
        return {
            key: [
                graphemes.span_to_index(s, n)
                for start, length in ranges
                if start + length <= end
                for s, n in _without(start, length, self.contested)
            ]
            for key, ranges in self.author_ranges().items()
        }

    def invalid_ranges(self) -> list[tuple[str, int, int]]:
        """(author key, start, length) of every range `code_point_ranges` leaves out."""
        end = self._valid_end(GraphemeMap(self.text))
        return [
            (key, s, n)
            for key, ranges in self.author_ranges().items()
            for s, n in ranges
            if s + n > end
        ]

    def _valid_end(self, graphemes: GraphemeMap) -> int:
        if self.annotated_end is None:
            return graphemes.count
        return min(self.annotated_end, graphemes.count)


def authorship_annotations(record: ProvenanceRecord) -> list[AnnotatedAuthor]:
    """The record's authorship as annotations, in order of first appearance in the text."""
    runs = ((run.start, run.length, run.author) for run in record.runs())
    return _annotations_of(GraphemeMap(record.text), runs)


def _annotations_of(
    graphemes: GraphemeMap, runs: Iterable[tuple[int, int, Author | None]]
) -> list[AnnotatedAuthor]:
    """Annotations from (start, length, author) runs in code points, in order (None:
    no author claims the run), converted to clusters by `graphemes`."""
    by_author: dict[Author, list[tuple[int, int]]] = {}
    for run_start, run_length, author in runs:
        if author is None:
            continue
        start, length = graphemes.span_to_graphemes(run_start, run_length)
        if length:
            by_author.setdefault(author, []).append((start, length))
    return [annotation_for(author, _merge(ranges)) for author, ranges in by_author.items()]


def annotation_for(author: Author, ranges: list[tuple[int, int]]) -> AnnotatedAuthor:
    if author.kind is SourceKind.PERSON:
        return AnnotatedAuthor("@", author.name, ranges=tuple(ranges))
    identifier = author.kind.value
    if author.kind is SourceKind.MODEL and author.model_sha256:
        identifier = f"model sha256={author.model_sha256}"
    return AnnotatedAuthor("&", author.name, identifier, ranges=tuple(ranges))


def write_annotated_markdown(record: ProvenanceRecord) -> str:
    """The text followed by an iA Markdown Annotations block for its authorship."""
    return record.text + annotation_block(record)


def annotation_block(record: ProvenanceRecord) -> str:
    """What `write_annotated_markdown` puts after the text: the separator and the block.
    A save writes the two apart (`app.document_session`): joining a 50 MB manuscript to
    its block was one copy of 0.7 s holding the interpreter's lock."""
    return block_after(record.text, authorship_annotations(record))


def annotate_text(text: str, authors: list[AnnotatedAuthor]) -> str:
    return text + block_after(text, authors)


def annotation_block_of_pieces(
    pieces: Sequence[str], runs: Iterable[tuple[int, int, Author | None]]
) -> tuple[str, str]:
    """`annotation_block` of the text the `pieces` make joined, whose (start, length,
    author) runs cover it in order, and that text's SHA-256 (hex): the pieces are never
    joined. A save takes the editor's text as the chunks it is held in; joined, 50 MB
    was one allocation of 100-200 MB holding the interpreter's lock for 50-400 ms."""
    graphemes = GraphemeMap.of_pieces(pieces)
    digest = sha256_of_pieces(pieces)
    last = next((piece for piece in reversed(pieces) if piece), "")
    authors = _annotations_of(graphemes, runs)
    return _block(graphemes.count, digest, last.endswith("\n"), authors), digest


def block_after(text: str, authors: list[AnnotatedAuthor]) -> str:
    """The separator and the annotations block that follow `text`."""
    return _block(GraphemeMap(text).count, sha256_hex(text), text.endswith("\n"), authors)


def _block(count: int, digest: str, ends_line: bool, authors: list[AnnotatedAuthor]) -> str:
    """The separator and the block after a text of `count` clusters whose SHA-256 is
    `digest` (`ends_line`: the text ends with a newline)."""
    lines = [f"{HASH_KEY}: 0,{count} SHA-256 {digest}"]
    for author in authors:
        tokens = [f"{s},{n}" if n != 1 else f"{s}" for s, n in author.ranges]
        # A long list goes on indented continuation lines (the spec's multi-line values):
        # a manuscript's one line of 30,000 ranges would be over the longest line
        # Draftsmith opens (`app.files.MAX_LINE_CHARS`).
        rows = [
            " ".join(tokens[i : i + RANGES_PER_LINE])
            for i in range(0, len(tokens), RANGES_PER_LINE)
        ]
        lines.append(f"{_author_key(author)}: {rows[0] if rows else ''}".rstrip())
        lines.extend("  " + row for row in rows[1:])
    separator = "\n" if ends_line else "\n\n"
    # Two trailing spaces, as iA Writer writes them: Markdown viewers keep the lines apart.
    return separator + "---\n" + "".join(line + "  \n" for line in lines) + "...\n"


def _author_key(author: AnnotatedAuthor) -> str:
    key = author.sigil + _SPECIAL_IN_NAME.sub(r"\\\1", author.name)
    if author.identifier:
        escaped = author.identifier.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>")
        key += f" <{escaped.replace(':', chr(92) + ':')}>"
    if author.session:
        key += ", " + author.session.replace(":", "\\:")
    return key


def parse_annotated_markdown(content: str) -> ParsedAnnotations:
    """Split a Markdown file into its text and its annotation block (if it has one)."""
    if "---" not in content:  # no block, whole or cut off, starts without its `---` line
        return ParsedAnnotations(text=content)
    return _parse_lines(content)


#: Characters of a file's end split into lines first when looking for its block; the
#: tail grows fourfold until the block's first line (or the file's start) is inside it.
_TAIL = 1 << 16


class _NeedMore(Exception):
    """The block may begin before the tail of the file that was split into lines."""


def _parse_lines(content: str) -> ParsedAnnotations:
    """The block is at the end: only a tail of the file is split into lines (a 50 MB
    manuscript's lines would be another copy of it), grown until the search ends inside
    it; the text before the block is one slice of `content`."""
    size = _TAIL
    while True:
        cut = _line_start_before(content, len(content) - size)
        try:
            return _parse_tail(content, cut)
        except _NeedMore:
            size *= 4


def _line_start_before(content: str, position: int) -> int:
    """The start of a line at or before `position` (0 at the start of the file): lines
    split from there are the file's own lines (a CRLF is never cut in two)."""
    if position <= 0:
        return 0
    newline = content.rfind("\n", 0, position)
    return newline + 1 if newline >= 0 else 0


def _text_before(content: str, end: int) -> str:
    """`content[:end]` without the newline that ends it (it belongs to the `---` line)."""
    if end >= 2 and content.startswith("\r\n", end - 2):
        return content[: end - 2]
    if end >= 1 and content.startswith("\n", end - 1):
        return content[: end - 1]
    return content[:end]


def _parse_tail(content: str, cut: int) -> ParsedAnnotations:
    """`_parse_lines` on the lines from `cut` on; raises `_NeedMore` where the answer
    depends on lines before `cut`."""
    lines = content[cut:].splitlines(keepends=True)
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if not end and cut:
        raise _NeedMore
    if not end or lines[end - 1].strip(" \t\r\n") != "...":
        return _truncated_block(content, lines, cut) or ParsedAnnotations(text=content)
    begin = end - 1
    while begin > 0 and lines[begin - 1].rstrip("\r\n").rstrip(" \t") != "---":
        begin -= 1
    if begin == 0:
        if cut:
            raise _NeedMore
        return ParsedAnnotations(text=content)
    block_start = begin - 1
    annotations = _split_annotations([line.rstrip("\r\n") for line in lines[begin : end - 1]])
    if annotations is None:  # not a valid block: the whole file is text
        return ParsedAnnotations(text=content)
    # The newline ending the last text line belongs to the `---` line that follows it.
    before_end = cut + sum(map(len, lines[:block_start]))
    return _interpret(_text_before(content, before_end), annotations)


def _truncated_block(content: str, lines: list[str], cut: int) -> ParsedAnnotations | None:
    """A block cut off before its `...` line (a copy or a sync that stopped short): the
    last `---` line followed by a hash line. Read what is there and flag it, so that it
    never silently becomes part of the text. `lines` are the file's from `cut` on."""
    begin = len(lines)
    while begin > 0 and lines[begin - 1].rstrip("\r\n").rstrip(" \t") != "---":
        begin -= 1
    if begin == 0 and cut:
        raise _NeedMore
    if begin == 0 or begin == len(lines) or not lines[begin].startswith(HASH_KEY + ":"):
        return None
    body = [line.rstrip("\r\n") for line in lines[begin:]]
    while body and not body[-1].strip():
        body.pop()
    annotations = _split_annotations(body) or _split_annotations(body[:-1]) or []
    before_end = cut + sum(map(len, lines[: begin - 1]))
    full_text = _text_before(content, before_end)
    if annotations:
        parsed = _interpret(full_text, annotations)
    else:
        parsed = ParsedAnnotations(text=full_text, has_block=True)
    parsed.truncated = True
    parsed.problems.insert(
        0,
        "The authorship block at the end of the file is cut off (it has no closing “...” "
        "line): some of who wrote what may be missing.",
    )
    return parsed


def _split_annotations(lines: list[str]) -> list[tuple[str, str]] | None:
    """(key, value) pairs with continuation lines joined; None if a line is not one."""
    result: list[tuple[str, str]] = []
    key_indent = 0
    min_indent: int | None = None
    for line in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        if result and line.strip() == "" or (result and indent >= key_indent + 2):
            if min_indent is None and line.strip():
                min_indent = indent
            cut = min(min_indent if min_indent is not None else indent, len(line))
            key, value = result[-1]
            result[-1] = (key, value + "\n" + line[cut:].rstrip(" "))
            continue
        colon = _unescaped_colon(line)
        if colon < 0:
            return None
        key = line[:colon].strip(" \t").replace("\\:", ":")
        result.append((key, line[colon + 1 :].strip(" \t")))
        key_indent = indent
        min_indent = None
    if not result:
        return None
    return [(key, value.rstrip("\n")) for key, value in result]


def _unescaped_colon(line: str) -> int:
    escaped = False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            return i
    return -1


def _interpret(full_text: str, annotations: list[tuple[str, str]]) -> ParsedAnnotations:
    parsed = ParsedAnnotations(text=full_text, has_block=True)
    first_key, first_value = annotations[0]
    hash_match = _HASH_VALUE.match(first_value)
    rest = annotations
    if first_key[:1] in "@&" or not hash_match:
        graphemes = GraphemeMap(full_text)
        annotated_end = graphemes.count
        parsed.problems.append("The annotation block has no hash line (Annotations: ...).")
    else:
        rest = annotations[1:]
        start = int(hash_match.group(1))
        length = int(hash_match.group(2)) if hash_match.group(2) is not None else 1
        parsed.hash_range = (start, length)
        parsed.declared_hash = hash_match.group(3).lower()
        annotated_end = start + length
        # A hash range that omits the last newline (Draftsmith's, for a text without a
        # final newline) leaves it out of the text. When the hash says so, the text
        # without it is mapped alone (a final LF is a cluster of its own, a final CRLF
        # one cluster: rules GB3-GB5), so a long text is split once, not twice.
        mapped: GraphemeMap | None = None
        if start == 0 and full_text.endswith("\n"):
            shorter_end = len(full_text) - (2 if full_text.endswith("\r\n") else 1)
            said = sha256_hex(full_text, 0, shorter_end)
            if said.startswith(parsed.declared_hash):
                shorter = full_text[:shorter_end]
                candidate = GraphemeMap(shorter)
                if candidate.count == annotated_end:
                    parsed.text, mapped = shorter, candidate
        if mapped is not None:
            graphemes = mapped
        else:
            graphemes = GraphemeMap(full_text)
            if annotated_end == graphemes.count - 1 and graphemes.cluster(annotated_end) in (
                "\n",
                "\r\n",
            ):  # the hash range omits the last newline: it is not part of the text
                parsed.text = full_text[: graphemes.to_index(annotated_end)]
                graphemes = GraphemeMap(parsed.text)
        if annotated_end > graphemes.count:
            parsed.problems.append(
                f"The hash line covers {annotated_end} characters, the text has only "
                f"{graphemes.count}."
            )
        else:
            begin, size = graphemes.span_to_index(start, length)
            digest = sha256_hex(parsed.text, begin, begin + size)
            parsed.hash_ok = digest.startswith(parsed.declared_hash)
            if not parsed.hash_ok:
                parsed.problems.append(
                    "The text does not match the annotation hash: it changed after the "
                    "authorship was recorded, so the ranges may be misplaced."
                )
    parsed.annotated_end = annotated_end
    ranges_read = 0
    for key, value in rest:
        if not key or key[0] not in "@&":
            parsed.other[key] = value
            continue
        label = _quoted(key)
        if len(parsed.authors) >= MAX_AUTHORS:
            parsed.problems.append(
                f"The block names more than {MAX_AUTHORS:,} authors: the others (from "
                f"{label} on) were not read."
            )
            break
        author, refused = _parse_author(key, value)
        if refused:
            parsed.problems.append(
                f"{label} has {_count(len(refused), 'range')} that {_is_are(len(refused))} "
                f"not a valid start,length ({_quoted(' '.join(refused[:3]))}): "
                f"{_it_they(len(refused))} {_is_are(len(refused))} not used."
            )
        if not author.name:
            parsed.problems.append(f"The author line {label} has no name: its ranges are not used.")
            continue
        if _CONTROL.search(author.name) or len(author.name) > MAX_NAME:
            parsed.problems.append(
                f"The author line {label} has a name that is too long or holds control "
                "characters: its ranges are not used."
            )
            continue
        if ranges_read + len(author.ranges) > MAX_RANGES:
            parsed.problems.append(
                f"The block has more than {MAX_RANGES:,} ranges: the others (from {label} "
                "on) were not read."
            )
            break
        ranges_read += len(author.ranges)
        for s, n in author.ranges:
            if s + n > annotated_end:
                parsed.problems.append(f"Range {s},{n} of {key} lies outside the annotated text.")
                break
        parsed.authors.append(author)
    _find_contested(parsed, min(annotated_end, graphemes.count))
    return parsed


def _find_contested(parsed: ParsedAnnotations, limit: int) -> None:
    """Flag every stretch two authors both claim with valid ranges (ending by `limit`): one
    of them would silently vanish."""
    claims = sorted(
        (start, start + length, key)
        for key, ranges in parsed.author_ranges().items()
        for start, length in ranges
        if length > 0 and start + length <= limit
    )
    contested: list[tuple[int, int]] = []
    pairs: dict[tuple[str, str], tuple[int, int]] = {}
    reach, holder = 0, ""
    for start, end, key in claims:
        if start < reach and key != holder:
            overlap = (start, min(end, reach))
            pair = (min(holder, key), max(holder, key))
            pairs.setdefault(pair, overlap)
            if contested and contested[-1][1] >= overlap[0]:
                contested[-1] = (contested[-1][0], max(contested[-1][1], overlap[1]))
            else:
                contested.append(overlap)
        if end > reach:
            reach, holder = end, key
    parsed.contested = [(start, end - start) for start, end in contested]
    names = {author.as_author().key: author.sigil + author.name for author in parsed.authors}
    for (first, second), (start, end) in list(pairs.items())[:5]:
        parsed.problems.append(
            f"{_quoted(names.get(first, first))} and {_quoted(names.get(second, second))} both "
            f"claim characters {start:,} to {end - 1:,}: neither is credited with them until "
            "you decide."
        )
    if len(pairs) > 5:
        parsed.problems.append(
            f"… and {len(pairs) - 5:,} more pairs of authors claim the same text."
        )


def _without(start: int, length: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The range (start, length) less the `holes` (sorted, disjoint ranges)."""
    pieces: list[tuple[int, int]] = []
    position, end = start, start + length
    for hole_start, hole_length in holes:
        hole_end = hole_start + hole_length
        if hole_end <= position or hole_start >= end:
            continue
        if hole_start > position:
            pieces.append((position, hole_start - position))
        position = max(position, hole_end)
    if position < end:
        pieces.append((position, end - position))
    return pieces


def _quoted(text: str) -> str:
    shown = _CONTROL.sub("\ufffd", text)
    return f"“{shown[:60]}…”" if len(shown) > 60 else f"“{shown}”"


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n:,} {noun}s"


def _is_are(n: int) -> str:
    return "is" if n == 1 else "are"


def _it_they(n: int) -> str:
    return "it" if n == 1 else "they"


def _parse_author(key: str, value: str) -> tuple[AnnotatedAuthor, list[str]]:
    """The author line, and the tokens that look like ranges but are not valid ones
    (negative, enormous, malformed)."""
    sigil, rest = key[0], key[1:].lstrip(" \t")
    name_chars: list[str] = []
    identifier = ""
    session = ""
    i = 0
    while i < len(rest):
        char = rest[i]
        if char == "\\" and i + 1 < len(rest):
            name_chars.append(rest[i + 1])
            i += 2
            continue
        if char == "<":
            identifier, i = _read_identifier(rest, i)
            session = rest[i:].lstrip(" \t,").strip()
            break
        if char == ",":
            session = rest[i + 1 :].strip()
            break
        name_chars.append(char)
        i += 1
    ranges: list[tuple[int, int]] = []
    refused: list[str] = []
    tokens = value.split()
    content = ""
    for n, token in enumerate(tokens):
        match = _RANGE.match(token)
        if not match:
            if _NUMBER_LIKE.match(token):
                refused.append(token)
                continue
            content = " ".join(tokens[n:])
            break
        length = int(match.group(2)) if match.group(2) is not None else 1
        ranges.append((int(match.group(1)), length))
    name = "".join(name_chars).strip()
    return AnnotatedAuthor(sigil, name, identifier, session, tuple(ranges), content), refused


def _read_identifier(text: str, i: int) -> tuple[str, int]:
    """Read `<...>` from text[i]; escaped or balanced angle brackets belong to it."""
    depth = 0
    out: list[str] = []
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == "<":
            depth += 1
            if depth > 1:
                out.append(char)
        elif char == ">":
            depth -= 1
            if depth == 0:
                return "".join(out), i + 1
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out), i


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, length in ranges:
        if merged and merged[-1][0] + merged[-1][1] == start:
            merged[-1] = (merged[-1][0], merged[-1][1] + length)
        else:
            merged.append((start, length))
    return merged
