"""`WordList` answers as pyspellchecker's `SpellChecker` does over the same bundled
lists, while holding them in a few arrays instead of a dict of Python strings."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spellchecker import SpellChecker

from app.word_lists import WordList, WordListMissing, list_file

_TEXT = (
    "The keeper’s lamp burned low over the harbour, and the tide turned. Naïve café "
    "owners recieve teh accomodation of 1999 visitors, 3.5 tonnes, NaN and inf; "
    "lighthuose kepeer xyzzyq a i ! ... well-known über Straße"
)
_MISSPELT = ["lighthuose", "kepeer", "teh", "recieve", "accomodation", "xyzzyq", "harbr", "cafe"]


@pytest.fixture(scope="module")
def english() -> tuple[WordList, SpellChecker]:
    return WordList.bundled("en"), SpellChecker(language="en")


@pytest.fixture(scope="module")
def german() -> tuple[WordList, SpellChecker]:
    return WordList.bundled("de"), SpellChecker(language="de")


def _words() -> list[str]:
    return [w.strip(".,;!") for w in _TEXT.split()] + ["", "!", "3", "Éclair"]


@pytest.mark.parametrize("which", ["english", "german"])
def test_known_and_unknown_match_pyspellchecker(which, request) -> None:
    words, checker = request.getfixturevalue(which)
    assert words.known(_words()) == checker.known(_words())
    assert words.unknown(_words()) == checker.unknown(_words())
    assert len(words) == len(checker.word_frequency.dictionary)
    assert set(words.letters) == set(checker.word_frequency.letters)


@pytest.mark.parametrize("word", _MISSPELT)
def test_candidates_at_one_and_two_edits_match_pyspellchecker(english, word) -> None:
    words, checker = english
    assert words.candidates(word) == checker.candidates(word)
    found = checker.candidates(word)
    if found:  # the same word when the likeliest is unique (a tie goes to the first A-Z)
        counts = sorted((checker.word_frequency[c] for c in found), reverse=True)
        if len(counts) == 1 or counts[0] != counts[1]:
            assert words.correction(word) == checker.correction(word)


def test_accented_candidates_in_german(german) -> None:
    words, checker = german
    for word in ["strase", "grosse", "muller", "uber"]:
        assert words.candidates(word) == checker.candidates(word)


def test_counts_are_the_lists_own(english) -> None:
    words, checker = english
    for word in ["the", "lighthouse", "Harbor", "zzzzq"]:
        assert words.count(word) == checker.word_frequency[word]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abcdeilnorstu’'-é", min_size=1, max_size=7))
def test_any_short_word_is_judged_as_pyspellchecker_judges_it(english, word) -> None:
    words, checker = english
    assert words.known([word]) == checker.known([word])
    assert words.unknown([word]) == checker.unknown([word])
    assert words.edits(word) == checker.edit_distance_1(word)


def test_the_list_is_compact(english) -> None:
    """English is 160,000 words: a few megabytes of arrays, not a dict of strings."""
    words, _ = english
    assert len(words) > 150_000
    assert words.nbytes < 6_000_000


def test_a_repeated_word_keeps_its_last_count_as_json_does() -> None:
    words = WordList([("tide", 5), ("lamp", 2), ("tide", 9)])
    assert len(words) == 2
    assert words.count("tide") == 9 and words.count("Lamp") == 2


def test_a_missing_or_damaged_list_is_a_clear_error(tmp_path, monkeypatch) -> None:
    with pytest.raises(WordListMissing, match="no word list"):
        WordList.bundled("xx")
    broken = tmp_path / "en.json.gz"
    broken.write_bytes(b"not gzip")
    monkeypatch.setattr("app.word_lists.list_file", lambda language: broken)
    with pytest.raises(WordListMissing, match="cannot be read"):
        WordList.bundled("en")


def test_escaped_keys_are_read_as_json_reads_them(tmp_path, monkeypatch) -> None:
    raw = json.dumps({"caf\u00e9": 3, "na\u00efve": 4, 'say "hi"': 1}, ensure_ascii=True)
    path = tmp_path / "xx.json.gz"
    path.write_bytes(gzip.compress(raw.encode()))
    monkeypatch.setattr("app.word_lists.list_file", lambda language: path)
    words = WordList.bundled("xx")
    assert words.known(["Café", "naïve", 'say "hi"']) == {"café", "naïve", 'say "hi"'}
    assert list_file("en").name == "en.json.gz"


def _misspelt(words: list[str], seed: int, count: int) -> list[str]:
    """`count` words of the list with one to three random edits (of their own letters
    and a few others, accented ones among them); an edit may land on another known word,
    which both answer with the word itself."""
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzéüß'"
    out: list[str] = []
    while len(out) < count:
        word = list(rng.choice(words))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(word))
            kind = rng.randrange(4)
            if kind == 0 and len(word) > 1:
                del word[at]
            elif kind == 1 and at + 1 < len(word):
                word[at], word[at + 1] = word[at + 1], word[at]
            elif kind == 2:
                word[at] = rng.choice(letters)
            else:
                word.insert(at, rng.choice(letters))
        out.append("".join(word))
    return out


@pytest.mark.parametrize("which", ["english", "german"])
def test_long_misspellings_get_pyspellcheckers_candidates(which, request) -> None:
    """A word of letters with nothing one edit away is answered by distance over the words
    of a near length (`_two_edits_away`), not by building the second edits: the same set
    as pyspellchecker's, for random misspellings of words of 4 to 11 letters."""
    words, checker = request.getfixturevalue(which)
    pool = sorted(w for w in checker.word_frequency.dictionary if w.isalpha() and 4 <= len(w) <= 11)
    seen_far = 0
    for word in _misspelt(pool, seed=12, count=14):
        expected = checker.candidates(word)
        assert words.candidates(word) == expected, word
        seen_far += bool(expected) and not checker.known(checker.edit_distance_1(word))
    assert seen_far >= 3, seen_far  # the second edits were exercised, not only the first
