"""A language's word list for spelling, held in a few compact arrays.

The words and their counts are pyspellchecker's bundled lists (`resources/LANG.json.gz`
in its package), read here without importing pyspellchecker: its own `SpellChecker`
keeps English as a `Counter` of 160,000 Python strings, about 25 MB resident for the
life of the process, and decodes the whole JSON at once to build it (a 37 MB rise).
A `WordList` keeps the same words as one UTF-8 blob, ordered by each word's hash, with
their offsets, counts and hashes in numpy arrays (about 5 MB for English), and answers
as pyspellchecker does (`known`, `unknown`, `candidates`, `correction`: the same
lowercasing, the same edits at distance one and two over the same letters, the same
words it declines to check). Looking up a batch of words is one `searchsorted` over the
hashes, then a comparison of the bytes for each hit.
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
        self._build(bytes(blob), ends, hashes, counts)
        self.letters = "".join(sorted(set(blob.decode("utf-8"))))
        self.longest = longest

    @classmethod
    def bundled(cls, language: str) -> WordList:
        """pyspellchecker's list for `language` (0.3 s for English; off the GUI thread)."""
        path = list_file(language)
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8").lower()
        except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
            raise WordListMissing(f"the word list {path} cannot be read ({exc})") from exc
        words = cls((_unescaped(m.group(1)), int(m.group(2))) for m in _PAIR.finditer(text))
        del text
        give_back_freed_memory()  # the decoded JSON and the build's arrays: 16 MB for English
        return words

    def _build(self, blob: bytes, ends: array[int], hashes: array[int], counts: array[int]) -> None:
        end = np.frombuffer(ends, dtype=np.int64)
        start = np.concatenate(([0], end[:-1]))
        raw = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(raw, kind="stable")
        keep = _last_of_each(blob, start[order], end[order], raw[order])
        order = order[keep]
        view = memoryview(blob)
        ordered = bytearray()
        offsets = np.empty(len(order) + 1, dtype=np.int64)
        offsets[0] = 0
        for i, at in enumerate(order.tolist(), 1):
            ordered += view[start[at] : end[at]]
            offsets[i] = len(ordered)
        self._blob = bytes(ordered)
        self._offsets = offsets
        self._hashes = raw[order]
        self._counts = np.frombuffer(counts, dtype=np.int64)[order]

    def __len__(self) -> int:
        return len(self._hashes)

    @property
    def nbytes(self) -> int:
        """What the list holds, in bytes (its blob and arrays)."""
        arrays = (self._offsets, self._hashes, self._counts)
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
        blob, offsets, hashes = self._blob, self._offsets, self._hashes
        for k in np.flatnonzero(hit).tolist():
            encoded = words[k].encode("utf-8")
            i = int(at[k])
            while i < len(hashes) and hashes[i] == wanted[k]:  # a shared hash: check the bytes
                if blob[offsets[i] : offsets[i + 1]] == encoded:
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
        second = [e for e in first if self.should_check(e)]  # lowercase already
        further: set[str] = set()
        for at in range(0, len(second), _EDITS_BATCH):
            batch = [w for e in second[at : at + _EDITS_BATCH] for w in self._edit_list(e)]
            found = self._indexes(batch)
            further.update(w for w, i in zip(batch, found, strict=True) if i >= 0)
        return {w for w in further if self.should_check(w)} or None

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
    blob: bytes, start: np.ndarray, end: np.ndarray, hashes: np.ndarray
) -> np.ndarray:
    """Which rows to keep, ordered by hash: a word listed twice keeps its last count, as
    `json.loads` keeps the last of a repeated key."""
    keep = np.ones(len(hashes), dtype=bool)
    shared = np.flatnonzero(hashes[1:] == hashes[:-1])
    for i in shared.tolist():  # rows i and i+1 share a hash; stable order: i came first
        if blob[start[i] : end[i]] == blob[start[i + 1] : end[i + 1]]:
            keep[i] = False
    return keep
