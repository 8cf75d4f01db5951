"""Authored text: a string plus runs of consecutive characters inserted by one event.

Runs, not arrays: a million-character book costs memory in proportion to its edits.
The runs live in blocks of up to `_BLOCK_MAX` runs with cached block lengths, so an
edit touches one or two blocks (plus a C-speed scan of the block totals), not every
run. The text itself is held in chunks with their cumulative ends; an edit copies one
chunk of at most `_CHUNK_MAX` characters, not the document (a longer chunk, a text
read in one piece, is first cut around the edit); `text` joins them
only when read and keeps the joined string until the next edit. Readers on the
keystroke path take `text_slice` instead. Offsets are code points; convert
UTF-16/grapheme offsets with `positions`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain
from operator import ne

from memory.text_pieces import slice_of_pieces

_BLOCK_MAX = 128  # a block that grows past this is split in halves
_BLOCK_MIN = 32  # a block that shrinks below this is merged with its neighbour
_CHUNK_MAX = 16_384  # a chunk of text longer than this is cut before it is edited
#: The most of the text one edit copies (its chunk), whatever the text's length.
CHUNK_MAX = _CHUNK_MAX
_CHUNK_SIZE = 8_192  # about how long the chunks of a cut are
_CHUNK_MIN = 1_024  # an edited chunk shorter than this joins its neighbour

Segment = tuple[int, int]  # (length, event seq)
Run = tuple[int, int, int]  # (start, length, event seq)


def normalize_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Drop empty pieces and merge neighbours from the same event."""
    out: list[Segment] = []
    for length, event in segments:
        if length < 0:
            raise ValueError(f"segment length {length} is negative")
        if length == 0:
            continue
        if out and out[-1][1] == event:
            out[-1] = (out[-1][0] + length, event)
        else:
            out.append((length, event))
    return out


class AuthoredText:
    """A document's text and, for every character, the event that inserted it."""

    __slots__ = (
        "_chunks",
        "_ends",
        "_length",
        "_joined",
        "_version",
        "_lens",
        "_events",
        "_totals",
        "_cum",
    )

    def __init__(self, text: str = "", event: int | None = None) -> None:
        if text and event is None:
            raise ValueError("non-empty initial text needs the event that wrote it")
        self._chunks: list[str] = []  # the text, in order; none empty
        self._ends: list[int] = []  # where each chunk ends in the text
        self._length = 0
        self._joined: str | None = ""  # the whole text, while no edit has changed it
        self._version = 0
        self._lens: list[list[int]] = []
        self._events: list[list[int]] = []
        self._totals: list[int] = []
        self._cum: list[int] | None = None  # running sums of `_totals`, made when asked
        if text:
            assert event is not None
            self.replace(0, 0, text, [(len(text), event)])

    @classmethod
    def from_runs(cls, text: str, runs: Iterable[Segment]) -> AuthoredText:
        """Rebuild from a text and its (length, event) runs in order (e.g. a snapshot)."""
        out = cls()
        pieces = normalize_segments(runs)
        if sum(length for length, _ in pieces) != len(text):
            raise ValueError("runs do not cover the text exactly")
        out._set_text(text)
        for i in range(0, len(pieces), _BLOCK_MAX // 2):
            chunk = pieces[i : i + _BLOCK_MAX // 2]
            out._lens.append([length for length, _ in chunk])
            out._events.append([event for _, event in chunk])
            out._totals.append(sum(out._lens[-1]))
        out._cum = None
        return out

    @property
    def text(self) -> str:
        """The current text: its chunks joined once after an edit, then kept until the
        next one (a keystroke's readers take `text_slice`)."""
        joined = self._joined
        if joined is None:
            chunks = self._chunks
            joined = self._joined = chunks[0] if len(chunks) == 1 else "".join(chunks)
        return joined

    def chunks(self) -> tuple[str, ...]:
        """The text as it is held, in order (joined, they are `text`): immutable
        strings a reader on another thread can go through without the whole text being
        joined here (50 MB joined in 40-600 ms on the GUI thread). The chunks held,
        also once the text was joined: a reader remembering what it found per chunk
        (`ui.text_stats.ChunkWordCounter`) goes on finding the same ones."""
        return tuple(self._chunks)

    @property
    def version(self) -> int:
        """How many edits changed the text so far: a reader that keeps something derived
        from the text (a position map) knows from it whether the text moved on."""
        return self._version

    def text_slice(self, start: int, end: int) -> str:
        """`text[start:end]` (0 <= start, clamped to the text), without joining the
        whole text: a stretch inside one chunk is one slice of it."""
        if start < 0 or end < 0:
            raise ValueError(f"slice {start}..{end} has a negative end")
        end = min(end, self._length)
        if start >= end:
            return ""
        joined = self._joined
        if joined is not None:
            return joined[start:end]
        return slice_of_pieces(self._chunks, self._ends, start, end)

    def char_at(self, index: int) -> str:
        """The character at code point `index`."""
        if not 0 <= index < self._length:
            raise IndexError(f"index {index} outside a text of {self._length} characters")
        return self.text_slice(index, index + 1)

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return f"AuthoredText({self._length} chars, {self.run_count()} runs)"

    def _set_text(self, text: str) -> None:
        """The whole text at once, kept as one chunk until an edit reaches it."""
        self._chunks = [text] if text else []
        self._ends = [len(text)] if text else []
        self._length = len(text)
        self._joined = text
        self._version += 1

    def _splice(self, start: int, end: int, inserted: str) -> None:
        """`text[start:end] = inserted` in the chunks: the one or two chunks the change
        touches are rebuilt (a chunk past `_CHUNK_MAX` is cut first, so a long text
        read in one piece is cut once, at its first edit); the rest are left as they
        are, and only the ends after the change move."""
        chunks, ends = self._chunks, self._ends
        self._joined = None
        self._version += 1
        delta = len(inserted) - (end - start)
        self._length += delta
        if not chunks:  # an empty text: the inserted one is its one chunk
            # A string of its own, not the caller's: `positions.has_astral` reads a
            # string's size, which grows once sqlite3 has bound it (its UTF-8 is kept).
            inserted = "".join(("", inserted))
            self._chunks, self._ends = ([inserted], [len(inserted)]) if inserted else ([], [])
            self._joined = inserted
            return
        k = bisect_left(ends, start)  # a start on a boundary edits the earlier chunk
        if len(chunks[k]) > _CHUNK_MAX:
            self._cut(k, start)
            k = bisect_left(ends, start)
        if end <= ends[k]:  # inside one chunk: a keystroke, a word, a backspace
            chunk = chunks[k]
            base = ends[k] - len(chunk)
            new = "".join((chunk[: start - base], inserted, chunk[end - base :]))
            if _CHUNK_MIN <= len(new) <= _CHUNK_MAX or (len(chunks) == 1 and new):
                chunks[k] = new
                if delta:
                    if k == len(ends) - 1:
                        ends[k] += delta
                    else:
                        ends[k:] = [e + delta for e in ends[k:]]
                return
            last = k
        else:
            last = bisect_left(ends, end, k)
            if len(chunks[last]) > _CHUNK_MAX:
                self._cut(last, end)
                last = bisect_left(ends, end, k)
            base = ends[k] - len(chunks[k])
            tail = chunks[last][end - (ends[last] - len(chunks[last])) :]
            new = "".join((chunks[k][: start - base], inserted, tail))
        if len(new) < _CHUNK_MIN:  # join a neighbour, so deletions leave no crumbs
            if last + 1 < len(chunks):
                last += 1
                new += chunks[last]
            elif k:
                k -= 1
                base -= len(chunks[k])
                new = chunks[k] + new
        pieces = _cut_text(new) if len(new) > _CHUNK_MAX else [new] if new else []
        chunks[k : last + 1] = pieces
        ends[k:] = accumulate(map(len, chunks[k:]), initial=base)
        del ends[k]  # the `initial` of accumulate

    def _cut(self, k: int, at: int) -> None:
        """Cut from chunk `k` the piece of about `_CHUNK_SIZE` around position `at`
        (strictly inside it, but at the text's start): what comes before and after it
        stays one chunk each, cut in its turn when an edit reaches it. Cutting a 50 MB
        text read in one piece into 8 KB chunks at its first keystroke took 105 ms on
        the GUI thread; this copies the text once (about 5 ms per 25 MB) and slices
        nothing else."""
        chunks = self._chunks
        chunk = chunks[k]
        base = self._ends[k] - len(chunk)
        begin = max(0, at - base - _CHUNK_SIZE // 2)
        if begin < _CHUNK_MIN:
            begin = 0
        stop = min(len(chunk), begin + _CHUNK_SIZE)
        if len(chunk) - stop < _CHUNK_MIN:
            stop = len(chunk)
        pieces = [chunk[:begin], chunk[begin:stop], chunk[stop:]]
        chunks[k : k + 1] = [piece for piece in pieces if piece]
        self._ends[k:] = accumulate(map(len, chunks[k:]), initial=base)
        del self._ends[k]

    def run_count(self) -> int:
        """How many runs (maximal stretches from one event) the text has."""
        return sum(len(block) for block in self._lens)

    def replace(self, start: int, removed: int, inserted: str, segments: Sequence[Segment]) -> None:
        """Replace `removed` characters at `start` by `inserted`, written by `segments`."""
        n = self._length
        if start < 0 or removed < 0 or start + removed > n:
            raise ValueError(f"replace({start}, {removed}) outside a text of {n} characters")
        if len(segments) == 1 and segments[0][0] == len(inserted) > 0 and removed == 0:
            # One piece inserted (a keystroke, a suggestion): the common case, fast.
            self._splice(start, start, inserted)
            if not self._insert_run(start, len(inserted), segments[0][1]):
                self._edit_runs(start, 0, [(len(inserted), segments[0][1])])
            return
        if removed and not inserted and not segments and self._delete_in_block(start, removed):
            # A deletion inside one run, or of a run inside a block (a backspace): fast.
            self._splice(start, start + removed, "")
            return
        pieces = normalize_segments(segments)
        if sum(length for length, _ in pieces) != len(inserted):
            raise ValueError("segments must cover the inserted text exactly")
        if removed == 0 and not inserted:
            return
        self._splice(start, start + removed, inserted)
        self._edit_runs(start, removed, pieces)

    def _insert_run(self, start: int, length: int, event: int) -> bool:
        """Insert one run of `length` characters by `event` at `start`, editing the one
        block it lands in (and the runs' lengths only); False when there are no blocks
        yet. Same result as `_edit_runs`: maximal runs, no two neighbours share an event.
        """
        totals = self._totals
        if not totals:
            return False
        cum = self._cumulative()
        b = bisect_left(cum, start)  # a start on a block boundary joins the earlier block
        lens = self._lens[b]
        events = self._events[b]
        local = start - (cum[b] - totals[b])
        if local == 0:  # only at the very start of the text
            if events[0] == event:
                lens[0] += length
            else:
                lens.insert(0, length)
                events.insert(0, event)
        else:
            if local == totals[b]:  # at the block's end (typing at the end of the text)
                i = len(lens) - 1
                run_end = local
            else:
                local_cum = list(accumulate(lens))
                i = bisect_left(local_cum, local)  # the run holding local, or ending there
                run_end = local_cum[i]
            if events[i] == event:
                lens[i] += length
            elif run_end == local:  # at the end of run i
                if i + 1 < len(lens):
                    if events[i + 1] == event:
                        lens[i + 1] += length
                    else:
                        lens.insert(i + 1, length)
                        events.insert(i + 1, event)
                elif b + 1 < len(totals) and self._events[b + 1][0] == event:
                    self._lens[b + 1][0] += length  # joins the next block's first run
                    b += 1
                else:
                    lens.append(length)
                    events.append(event)
            else:  # inside run i: split it around the new run
                before = local - (run_end - lens[i])
                lens[i : i + 1] = [before, length, lens[i] - before]
                events[i : i + 1] = [events[i], event, events[i]]
        totals[b] += length
        if b == len(cum) - 1:
            cum[b] += length
        else:
            cum[b:] = [c + length for c in cum[b:]]
        if len(lens) > _BLOCK_MAX:
            half = len(lens) // 2
            self._lens[b : b + 1] = [lens[:half], lens[half:]]
            self._events[b : b + 1] = [events[:half], events[half:]]
            totals[b : b + 1] = [sum(lens[:half]), sum(lens[half:])]
            self._cum = None
        return True

    def insert_runs(
        self, start: int, inserted: str, lengths: Sequence[int], events: Sequence[int]
    ) -> None:
        """`replace(start, 0, inserted, list(zip(lengths, events)))`, with the new runs
        spliced into the one block they land in (a run of typing, one event a key)."""
        n = self._length
        if not 0 <= start <= n:
            raise ValueError(f"replace({start}, 0) outside a text of {n} characters")
        totals = self._totals
        if (
            not totals
            or not lengths
            or len(lengths) != len(events)
            or min(lengths) <= 0
            or sum(lengths) != len(inserted)
            or not all(map(ne, events[:-1], events[1:]))
        ):
            self.replace(start, 0, inserted, list(zip(lengths, events, strict=True)))
            return
        cum = self._cumulative()
        b = bisect_left(cum, start)  # a start on a block boundary joins the earlier block
        lens, evs = self._lens[b], self._events[b]
        local = start - (cum[b] - totals[b])
        split = 0  # > 0: the new runs go inside run i, that many characters into it
        if local == 0:
            i = 0
        elif local == totals[b]:
            i = len(lens)
        else:
            local_cum = list(accumulate(lens))
            i = bisect_left(local_cum, local)  # the run holding local, or ending there
            if local_cum[i] == local:
                i += 1
            else:
                split = local - (local_cum[i] - lens[i])
        left: int | None  # the events of the runs either side of the new ones
        right: int | None
        if split:
            left = right = evs[i]
        else:
            left = evs[i - 1] if i else self._events[b - 1][-1] if b else None
            right = (
                evs[i] if i < len(lens) else self._events[b + 1][0] if b + 1 < len(totals) else None
            )
        if events[0] == left or events[-1] == right:  # a seam to merge: the general way
            self.replace(start, 0, inserted, list(zip(lengths, events, strict=True)))
            return
        self._splice(start, start, inserted)
        if split:
            lens[i : i + 1] = [split, *lengths, lens[i] - split]
            evs[i : i + 1] = [evs[i], *events, evs[i]]
        else:
            lens[i:i] = lengths
            evs[i:i] = events
        added = len(inserted)
        totals[b] += added
        if b == len(cum) - 1:
            cum[b] += added
        else:
            cum[b:] = [c + added for c in cum[b:]]
        if len(lens) > _BLOCK_MAX:
            size = _BLOCK_MAX // 2
            self._lens[b : b + 1] = [lens[k : k + size] for k in range(0, len(lens), size)]
            self._events[b : b + 1] = [evs[k : k + size] for k in range(0, len(evs), size)]
            totals[b : b + 1] = [sum(lens[k : k + size]) for k in range(0, len(lens), size)]
            self._cum = None

    def _delete_in_block(self, start: int, removed: int) -> bool:
        """Take [start, start+removed) out of the runs when it lies inside one run, or is
        a whole run whose neighbours are in the same block, or the text's first or last
        run (the block keeping at least `_BLOCK_MIN` runs); False, with nothing changed,
        for any other deletion. Same result as `_edit_runs`: maximal runs, no two
        neighbours share an event."""
        cum = self._cumulative()
        totals = self._totals
        b = bisect_right(cum, start)  # the block holding `start`
        lens, evs = self._lens[b], self._events[b]
        local = start - (cum[b] - totals[b])
        local_cum = list(accumulate(lens))
        i = bisect_right(local_cum, local)  # the run holding `start`
        if local + removed > local_cum[i]:
            return False  # it reaches into the next run
        if removed < lens[i]:
            lens[i] -= removed
        else:  # the whole of run i goes
            last = len(lens) - 1
            if 0 < i < last:  # from inside the block: its neighbours may become one run
                merge = evs[i - 1] == evs[i + 1]
            elif last and ((i == last and b == len(totals) - 1) or (i == 0 and b == 0)):
                merge = False  # the text's last run (a backspace at the end) or its first
            else:
                return False  # a neighbour is in the next or the previous block
            if len(lens) - 1 - merge < _BLOCK_MIN and len(totals) > 1:
                return False
            if merge:
                lens[i - 1] += lens[i + 1]
                del lens[i : i + 2], evs[i : i + 2]
            else:
                del lens[i], evs[i]
        totals[b] -= removed
        cum[b:] = [c - removed for c in cum[b:]]
        return True

    def pairs(self) -> list[Segment]:
        """Every run as (length, event), in order (what a snapshot keeps)."""
        lens, events = chain.from_iterable(self._lens), chain.from_iterable(self._events)
        return list(zip(lens, events, strict=True))

    def _edit_runs(self, start: int, removed: int, pieces: list[Segment]) -> None:
        end = start + removed
        if not self._totals:
            self._rebuild_blocks(0, 0, [p[0] for p in pieces], [p[1] for p in pieces])
            return
        cum = self._cumulative()
        first = bisect_left(cum, start)
        last = bisect_left(cum, end)
        base_first = cum[first] - self._totals[first]
        lens = self._lens[first]
        events = self._events[first]
        local_start = start - base_first
        if last == first:
            local_end = end - base_first
        else:
            local_end = self._totals[first] + end - (cum[last] - self._totals[last])
            lens = lens + self._lens[last]
            events = events + self._events[last]
        local_cum = list(accumulate(lens))
        i = bisect_right(local_cum, local_start)  # run holding local_start (or len)
        j = bisect_right(local_cum, local_end)  # run holding local_end (or len)
        new_lens = lens[:i]
        new_events = events[:i]
        if i < len(lens) and local_start > local_cum[i] - lens[i]:
            new_lens.append(local_start - (local_cum[i] - lens[i]))
            new_events.append(events[i])
        tail: list[Segment] = list(pieces)
        if j < len(lens):
            tail.append((local_cum[j] - local_end, events[j]))
            tail.append((0, -1))  # marker: the rest of the block follows unchanged
        for length, event in tail:
            if event == -1 and length == 0:
                break
            if length == 0:
                continue
            if new_events and new_events[-1] == event:
                new_lens[-1] += length
            else:
                new_lens.append(length)
                new_events.append(event)
        if j + 1 < len(lens):
            rest_lens = lens[j + 1 :]
            rest_events = events[j + 1 :]
            if new_events and new_events[-1] == rest_events[0]:
                new_lens[-1] += rest_lens.pop(0)
                rest_events.pop(0)
            new_lens += rest_lens
            new_events += rest_events
        self._rebuild_blocks(first, last + 1, new_lens, new_events)

    def _rebuild_blocks(self, lo: int, hi: int, lens: list[int], events: list[int]) -> None:
        """Replace blocks [lo, hi) by runs `lens`/`events`, merging with neighbours."""
        if len(lens) < _BLOCK_MIN and lo > 0:
            lo -= 1
            lens, events = _join(self._lens[lo], self._events[lo], lens, events)
        if len(lens) < _BLOCK_MIN and hi < len(self._totals):
            lens, events = _join(lens, events, self._lens[hi], self._events[hi])
            hi += 1
        # Keep the global invariant: no two neighbouring runs share an event.
        if lo > 0 and events and self._events[lo - 1][-1] == events[0]:
            length = self._lens[lo - 1].pop()
            self._events[lo - 1].pop()
            self._totals[lo - 1] -= length
            lens[0] += length
            if not self._lens[lo - 1]:
                lo -= 1
        if hi < len(self._totals) and events and self._events[hi][0] == events[-1]:
            length = self._lens[hi].pop(0)
            self._events[hi].pop(0)
            self._totals[hi] -= length
            lens[-1] += length
            if not self._lens[hi]:
                hi += 1
        size = _BLOCK_MAX if len(lens) <= _BLOCK_MAX else _BLOCK_MAX // 2
        new_lens = [lens[i : i + size] for i in range(0, len(lens), size)]
        self._lens[lo:hi] = new_lens
        self._events[lo:hi] = [events[i : i + size] for i in range(0, len(events), size)]
        self._totals[lo:hi] = [sum(block) for block in new_lens]
        self._cum = None

    def _cumulative(self) -> list[int]:
        """Where each block ends: kept between edits, so reading costs a binary search."""
        cum = self._cum
        if cum is None:
            cum = self._cum = list(accumulate(self._totals))
        return cum

    def _locate(self, index: int) -> tuple[int, int]:
        """Block holding code point `index` and the offset of that block's start."""
        cum = self._cumulative()
        block = bisect_right(cum, index)
        return block, cum[block] - self._totals[block]

    def segments(self, start: int, end: int) -> list[Segment]:
        """The (length, event) pieces covering [start, end), in order."""
        if start < 0 or end > self._length or start > end:
            raise ValueError(f"range {start}..{end} outside a text of {self._length}")
        if start == end:
            return []
        block, base = self._locate(start)
        lens, events = self._lens[block], self._events[block]
        local_cum = list(accumulate(lens))
        i = bisect_right(local_cum, start - base)  # the run holding `start`
        run_end = base + local_cum[i]
        if end <= run_end:  # inside one run: the usual case (a backspace, a word)
            return [(end - start, events[i])]
        out: list[Segment] = [(run_end - start, events[i])]
        pos = run_end
        i += 1
        lens_all, events_all = self._lens, self._events
        while True:
            if i == len(lens):
                block += 1
                lens, events = lens_all[block], events_all[block]
                i = 0
            length = lens[i]
            if pos + length >= end:
                out.append((end - pos, events[i]))
                return out
            out.append((length, events[i]))
            pos += length
            i += 1

    def event_at(self, index: int) -> int:
        """The event that inserted the character at code point `index`."""
        if not 0 <= index < self._length:
            raise IndexError(f"index {index} outside a text of {self._length} characters")
        block, base = self._locate(index)
        pos = base
        for length, event in zip(self._lens[block], self._events[block], strict=True):
            pos += length
            if index < pos:
                return event
        raise AssertionError("block totals out of step with runs")

    def iter_runs(self) -> Iterator[Run]:
        """Yield (start, length, event) for every run, in order."""
        pos = 0
        for lens, events in zip(self._lens, self._events, strict=True):
            for length, event in zip(lens, events, strict=True):
                yield pos, length, event
                pos += length

    def runs(self) -> list[Run]:
        """Every run as (start, length, event), in order."""
        return list(self.iter_runs())

    def event_ids(self) -> set[int]:
        """The events that wrote at least one character of the current text."""
        return {event for block in self._events for event in block}

    def copy(self) -> AuthoredText:
        """An independent copy (runs are shared by value, not by reference)."""
        return AuthoredText.from_runs(self.text, [(n, e) for _, n, e in self.iter_runs()])


def _cut_text(text: str) -> list[str]:
    """`text` in chunks of equal length, about `_CHUNK_SIZE` each."""
    count = -(-len(text) // _CHUNK_SIZE)
    size = -(-len(text) // count)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _join(
    lens_a: list[int], events_a: list[int], lens_b: list[int], events_b: list[int]
) -> tuple[list[int], list[int]]:
    """Concatenate two run lists, merging the seam when both sides share an event."""
    if lens_a and lens_b and events_a[-1] == events_b[0]:
        lens = lens_a[:-1] + [lens_a[-1] + lens_b[0]] + lens_b[1:]
        return lens, events_a + events_b[1:]
    return lens_a + lens_b, events_a + events_b
