"""Several continuations for one place in the text, generated one at a time, on demand.

`suggest` makes one screened continuation (`assistant.quality` decides what is junk,
while it streams and at the end); `rank` n samples a little more adventurously than
n - 1, with its own seed, so Alt+] shows something different. `SuggestionOutcome` is
the record of what the writer did with a suggestion, for the memory that learns which
suggestions this writer keeps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

from assistant.continuation import ContinuationSettings, Suggestion, continue_text
from assistant.model import LanguageModel
from assistant.quality import judge, word_known_to, words

#: How many alternatives one place offers at most.
MAX_ALTERNATIVES = 5
#: Refused tries (junk, duplicates) in a row before giving up: for the first suggestion
#: at a place (the writer is waiting for it), and when looking for one more alternative.
RETRIES_FIRST = 1
RETRIES_NEXT = 2
#: Temperature added per rank, and the ceiling.
TEMPERATURE_STEP = 0.15
MAX_TEMPERATURE = 1.1
#: Streamed text is shown only once it has this many characters, so a junk opening
#: ("2.", "A:") is caught before it flashes on screen; an opening that can no longer
#: turn into one (see `opening_settled`) is shown at once.
SHOW_AFTER_CHARS = 6
# What a URL starts with (the screening refuses one as markup, `quality.looks_like_markup`).
_URL_STARTS = ("https://", "www.")
# Punctuation a suggestion may open with straight after a word ("," or "." and on).
_PUNCTUATION_OPENINGS = ",.;:!?"
# Everything after the cursor that still counts as "the end of the line".
CLOSING = " \t)]}\"'”’*_`.,;:!?"


def rest_is_closing(after_in_line: str) -> bool:
    """True when only whitespace or closing punctuation follows the cursor on its line."""
    return all(ch in CLOSING for ch in after_in_line)


def settings_for_rank(base: ContinuationSettings, rank: int) -> ContinuationSettings:
    """Rank 0 is the base; each further alternative is warmer and differently seeded."""
    if rank == 0:
        return base
    temperature = min(base.temperature + TEMPERATURE_STEP * rank, MAX_TEMPERATURE)
    seed = (base.seed or 0) * 31 + 1009 * rank
    return replace(base, temperature=temperature, seed=seed)


@dataclass(frozen=True, slots=True)
class Screened:
    """A continuation after screening: what to offer ("" for nothing), what the model
    wrote, and why it was refused ("" when offered)."""

    suggestion: Suggestion
    raw: str
    refused: str

    @property
    def text(self) -> str:
        return self.suggestion.text


def suggest(
    model: LanguageModel,
    before: str,
    settings: ContinuationSettings,
    *,
    rank: int = 0,
    after: str = "",
    avoid: Sequence[str] = (),
    should_stop: Callable[[], bool] | None = None,
    on_partial: Callable[[str], None] | None = None,
) -> Screened:
    """One screened continuation: offered, or refused with a reason.

    `avoid` holds the alternatives already shown: the same text again is refused.
    """
    known = word_known_to(model.count_tokens, before)
    refused = ""

    def screened(partial: str) -> None:
        nonlocal refused
        if refused:
            return
        verdict = judge(partial, before, after=after)
        if not verdict.ok and verdict.reason in ("junk opening", "markup", "repeat", "echo"):
            refused = verdict.reason
            return
        if on_partial is not None and may_show(partial, before):
            on_partial(partial)

    def stop() -> bool:
        return bool(refused) or (should_stop is not None and should_stop())

    result = continue_text(
        model,
        before,
        settings_for_rank(settings, rank),
        should_stop=stop,
        on_partial=screened,
        text_after_cursor=after,
    )
    text = _fit_to_closing(result.text, after)
    if not refused and text:
        verdict = judge(text, before, known_word=known, after=after)
        if not verdict.ok:
            refused = verdict.reason
        elif text.strip() in {a.strip() for a in avoid}:
            refused = "duplicate"
    if not text and not refused and not result.cancelled:
        refused = "empty"
    if refused:
        return Screened(replace(result, text="", cancelled=False), result.text, refused)
    return Screened(replace(result, text=text), result.text, "")


def may_show(partial: str, before: str) -> bool:
    """Whether streamed text (already judged fit so far) may go on screen: once it has
    `SHOW_AFTER_CHARS` characters, or at once when its opening is settled."""
    return len(partial.strip()) >= SHOW_AFTER_CHARS or opening_settled(partial, before)


def opening_settled(partial: str, before: str) -> bool:
    """Whether the start of a streamed suggestion can no longer grow into an opening the
    screening refuses, so its first word can be shown without waiting for more tokens.

    Junk openings are list numbers, bullets and headings ("2.", "- ", "#") or role
    labels ("A:", "Title:"), which all start with a digit, a symbol or a capital; an
    echo repeats the last words typed, so its first word is one of them; a URL starts
    "http" or "www"; letters that finish the word typed are judged only at the end. A new
    first word in lower case that is none of these is settled (most continuations
    mid-sentence, the writer's usual pause), and so is punctuation straight after a
    word ("," or "."; after a space the screening refuses it)."""
    if partial[:1] and partial[:1] in _PUNCTUATION_OPENINGS:
        return bool(before[-1:]) and not before[-1:].isspace()  # after a space: refused
    if before[-1:].isalnum() and not partial[:1].isspace():
        return False  # it finishes the word typed: whether that is a word is judged last
    opening = partial.lstrip()
    if not opening[:1].isalpha() or not opening[:1].islower():
        return False
    head = opening.split(None, 1)[0]
    if any(start.startswith(head) or head.startswith(start) for start in _URL_STARTS):
        return False
    first = words(head)[:1]
    # An echo's first word is the second, third or fourth last typed (`echoes_before`);
    # the first word shown may still grow, so a word it begins counts too.
    last = words(before[-60:])[-4:-1]
    return bool(first) and not any(word.startswith(first[0]) for word in last)


def first_suggestion(
    model: LanguageModel,
    before: str,
    settings: ContinuationSettings,
    *,
    after: str = "",
    retries: int = RETRIES_FIRST,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[Screened, int]:
    """What the editor offers at a pause, without the streaming: up to 1 + `retries`
    tries. Returns the last try and how many were made (the benchmark's path)."""
    tries = 0
    while True:
        screened = suggest(
            model, before, settings, rank=tries, after=after, should_stop=should_stop
        )
        tries += 1
        if screened.text or tries > retries or screened.suggestion.cancelled:
            return screened, tries


def _fit_to_closing(text: str, after: str) -> str:
    """Mid-paragraph before closing punctuation: stop before the model's own copy of it."""
    closer = after.lstrip(" \t")[:1]
    if closer and closer in ")]}\"'”’*_`":
        cut = text.find(closer)
        if cut >= 0:
            text = text[:cut]
        return text.rstrip()
    return text


def context_hash(before: str, chars: int = 500) -> str:
    """A short stable id for the place a suggestion was made (its last `chars` of text)."""
    return hashlib.sha256(before[-chars:].encode("utf-8")).hexdigest()[:16]


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # taken whole (Tab)
    PARTIAL = "partial"  # some of it taken (a word, a sentence), the rest left
    REFUSED = "refused"  # dismissed with Esc
    IGNORED = "ignored"  # typed over, cursor moved away, or replaced by a new request


@dataclass(frozen=True, slots=True)
class SuggestionOutcome:
    """What happened to one suggestion: where, whose, what it said, which alternative
    it was (rank 1 = the first written), of how many, how much of it was taken, and the
    other alternatives the writer had on show and passed over (rank, text)."""

    context_hash: str
    model: str  # the author key of the model that wrote it
    text: str
    rank: int
    shown: int  # how many alternatives the writer saw at this place
    outcome: Outcome
    accepted_chars: int
    passed_over: tuple[tuple[int, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data["passed_over"] = [list(pair) for pair in self.passed_over]
        return data
