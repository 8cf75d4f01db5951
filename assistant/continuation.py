"""Continue the writer's sentence: stream a short suggestion, cleaned as it arrives."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.model import LanguageModel
from assistant.prompts import (
    COLD_PROMPT_TOKENS,
    DEFAULT_PROMPT_TOKENS,
    ContinuationPrompt,
    build_continuation_prompt,
    prompt_from,
)

# A sentence ends at . ! ? or … (with closing quotes or brackets) followed by whitespace.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "no", "jr", "sr"}
)
_NO_SPACE_BEFORE = ".,;:!?)]}”’'\"…%"


@dataclass(frozen=True)
class ContinuationSettings:
    """How long and how adventurous a continuation is."""

    max_tokens: int = 24
    temperature: float = 0.7
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    max_prompt_tokens: int = DEFAULT_PROMPT_TOKENS
    seed: int | None = None
    max_sentences: int = 1  # a suggestion ends after this many sentences (or a line)
    #: Where an earlier prompt's window started (`Suggestion.window_start`): kept while
    #: the model's cache of it beats the full prompt's, so a cold start grows as typed.
    window_start: int | None = None
    #: The prompt used when neither is cached (0: always the full prompt).
    cold_prompt_tokens: int = COLD_PROMPT_TOKENS


@dataclass(frozen=True)
class Suggestion:
    """A suggested continuation, with the model that wrote it (for the authorship record)."""

    text: str
    model_name: str
    model_sha256: str
    tokens: int
    tokens_per_s: float
    cancelled: bool
    first_token_s: float | None = None
    window_start: int = 0  # where the prompt's window started in the text before the cursor


@dataclass(frozen=True)
class CleanedText:
    """A suggestion fitted to the document, and whether it reached a natural end."""

    text: str
    complete: bool


def clean_suggestion(
    raw: str,
    text_before_cursor: str,
    final: bool = False,
    cut: bool = False,
    sentences: int = 1,
) -> CleanedText:
    """Fit raw model output to the document: one line, one sentence, spaced correctly.

    `final` trims trailing space; `cut` (the token limit ended the output) also drops the
    last word, which may be only part of one.
    """
    ends_with_space = not text_before_cursor or text_before_cursor[-1].isspace()
    ends_with_newline = not text_before_cursor or text_before_cursor[-1] == "\n"
    text = raw
    if ends_with_newline:
        text = text.lstrip("\n")
    elif text.startswith("\n"):
        return CleanedText("", True)  # the model wants a new paragraph: nothing to offer
    complete = False
    newline = text.find("\n")
    if newline >= 0:
        text, complete = text[:newline], True
    if ends_with_space:
        text = text.lstrip(" \t")
    elif text[:1].isalnum() and text_before_cursor[-1] in ".!?;:,)":
        text = " " + text
    end = _sentence_end(text_before_cursor, text, sentences)
    if end is not None:
        text, complete = text[:end], True
    if cut and not complete:
        text = _drop_cut_word(text)
    if complete or final:
        text = text.rstrip()
    if not text.strip():
        return CleanedText("", complete)
    return CleanedText(text, complete)


def _sentence_end(before: str, text: str, sentences: int = 1) -> int | None:
    """Index just past the `sentences`-th sentence end in `text`, skipping common
    abbreviations."""
    for match in _SENTENCE_END.finditer(text):
        head = (before[-12:] + text[: match.start()]).rsplit(None, 1)
        word = head[-1].lower() if head else ""
        if match.group().startswith(".") and word.lstrip("(\"'“‘") in _ABBREVIATIONS:
            continue
        if match.start() == 0 and not before.strip():
            continue
        sentences -= 1
        if sentences <= 0:
            return match.end()
    return None


def _drop_cut_word(text: str) -> str:
    """Text without its last word, which the token limit may have cut in half."""
    if not text or text[-1].isspace() or text[-1] in _NO_SPACE_BEFORE or " " not in text:
        return text
    return text[: text.rstrip().rfind(" ")]


def continue_text(
    backend: LanguageModel,
    text_before_cursor: str,
    settings: ContinuationSettings | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_partial: Callable[[str], None] | None = None,
    text_after_cursor: str = "",
) -> Suggestion:
    """Suggest how the text before the cursor goes on, streaming cleaned partial text.

    Generation stops at the end of the sentence or line, at `settings.max_tokens`, or when
    `should_stop` says so (then the suggestion is marked cancelled). No suggestion is made
    in the middle of a word.
    """
    settings = settings or ContinuationSettings()
    identity = backend.identity
    model_name = identity.name
    sha256 = identity.sha256
    if _inside_word(text_before_cursor, text_after_cursor):
        return Suggestion("", model_name, sha256, 0, 0.0, False)
    prompt = choose_prompt(backend, text_before_cursor, settings)

    sentences = max(1, settings.max_sentences)
    raw: list[str] = []
    shown = ""
    complete = False

    def on_token(piece: str) -> None:
        nonlocal shown, complete
        raw.append(piece)
        cleaned = clean_suggestion("".join(raw), text_before_cursor, sentences=sentences)
        complete = cleaned.complete
        if cleaned.text and cleaned.text != shown:
            shown = cleaned.text
            if on_partial is not None:
                on_partial(shown)

    def stop_now() -> bool:
        return complete or (should_stop is not None and should_stop())

    generation = backend.complete(
        prompt.text,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
        top_p=settings.top_p,
        repeat_penalty=settings.repeat_penalty,
        should_stop=stop_now,
        on_token=on_token,
        seed=settings.seed,
    )
    cancelled = generation.cancelled and not complete
    final = clean_suggestion(
        "".join(raw),
        text_before_cursor,
        final=not cancelled,
        cut=generation.finish_reason == "length",
        sentences=sentences,
    )
    return Suggestion(
        text=final.text,
        model_name=model_name,
        model_sha256=sha256,
        tokens=generation.tokens,
        tokens_per_s=generation.tokens_per_s,
        cancelled=cancelled,
        first_token_s=generation.first_token_s,
        window_start=prompt.window_start,
    )


def full_prompt(
    backend: LanguageModel, text_before_cursor: str, settings: ContinuationSettings
) -> tuple[ContinuationPrompt, int]:
    """The prompt over the whole budget (and that budget in tokens)."""
    budget = settings.max_prompt_tokens
    if backend.context_length:
        budget = min(budget, backend.context_length - settings.max_tokens - 8)
    prompt = build_continuation_prompt(text_before_cursor, budget)
    while budget > 64 and backend.count_tokens(prompt.text) > budget:
        budget //= 2  # text denser than CHARS_PER_TOKEN assumes, e.g. code or CJK
        prompt = build_continuation_prompt(text_before_cursor, budget)
    return prompt, budget


def choose_prompt(
    backend: LanguageModel, text_before_cursor: str, settings: ContinuationSettings
) -> ContinuationPrompt:
    """The prompt that shows the model the most text for the least waiting.

    The full prompt, or the one from `settings.window_start`, whichever leaves fewer
    tokens to evaluate past the model's cache (the full one on a tie); when even that
    leaves more than `settings.cold_prompt_tokens`, a short prompt of that size (the first
    ghost text of a cold place comes quickly, and its start is then kept as it grows).
    A model without a cache to ask (`cached_tokens`, or one that answers None: a server)
    always gets the full prompt.
    """
    return _choose(backend, text_before_cursor, settings)[0]


def _choose(
    backend: LanguageModel, text_before_cursor: str, settings: ContinuationSettings
) -> tuple[ContinuationPrompt, ContinuationPrompt, bool]:
    """(the prompt chosen, the full prompt, whether the choice is the cold one)."""
    prompt, budget = full_prompt(backend, text_before_cursor, settings)
    cached_tokens = getattr(backend, "cached_tokens", None)
    if cached_tokens is None or settings.cold_prompt_tokens <= 0:
        return prompt, prompt, False
    counts = cached_tokens(prompt.text)
    if counts is None:  # a wrapper around a model without a cache
        return prompt, prompt, False
    cached, total = counts
    best, best_left = prompt, total - cached
    hint = settings.window_start
    if best_left > 0 and hint is not None and prompt.window_start < hint < len(text_before_cursor):
        kept = prompt_from(text_before_cursor, hint)
        cached, total = cached_tokens(kept.text) or (0, budget + 2)
        if total <= budget + 1 and total - cached < best_left:
            best, best_left = kept, total - cached
    if best_left <= settings.cold_prompt_tokens:
        return best, prompt, False
    cold = build_continuation_prompt(text_before_cursor, settings.cold_prompt_tokens)
    if cold.window_start > prompt.window_start:
        return cold, prompt, True
    return prompt, prompt, False


def warm_up(
    backend: LanguageModel,
    text_before_cursor: str,
    settings: ContinuationSettings | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    grow: bool = True,
    on_prompt: Callable[[int], None] | None = None,
) -> int:
    """Evaluate the prompt for `text_before_cursor` into the model's cache ahead of a
    request (a model without `warm` does nothing); stops between chunks when
    `should_stop` says so. Returns how many prompt tokens were evaluated.

    With `grow` it is the full prompt. Without, it is the prompt a request would choose
    now (see `choose_prompt`): a prompt the cache already covers well is brought up to
    date (a place the writer is growing a short prompt in keeps it), and a cold place
    gets the short cold prompt, which is evaluated in a few tenths of a second, so a
    request soon after (the writer moved to another paragraph and types a word) finds
    it cached and keeps its start. `on_prompt` is told where the warmed prompt's window
    starts before it is evaluated (`Suggestion.window_start`, for the next request)."""
    warm = getattr(backend, "warm", None)
    if warm is None or not text_before_cursor.strip():
        return 0
    settings = settings or ContinuationSettings()
    if grow:
        prompt, _ = full_prompt(backend, text_before_cursor, settings)
    else:
        prompt = _choose(backend, text_before_cursor, settings)[0]
    if on_prompt is not None:
        on_prompt(prompt.window_start)
    return int(warm(prompt.text, should_stop=should_stop))


def _inside_word(before: str, after: str) -> bool:
    """Whether the cursor sits between two letters or digits of one word."""
    return bool(before) and bool(after) and before[-1].isalnum() and after[0].isalnum()
