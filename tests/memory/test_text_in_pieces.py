"""A save reads the text as the chunks the editor holds it in, never joined.

Grapheme clusters, the SHA-256, the authorship block and the encoded bytes found over
pieces must be exactly what the joined text gives, wherever the seams fall: a cluster
(an emoji with its modifier, a flag, "e" and its accent, CR LF) may run over a seam.
"""

from __future__ import annotations

import itertools

import regex
from hypothesis import given
from hypothesis import strategies as st

from app import files
from memory.events import Author, EditEvent, How, SourceKind
from memory.provenance import graphemes
from memory.provenance.annotations import annotation_block, annotation_block_of_pieces
from memory.provenance.build import record_of_runs
from memory.provenance.text_hash import sha256_hex, sha256_of_pieces

#: What the pieces are cut from: joiners (accents, ZWJ, flags, CR LF, Hangul jamo) and
#: text that joins nothing (ASCII, curly quotes, an emoji alone).
ATOMS = [
    "a",
    "the ",
    "\u201cyes\u201d ",
    "caf\u00e9",
    "e",
    "\u0301",
    "\U0001f642",
    "\U0001f3fd",
    "\u200d",
    "\U0001f1eb",
    "\U0001f1f7",
    "\r",
    "\n",
    "\u1100",
    "\u1161",
]

AUTHORS = [
    Author(SourceKind.PERSON, "Ann"),
    Author(SourceKind.MODEL, "tiny", "ab" * 32),
    Author(SourceKind.CLIPBOARD, "clipboard"),
]


@st.composite
def cut_text(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A text and the same text cut into pieces at arbitrary places (empty ones too)."""
    text = "".join(draw(st.lists(st.sampled_from(ATOMS), max_size=40)))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in itertools.pairwise(bounds)]


@given(cut_text())
def test_clusters_found_over_pieces_are_the_joined_texts(case: tuple[str, list[str]]) -> None:
    text, pieces = case
    clusters = [m.start() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)]
    assert list(graphemes.cluster_starts_of_pieces(pieces)) == [*clusters, len(text)]
    found = graphemes.GraphemeMap.of_pieces(pieces)
    whole = graphemes.GraphemeMap(text)
    assert found.count == whole.count
    for index in range(len(text) + 1):
        assert found.to_grapheme(index) == whole.to_grapheme(index)


@given(cut_text())
def test_the_hash_of_pieces_is_the_hash_of_the_text(case: tuple[str, list[str]]) -> None:
    text, pieces = case
    assert sha256_of_pieces(pieces) == sha256_hex(text)


@given(cut_text(), st.data())
def test_the_block_made_over_pieces_is_the_block_of_the_record(
    case: tuple[str, list[str]], data: st.DataObject
) -> None:
    """What a save writes after the text (`_SavedRuns.block`) is byte for byte the block
    of the record an export makes of the same text and runs."""
    text, pieces = case
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8)))
    bounds = sorted({0, *cuts, len(text)})
    events = {
        seq: EditEvent(seq, AUTHORS[seq % len(AUTHORS)], How.TYPED, 1.0 + seq) for seq in range(4)
    }
    runs = [
        (a, b - a, data.draw(st.integers(0, 3))) for a, b in itertools.pairwise(bounds) if b > a
    ]
    record = record_of_runs("t", text, runs, events, "head", "test")
    block, digest = annotation_block_of_pieces(
        pieces, ((s, n, events[e].author) for s, n, e in runs)
    )
    assert block == annotation_block(record)
    assert digest == sha256_hex(text)


@given(cut_text(), st.sampled_from(["\n", "\r\n"]), st.integers(1, 9))
def test_pieces_encode_to_the_bytes_of_the_joined_text(
    case: tuple[str, list[str]], newline: str, size: int
) -> None:
    text, pieces = case
    text = text.replace("\r", "")
    pieces = [piece.replace("\r", "") for piece in pieces]
    fmt = files.FileFormat(encoding="utf-8", bom=newline == "\r\n", newline=newline)
    then = "\n---\nAnn: 0,3  \n...\n"
    encoded = b"".join(files.encode_pieces(pieces, fmt, size, then=then))
    assert encoded == files.encode_text(text + then, fmt)
