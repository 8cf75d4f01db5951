"""AuthoredText's fast paths (one-piece inserts, `segments`) against a per-character
reference, long enough to split blocks many times over (issue #12)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from memory.runs import _BLOCK_MAX, AuthoredText

PIECES = ["a", " ", "\u201c", "\u201d", "\U0001f600", "e\u0301", "\u4e2d\u6587", "xyz"]

Ref = list[tuple[str, int]]


def ref_runs(ref: Ref) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for i, (_, e) in enumerate(ref):
        if out and out[-1][2] == e:
            out[-1] = (out[-1][0], out[-1][1] + 1, e)
        else:
            out.append((i, 1, e))
    return out


def check_blocks(text: AuthoredText) -> None:
    """The block bookkeeping the fast paths edit in place stays consistent."""
    assert all(text._lens), "no empty block"
    assert len(text._lens) == len(text._events) == len(text._totals)
    for lens, events, total in zip(text._lens, text._events, text._totals, strict=True):
        assert len(lens) == len(events) <= _BLOCK_MAX
        assert sum(lens) == total and all(n > 0 for n in lens)
    if text._cum is not None:
        running = 0
        for total, end in zip(text._totals, text._cum, strict=True):
            running += total
            assert end == running


# (where, 0..1 of the text; what; which event; delete instead, how many)
OPS = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.sampled_from(PIECES),
        st.integers(1, 6),
        st.one_of(st.just(0), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=500,
)


@settings(max_examples=60, deadline=None)
@given(OPS, st.booleans())
def test_one_piece_inserts_and_deletes_match_reference(
    ops: list[tuple[float, str, int, int]], fresh_events: bool
) -> None:
    text = AuthoredText()
    ref: Ref = []
    for k, (where, piece, event, delete) in enumerate(ops):
        start = round(where * len(ref))
        if delete and ref:
            start = min(start, len(ref) - 1)
            removed = min(delete, len(ref) - start)
            text.replace(start, removed, "", [])
            del ref[start : start + removed]
        else:
            # fresh events: every insert its own run (CoAuthor's keystrokes); else few
            # events, so inserts join the runs beside them, across block boundaries too
            seq = 100 + k if fresh_events else event
            text.replace(start, 0, piece, [(len(piece), seq)])
            ref[start:start] = [(ch, seq) for ch in piece]
        if k % 25 == 0:
            text.event_at(0) if ref else None  # builds the block ends cache mid-way
        check_blocks(text)
    assert text.text == "".join(c for c, _ in ref)
    assert text.runs() == ref_runs(ref)
    for i in range(0, len(ref), 7):
        assert text.event_at(i) == ref[i][1]


@settings(max_examples=60, deadline=None)
@given(OPS, st.data())
def test_segments_match_reference(
    ops: list[tuple[float, str, int, int]], data: st.DataObject
) -> None:
    text = AuthoredText()
    ref: Ref = []
    for k, (where, piece, _event, _delete) in enumerate(ops):
        start = round(where * len(ref))
        text.replace(start, 0, piece, [(len(piece), 1 + k % 3 if k % 2 else 10 + k)])
        ref[start:start] = [(ch, 1 + k % 3 if k % 2 else 10 + k) for ch in piece]
    for _ in range(10):
        a = data.draw(st.integers(0, len(ref)))
        b = data.draw(st.integers(a, len(ref)))
        assert text.segments(a, b) == [(n, e) for _, n, e in ref_runs(ref[a:b])]


def test_typing_at_the_end_fills_and_splits_blocks() -> None:
    """Thousands of one-character events typed at the end, the CoAuthor shape."""
    text = AuthoredText("\u201cPrompt\u201d \U0001f600\n", 1)
    ref: Ref = [(ch, 1) for ch in text.text]
    for seq in range(2, 3000):
        ch = "\U0001f600" if seq % 97 == 0 else "k"
        text.replace(len(text), 0, ch, [(1, seq)])
        ref.append((ch, seq))
    check_blocks(text)
    assert len(text._lens) > 3000 // _BLOCK_MAX
    assert text.runs() == ref_runs(ref)
    assert text.segments(5, 2000) == [(n, e) for _, n, e in ref_runs(ref[5:2000])]
