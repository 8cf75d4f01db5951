"""A language's word list for spelling, held in a few compact arrays.

The words and their counts are pyspellchecker's bundled lists (`resources/LANG.json.gz`
in its package), read here without importing pyspellchecker: its own `SpellChecker`
keeps English as a `Counter` of 160,000 Python strings, about 25 MB resident for the
life of the process, and decodes the whole JSON at once to build it (a 37 MB rise).
A `WordList` keeps the same words as one UTF-8 blob (by length, one a line) with, in
order of each word's hash, where it starts and ends, its count and its hash in numpy
arrays (about 5.4 MB for English), and answers as pyspellchecker does (`known`,
`unknown`, `candidates`, `correction`: the same lowercasing, the same edits at distance
one and two over the same letters, the same words it declines to check). Looking up a
batch of words is one `searchsorted` over the hashes, then a comparison of the bytes for
each hit. The known words two edits away from a long word are found by distance, with
rapidfuzz's C++ Levenshtein and Damerau-Levenshtein over the words of a near length,
instead of by building every string two edits away.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import string
import unicodedata
from array import array
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from app.heap import give_back_freed_memory

#: A JSON object's `"word": count` pair (the lists are flat objects, one pair a line).
#: Second edits looked up in batches of this many first edits' (about 60,000 strings).
_EDITS_BATCH = 48
#: Candidates of a word of letters this long or longer are found by distance
#: (`_two_edits_away`): a shorter one could pass through a number on the way.
FAR_FROM_NUMBERS = 4

_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*(\d+)')


class WordListMissing(LookupError):
    """No bundled list for a language, or its file cannot be read."""


def list_file(language: str) -> Path:
    """Where pyspellchecker keeps `language`'s list, found without importing it."""
    spec = importlib.util.find_spec("spellchecker")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "resources" / f"{language.lower()}.json.gz"
        if path.exists():
            return path
    raise WordListMissing(f"no word list for the language {language!r}")


class WordList:
    """One language's words, lowercased, with how often each is used."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        blob = bytearray()
        ends, hashes, counts = array("q"), array("q"), array("q")  # no object a word
        longest = 0
        for word, count in pairs:
            blob += word.encode("utf-8")
            ends.append(len(blob))
            hashes.append(hash(word))
            counts.append(count)
            longest = max(longest, len(word))
        self._build(blob, ends, hashes, counts)
        self.letters = "".join(sorted(set(blob.decode("utf-8"))))
        self.longest = longest

    @classmethod
    def bundled(cls, language: str) -> WordList:
        """pyspellchecker's list for `language` (0.3 s for English; off the GUI thread)."""
        path = list_file(language)
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
            raise WordListMissing(f"the word list {path} cannot be read ({exc})") from exc
        # each word lowercased, not the whole text: `str.lower` of a non-ASCII text takes
        # 12 bytes a character for its work (33 MB for English's 2.7 million)
        words = cls((_unescaped(m.group(1)).lower(), int(m.group(2))) for m in _PAIR.finditer(text))
        del text
        give_back_freed_memory()  # the decoded JSON and the build's arrays: 16 MB for English
        return words

    def _build(
        self, blob: bytes | bytearray, ends: array[int], hashes: array[int], counts: array[int]
    ) -> None:
        # Positions in int32 (a list is far under 2 GB) and each temporary dropped when
        # done: this runs beside a window that holds a model, and its peak is the app's.
        raw = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(raw, kind="stable")
        end = np.frombuffer(ends, dtype=np.int64).astype(np.int32)
        start = np.zeros(len(end), dtype=np.int32)
        start[1:] = end[:-1]
        order = order[_last_of_each(blob, start, end, raw, order)]
        # each word's length in characters: its bytes that begin one, summed per word
        # (the words lie end to end in `blob`, in list order; an empty word counts 0)
        lead = (np.frombuffer(blob, np.uint8) & 0xC0) != 0x80
        lengths = np.zeros(len(end), dtype=np.int32)
        filled = np.flatnonzero(end > start)
        if len(filled):
            lengths[filled] = np.add.reduceat(lead, start[filled], dtype=np.int32)
        del lead, filled
        start, end, lengths = start[order], end[order], lengths[order]
        # The blob holds the words by length, one a line (`candidates` compares a long
        # word with the words of a near length, split out of it in one call); the
        # arrays, in hash order, say where each word starts and ends in it.
        by_length = np.argsort(lengths, kind="stable")
        # bytes slices a batch at a time: one join of 160,000 memoryviews held 30 MB
        self._blob = b"\n".join(
            b"\n".join(
                [blob[a:b] for a, b in zip(start[part].tolist(), end[part].tolist(), strict=True)]
            )
            for part in (by_length[i : i + 4096] for i in range(0, len(by_length), 4096))
        )
        sizes = end - start
        del start, end
        sizes_by = sizes[by_length]
        placed = np.cumsum(sizes_by + 1, dtype=np.int32) - sizes_by - 1
        del sizes_by
        self._starts = np.empty(len(order), dtype=np.int32)
        self._starts[by_length] = placed
        self._ends = self._starts + sizes
        del sizes
        self._hashes = raw[order]
        self._counts = np.frombuffer(counts, dtype=np.int64)[order]
        del order
        by = lengths[by_length]
        del lengths, by_length
        firsts = np.searchsorted(by, np.arange(int(by.max(initial=0)) + 2))
        at = np.append(placed, len(self._blob) + 1)
        self._length_at = at[firsts]  # where the words of each length start
        # (a word with a line break in it, which no bundled list has, would split wrongly)
        self._splits = self._blob.count(b"\n") == max(len(self._hashes) - 1, 0)

    def __len__(self) -> int:
        return len(self._hashes)

    @property
    def nbytes(self) -> int:
        """What the list holds, in bytes (its blob and arrays)."""
        arrays = (self._starts, self._ends, self._hashes, self._counts, self._length_at)
        return len(self._blob) + sum(a.nbytes for a in arrays)

    def _indexes(self, words: list[str]) -> list[int]:
        """The index of each word in the list, -1 where it is not there."""
        if not words:
            return []
        wanted = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
        at = np.searchsorted(self._hashes, wanted)
        inside = at < len(self._hashes)
        hit = np.zeros(len(words), dtype=bool)
        hit[inside] = self._hashes[at[inside]] == wanted[inside]
        found = [-1] * len(words)
        blob, starts, ends, hashes = self._blob, self._starts, self._ends, self._hashes
        for k in np.flatnonzero(hit).tolist():
            encoded = words[k].encode("utf-8")
            i = int(at[k])
            while i < len(hashes) and hashes[i] == wanted[k]:  # a shared hash: check the bytes
                if blob[starts[i] : ends[i]] == encoded:
                    found[k] = i
                    break
                i += 1
        return found

    def __contains__(self, word: str) -> bool:
        return self._indexes([word])[0] >= 0

    def count(self, word: str) -> int:
        """How often the list's source used `word` (0 when it is not in the list)."""
        i = self._indexes([word.lower()])[0]
        return int(self._counts[i]) if i >= 0 else 0

    # --- what pyspellchecker's SpellChecker answers --------------------------------
    def should_check(self, word: str) -> bool:
        """False for what is never a misspelling: punctuation, numbers, overlong runs."""
        if len(word) == 1 and word in string.punctuation:
            return False
        if len(word) > self.longest + 3:  # up to two letters removed
            return False
        if word.lower() in ("nan", "inf", "infinity"):
            return True
        try:
            float(word)
        except ValueError:
            return True
        return False

    def known(self, words: Iterable[str]) -> set[str]:
        lowered = [w.lower() for w in words]
        found = self._indexes(lowered)
        return {w for w, i in zip(lowered, found, strict=True) if i >= 0 and self.should_check(w)}

    def unknown(self, words: Iterable[str]) -> set[str]:
        lowered = [w.lower() for w in words if self.should_check(w)]
        found = self._indexes(lowered)
        return {w for w, i in zip(lowered, found, strict=True) if i < 0}

    def edits(self, word: str) -> set[str]:
        """Every string one delete, swap of neighbours, replacement or insertion away."""
        word = word.lower()
        if not self.should_check(word):
            return {word}
        return set(self._edit_list(word))

    def _edit_list(self, word: str) -> list[str]:
        """`edits` of a lowercase word, repeats kept (the second edits' lookups are one
        batch: a set a word first cost more than the lookups)."""
        letters = self.letters
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        deletes = [a + b[1:] for a, b in splits if b]
        swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
        replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
        inserts = [a + c + b for a, b in splits for c in letters]
        return deletes + swaps + replaces + inserts

    def candidates(self, word: str) -> set[str] | None:
        """The known words one edit away, else two; `{word}` for a word that is known or
        never checked; None when nothing is near."""
        if self.known([word]) or not self.should_check(word):
            return {word}
        first = list(self.edits(word))
        near = self.known(first)
        if near:
            return near
        lowered = word.lower()
        if self._splits and lowered.isalpha() and FAR_FROM_NUMBERS <= len(lowered) <= self.longest:
            return self._two_edits_away(lowered)
        second = [e for e in first if self.should_check(e)]  # lowercase already
        further: set[str] = set()
        for at in range(0, len(second), _EDITS_BATCH):
            batch = [w for e in second[at : at + _EDITS_BATCH] for w in self._edit_list(e)]
            found = self._indexes(batch)
            further.update(w for w, i in zip(batch, found, strict=True) if i >= 0)
        return {w for w in further if self.should_check(w)} or None

    def _two_edits_away(self, word: str) -> set[str] | None:
        """The known words two Damerau-Levenshtein steps from a lowercase word of letters
        that has none one step away. Every letter of the list is one of `letters`, so
        these are the known words that two of `edits` reach (and from a word of four
        letters or more, letters only, no longer than the longest word, the way never
        passes through a string `should_check` declines): the same answer as the second
        edits, without building their 100,000-700,000 strings (0.3-2.4 s for a long
        word, on the GUI thread when the writer right-clicks it)."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

        n = len(word)
        near = self._of_lengths(max(n - 2, 1), n + 2)
        # Two Damerau-Levenshtein steps are at most four Levenshtein ones: the fast
        # bit-parallel measure first, the exact one for what is left (a few dozen)
        loose = process.cdist(
            [word], near, scorer=Levenshtein.distance, score_cutoff=4, dtype=np.int8
        )[0]
        maybe = [near[i] for i in np.flatnonzero(loose <= 4).tolist()]
        found: set[str] = set()
        if maybe:
            exact = process.cdist(
                [word], maybe, scorer=DamerauLevenshtein.distance, score_cutoff=2, dtype=np.int8
            )[0]
            found.update(maybe[i] for i in np.flatnonzero(exact == 2).tolist())
        return {w for w in found if self.should_check(w)} or None

    def _of_lengths(self, shortest: int, longest: int) -> list[str]:
        """The words of `shortest` to `longest` characters."""
        at = self._length_at
        lo = int(at[min(shortest, len(at) - 1)])
        hi = int(at[min(longest + 1, len(at) - 1)])
        return self._blob[lo : hi - 1].decode("utf-8").split("\n") if hi > lo else []

    def correction(self, word: str, candidates: set[str] | None = None) -> str | None:
        """The likeliest candidate, preferring one that differs only in its accents."""
        if candidates is None:
            candidates = self.candidates(word)
        if not candidates:
            return None
        bare = without_accents(word)
        pool = [c for c in candidates if without_accents(c) == bare] or list(candidates)
        return max(sorted(pool), key=self.count)  # a tie goes to the first alphabetically


def _unescaped(key: str) -> str:
    return json.loads(f'"{key}"') if "\\" in key else key


def without_accents(word: str) -> str:
    """`word` with its accents taken off ("café" → "cafe"), as the word lists may spell it."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _last_of_each(
    blob: bytes | bytearray,
    start: np.ndarray,
    end: np.ndarray,
    hashes: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:
    """Which of `order` (the rows by hash) to keep: a word listed twice keeps its last
    count, as `json.loads` keeps the last of a repeated key."""
    keep = np.ones(len(order), dtype=bool)
    ranked = hashes[order]
    shared = np.flatnonzero(ranked[1:] == ranked[:-1])
    del ranked
    for i in shared.tolist():  # rows i and i+1 share a hash; stable order: i came first
        a, b = int(order[i]), int(order[i + 1])
        if blob[start[a] : end[a]] == blob[start[b] : end[b]]:
            keep[i] = False
    return keep
