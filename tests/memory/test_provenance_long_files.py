"""The provenance engine on long files reads them as it reads short ones.

A file's authorship block is found from a tail of the file (grown until the search ends
inside it) instead of splitting the whole file into lines, and a block's runs are laid
out range by range instead of character by character: both are held here to the
whole-file reading they replace (kept below as the reference), on random files with
blocks whole, cut off, damaged, overlapping, CRLF and other line breaks, curly quotes
and emoji.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import memory.provenance.annotations as annotations
from memory.events import Author, SourceKind
from memory.provenance.annotations import (
    HASH_KEY,
    AnnotatedAuthor,
    ParsedAnnotations,
    annotate_text,
    parse_annotated_markdown,
)
from memory.provenance.build import _annotated_runs_by_character, annotated_runs


def _reference_parse(content: str) -> ParsedAnnotations:
    """`parse_annotated_markdown` as it was: every line of the file split first."""
    if "---" not in content:
        return ParsedAnnotations(text=content)
    split, interpret = annotations._split_annotations, annotations._interpret
    lines = content.splitlines(keepends=True)
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if not end or lines[end - 1].strip(" \t\r\n") != "...":
        begin = len(lines)
        while begin > 0 and lines[begin - 1].rstrip("\r\n").rstrip(" \t") != "---":
            begin -= 1
        if begin == 0 or begin == len(lines) or not lines[begin].startswith(HASH_KEY + ":"):
            return ParsedAnnotations(text=content)
        body = [line.rstrip("\r\n") for line in lines[begin:]]
        while body and not body[-1].strip():
            body.pop()
        found = split(body) or split(body[:-1]) or []
        before = "".join(lines[: begin - 1])
        full_text = before[:-2] if before.endswith("\r\n") else before.removesuffix("\n")
        parsed = interpret(full_text, found) if found else None
        if parsed is None:
            parsed = ParsedAnnotations(text=full_text, has_block=True)
        parsed.truncated = True
        parsed.problems.insert(0, "cut off")
        return parsed
    begin = end - 1
    while begin > 0 and lines[begin - 1].rstrip("\r\n").rstrip(" \t") != "---":
        begin -= 1
    if begin == 0:
        return ParsedAnnotations(text=content)
    before = "".join(lines[: begin - 1])
    found = split([line.rstrip("\r\n") for line in lines[begin : end - 1]])
    if found is None:
        return ParsedAnnotations(text=content)
    if before.endswith("\r\n"):
        return interpret(before[:-2], found)
    return interpret(before[:-1] if before.endswith("\n") else before, found)


ANA = AnnotatedAuthor("@", "Ana", ranges=((0, 3), (5, 10)))
SMOL = AnnotatedAuthor("&", "SmolLM2", "model sha256=" + "ab" * 32, ranges=((3, 2), (12, 40)))
LINES = st.sampled_from(
    [
        "She said “yes” 🙂",
        "---",
        "...",
        "",
        "  ",
        "# Chapter",
        "Annotations: 0,5 SHA-256 " + "0" * 64,
        "@Ana: 0,3 5",
        "&SmolLM2 <model>: 2,4",
        "café\u2028more",
        "x\x0cy",
        "- item",
    ]
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r", "\n\n"])


@st.composite
def files(draw: st.DrawFn) -> str:
    body = "".join(draw(LINES) + draw(ENDINGS) for _ in range(draw(st.integers(0, 12))))
    kind = draw(st.sampled_from(["block", "cut", "none", "damaged"]))
    authors = draw(st.lists(st.sampled_from([ANA, SMOL]), max_size=2))
    if kind == "none":
        return body
    annotated = annotate_text(body, authors)
    if kind == "cut":
        return annotated[: annotated.rindex("...")]
    if kind == "damaged":
        at = draw(st.integers(0, len(annotated)))
        return annotated[:at] + draw(LINES) + annotated[at:]
    return annotated.replace("\n", "\r\n") if draw(st.booleans()) else annotated


@settings(max_examples=300, deadline=None)
@given(files(), st.integers(1, 64))
def test_the_block_is_read_from_the_tail_as_from_the_whole_file(content, tail):
    saved = annotations._TAIL
    annotations._TAIL = tail  # so the tail grows, several times, on short files
    try:
        got = parse_annotated_markdown(content)
    finally:
        annotations._TAIL = saved
    want = _reference_parse(content)
    if want.truncated:  # the reference's words for it are shorter
        want.problems[0] = got.problems[0]
    assert got == want


PEOPLE = [Author(SourceKind.PERSON, "Ana"), Author(SourceKind.PERSON, "Ivo")]
MODEL = Author(SourceKind.MODEL, "SmolLM2", "cd" * 32)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab “”🙂é\n", min_size=0, max_size=80),
    st.lists(
        st.tuples(
            st.sampled_from([*PEOPLE, MODEL]),
            st.lists(st.tuples(st.integers(0, 90), st.integers(0, 30)), max_size=5),
        ),
        max_size=4,
    ),
)
def test_runs_range_by_range_are_the_character_by_character_runs(text, claims):
    block = [
        AnnotatedAuthor(
            "@" if author.kind is SourceKind.PERSON else "&",
            author.name,
            "" if author.kind is SourceKind.PERSON else "model sha256=" + "cd" * 32,
            ranges=tuple(sorted(ranges)),
        )
        for author, ranges in claims
    ]
    parsed = parse_annotated_markdown(annotate_text(text, block))
    unclaimed = Author(SourceKind.IMPORT, "book.md")
    assert annotated_runs(parsed.text, parsed, unclaimed) == _annotated_runs_by_character(
        parsed.text, parsed, unclaimed
    )
    assert annotated_runs(text, None, unclaimed) == ([(0, len(text), unclaimed)] if text else [])


def test_a_long_block_is_written_on_lines_a_file_can_open_and_reads_back():
    from app.files import MAX_LINE_CHARS

    text = "She said “yes” 🙂.\n" * 20_000
    ranges = tuple((i * 3, 2) for i in range(len(text) // 3))  # 120,000 ranges
    block = [AnnotatedAuthor("@", "Ana", ranges=ranges)]
    content = annotate_text(text, block)
    assert max(map(len, content.split("\n"))) < MAX_LINE_CHARS
    parsed = parse_annotated_markdown(content)
    assert parsed.hash_ok and not parsed.problems
    assert parsed.text == text and parsed.authors[0].ranges == ranges
