"""The one-pass grapheme split: the shortcut and the cache give exactly regex's clusters."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from memory.provenance.graphemes import GraphemeMap, cluster_starts

PIECES = [
    "a",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\u201c",
    "\u201d",
    "\u00e9",
    "e\u0301",
    "\u4e2d",
    "\U0001f600",
    "\U0001f44d\U0001f3fd",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1eb\U0001f1f7",
    "\u1100\u1161\u11a8",  # Hangul jamo L V T
    "\uac00",  # Hangul LV syllable
    "\u0915\u094d\u0937",
    "\u0600",  # Arabic number sign (Prepend)
    "\u0903",  # Devanagari visarga (SpacingMark)
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=40).map("".join)


def naive(text: str) -> list[int]:
    return [m.start() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)] + [len(text)]


@given(texts)
def test_cluster_starts_equal_a_full_split(text: str) -> None:
    assert list(cluster_starts(text)) == naive(text)
    assert list(cluster_starts(text + "")) == naive(text)  # the cached answer too


@given(texts, texts)
def test_the_cache_answers_only_for_the_same_text(a: str, b: str) -> None:
    cluster_starts(a)
    assert list(cluster_starts(b)) == naive(b)
    graphemes = GraphemeMap(b)
    assert graphemes.count == len(naive(b)) - 1


def test_curly_quotes_take_the_shortcut() -> None:
    text = "\u201cQuiet,\u201d she said. Caf\u00e9, \u4e2d\u6587. " * 500
    assert isinstance(cluster_starts(text), range)
    assert not isinstance(cluster_starts(text + "e\u0301"), range)
