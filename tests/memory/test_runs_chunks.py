"""AuthoredText holds its text in chunks (issue #12, keystrokes): random inserts,
deletes and replaces against a plain `str` and a per-character list of events, with
the chunk sizes made tiny so a short script cuts, joins and merges chunks many times,
and with the real sizes on a text long enough to hold many chunks. An edit copies
one chunk, never the whole text: `text` is joined only when read."""

from __future__ import annotations

from contextlib import contextmanager
from itertools import accumulate
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from memory import runs
from memory.runs import AuthoredText

PIECES = ["a", "b ", "\n", "\u201c", "\u201d", "\U0001f600", "e\u0301", "\u4e2d\u6587", "xyz"]


@contextmanager
def tiny_chunks():
    with mock.patch.multiple(runs, _CHUNK_MAX=8, _CHUNK_SIZE=4, _CHUNK_MIN=2):
        yield


def check(text: AuthoredText, ref: str, events: list[int]) -> None:
    """The chunks hold `ref` exactly, with consistent ends; the runs are `events`."""
    assert len(text) == len(ref)
    chunks = text._chunks
    assert all(chunks), "no empty chunk"
    assert list(accumulate(map(len, chunks))) == text._ends
    assert "".join(chunks) == ref
    per_char = [e for _, n, e in text.iter_runs() for _ in range(n)]
    assert per_char == events


OPS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace", "typing"]),
        st.floats(0, 1),  # where, as a share of the text
        st.integers(0, 40),  # how many characters go
        st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
        st.floats(0, 1),  # a slice to read: start
        st.floats(0, 1),  # and length
        st.booleans(),  # read the whole text after this edit
    ),
    min_size=1,
    max_size=120,
)


def apply(
    text: AuthoredText, ref: str, events: list[int], op: tuple, event: int
) -> tuple[str, list[int]]:
    kind, where, size, inserted, *_ = op
    start = int(where * len(ref))
    removed = min(size, len(ref) - start)
    if kind == "insert":
        text.replace(start, 0, inserted, [(len(inserted), event)])
        return ref[:start] + inserted + ref[start:], events[:start] + [event] * len(
            inserted
        ) + events[start:]
    if kind == "delete":
        if not removed:
            return ref, events
        text.replace(start, removed, "", [])
        return ref[:start] + ref[start + removed :], events[:start] + events[start + removed :]
    if kind == "replace":
        # two writers in one change: a paste of text with its authors
        half = len(inserted) // 2
        segments = [(half, max(1, event - 1)), (len(inserted) - half, event)]
        text.replace(start, removed, inserted, segments)
        new_events = [max(1, event - 1)] * half + [event] * (len(inserted) - half)
        return ref[:start] + inserted + ref[start + removed :], (
            events[:start] + new_events + events[start + removed :]
        )
    # a run of typing, one event a key
    keys = list(inserted)
    seqs = list(range(event, event + len(keys)))
    text.insert_runs(start, inserted, [1] * len(keys), seqs)
    return ref[:start] + inserted + ref[start:], events[:start] + seqs + events[start:]


def run_script(ops: list[tuple], initial: str) -> None:
    text = AuthoredText(initial, 1) if initial else AuthoredText()
    ref, events = initial, [1] * len(initial)
    event = 2
    for op in ops:
        version = text.version
        ref, events = apply(text, ref, events, op, event)
        event += 100
        assert text.version >= version
        *_, lo, size, read_all = op
        start = int(lo * (len(ref) + 2))
        end = start + int(size * (len(ref) + 2))
        assert text.text_slice(start, end) == ref[start:end]
        if ref:
            index = int(lo * (len(ref) - 1))
            assert text.char_at(index) == ref[index]
        if read_all:
            assert text.text == ref
            assert text.text is text.text  # kept until the next edit
            assert text.text_slice(start, end) == ref[start:end]
        check(text, ref, events)
    assert text.text == ref
    copy = text.copy()
    assert copy.text == ref and copy.runs() == text.runs()


@settings(max_examples=150, deadline=None)
@given(OPS, st.sampled_from(["", "ab", "\u201cQuiet,\u201d she said. \U0001f600 " * 3]))
def test_tiny_chunks_match_a_plain_string(ops: list[tuple], initial: str) -> None:
    with tiny_chunks():
        run_script(ops, initial)


@settings(max_examples=25, deadline=None)
@given(OPS)
def test_real_chunks_match_a_plain_string(ops: list[tuple]) -> None:
    """A text of many real chunks (60,000 characters), one curly quote and an emoji."""
    initial = ("\u201cThe keeper climbed the stairs.\u201d " * 2000)[:60_000] + "\U0001f600"
    run_script(ops, initial)


def test_a_long_text_read_at_once_is_cut_at_its_first_edit() -> None:
    whole = "\u201c" + "word " * 200_000  # 1 MB, one curly quote
    text = AuthoredText.from_runs(whole, [(len(whole), 1)])
    assert text._chunks == [whole] and text.text is whole  # nothing copied to open it
    text.replace(len(whole), 0, "x", [(1, 2)])
    assert len(text._chunks) == 2  # the text before, and the last few KB with the key
    assert len(text._chunks[-1]) <= runs._CHUNK_MAX
    assert text.text == whole + "x"


def test_the_first_edit_in_the_middle_cuts_only_around_it() -> None:
    """A long chunk is cut into three: before, about `_CHUNK_SIZE` around the edit, after
    (a 50 MB text's first keystroke cut it all into 8 KB chunks: 105 ms)."""
    whole = "\u201c" + "word " * 200_000
    text = AuthoredText.from_runs(whole, [(len(whole), 1)])
    middle = len(whole) // 2
    text.replace(middle, 0, "x", [(1, 2)])
    before, around, after = text._chunks
    assert len(before) + len(around) - 1 + len(after) == len(whole)
    assert len(before) < middle < len(before) + len(around) <= len(before) + runs._CHUNK_MAX
    text.replace(middle + 1, 3, "", [])  # the next edits stay in that chunk
    text.replace(100, 0, "y", [(1, 3)])  # one in another long chunk cuts that one
    assert len(text._chunks) == 4  # [the first 8 KB with "y", the rest of before, ...]
    expected = whole[:100] + "y" + whole[100:middle] + "x" + whole[middle + 3 :]
    assert text.text == expected
    assert [e for _, n, e in text.iter_runs() for _ in range(n)] == (
        [1] * 100 + [3] + [1] * (middle - 100) + [2] + [1] * (len(whole) - middle - 3)
    )


def test_a_keystroke_copies_one_chunk_and_joins_nothing() -> None:
    whole = "a" * 1_000_000
    text = AuthoredText(whole, 1)
    text.replace(500_000, 0, "b", [(1, 2)])  # the first edits cut the text around them
    text.replace(len(text), 0, "\u201d", [(1, 2)])
    text.replace(10, 0, "c", [(1, 2)])
    before = list(text._chunks)
    for i in range(1, 50):
        text.replace(len(text), 0, "\u201d", [(1, 3 + i)])
        text.replace(10, 0, "c", [(1, 100 + i)])
    assert text._joined is None  # never joined
    changed = [k for k, (a, b) in enumerate(zip(before, text._chunks, strict=True)) if a is not b]
    assert changed == [0, len(before) - 1]  # only the chunks typed into
    assert text.text_slice(len(text) - 3, len(text)) == "\u201d" * 3
    assert text.text == "a" * 10 + "c" * 50 + "a" * 499_990 + "b" + "a" * 500_000 + "\u201d" * 50


def test_slices_clamp_like_str_and_refuse_negative_offsets() -> None:
    text = AuthoredText("abc\U0001f600", 1)
    assert text.text_slice(2, 99) == "c\U0001f600"
    assert text.text_slice(3, 1) == ""
    assert text.text_slice(9, 12) == ""
    for bad in ((-1, 2), (0, -1)):
        try:
            text.text_slice(*bad)
        except ValueError:
            pass
        else:
            raise AssertionError(bad)
    try:
        text.char_at(4)
    except IndexError:
        pass
    else:
        raise AssertionError("past the end")
