"""Prompts that llama.cpp's prefix cache can reuse from one keystroke to the next.

A prompt is a fixed preamble followed by the document from a stable start. The start is a
paragraph (or line, sentence, word) boundary found after a grid position that moves only
in steps of a quarter of the budget, so while the writer types, each new prompt extends
the previous one and only the new characters are evaluated.

The wording lives in `resources/prompts/continuation.txt`: whatever comes before its
`{document}` placeholder is the preamble. Small models such as SmolLM2-135M continue raw
text better than they follow a chat instruction, so the shipped preamble is empty and the
prompt is the writer's text itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import resources

CHARS_PER_TOKEN = 4
DEFAULT_PROMPT_TOKENS = 1024
#: The prompt where nothing near the cursor is in the model's cache yet (a document just
#: opened, the cursor moved to another paragraph): short, so the first ghost text comes
#: in a few tenths of a second; it grows as the writer types on (its start is kept), and
#: the full prompt is warmed in the background while the writer pauses.
COLD_PROMPT_TOKENS = 64
#: The long-term memory's share of a suggestion's prompt (`app.learning.MEMORY_TOKENS`).
MEMORY_PROMPT_TOKENS = 256
CONTINUATION_TEMPLATE = "prompts/continuation.txt"
DOCUMENT_PLACEHOLDER = "{document}"
# Boundaries to start a window at, best first: paragraph, line, sentence, word.
_BOUNDARIES = ("\n\n", "\n", ". ", " ")


@dataclass(frozen=True)
class ContinuationPrompt:
    """The prompt for a continuation and where its window starts in the document."""

    text: str
    window_start: int
    trailing_whitespace: str


def suggestion_context_tokens(max_tokens: int, memory_tokens: int = MEMORY_PROMPT_TOKENS) -> int:
    """The context a suggestion model needs: the longest prompt a suggestion builds (the
    memory's preamble, the full window and one token a kept start may add), the longest
    suggestion and the margin `continuation.full_prompt` keeps, rounded up to 256.
    Every token of context is KV cache held in memory (23 KB each for the bundled
    model), so the suggestion model is loaded with this rather than the 2,048 the
    co-writer's long prompts get."""
    needed = memory_tokens + DEFAULT_PROMPT_TOKENS + 1 + max(max_tokens, 0) + 8
    return -(-needed // 256) * 256


def template_preamble(template: str) -> str:
    """The text a template puts before the document: all of it up to `{document}`.

    The document must come last (the model continues it); the file's final newline is not
    part of the prompt. Raises ValueError for a template that breaks these rules.
    """
    body = template.removesuffix("\n")
    if body.count(DOCUMENT_PLACEHOLDER) != 1 or not body.endswith(DOCUMENT_PLACEHOLDER):
        raise ValueError(f"a continuation template must end with {DOCUMENT_PLACEHOLDER}")
    return body.removesuffix(DOCUMENT_PLACEHOLDER)


@cache
def continuation_preamble() -> str:
    """The shipped continuation preamble, read once from the resources."""
    return template_preamble(resources.read_text(CONTINUATION_TEMPLATE))


def window_start(text: str, budget_chars: int) -> int:
    """Where the window over `text` starts so that at most `budget_chars` follow it.

    The start depends only on a grid of step `budget_chars // 4` and on the text near the
    grid point, which lies well before the end, so typing at the end rarely moves it.
    """
    if len(text) <= budget_chars:
        return 0
    step = max(budget_chars // 4, 1)
    grid = -(-(len(text) - budget_chars) // step) * step  # round up to the grid
    region = text[grid : grid + step]
    for boundary in _BOUNDARIES:
        found = region.find(boundary)
        if found >= 0:
            return grid + found + len(boundary)
    return grid


def build_continuation_prompt(
    text_before_cursor: str,
    max_prompt_tokens: int = DEFAULT_PROMPT_TOKENS,
    preamble: str | None = None,
) -> ContinuationPrompt:
    """The prompt to continue `text_before_cursor`, within about `max_prompt_tokens` tokens.

    `preamble` defaults to the shipped template's (`continuation_preamble()`). Trailing
    spaces are left out of the prompt (the model's next token carries its own leading
    space) and reported, so the suggestion can be fitted to the document.
    """
    if preamble is None:
        preamble = continuation_preamble()
    budget_chars = max(max_prompt_tokens * CHARS_PER_TOKEN - len(preamble), CHARS_PER_TOKEN)
    start = window_start(text_before_cursor, budget_chars)
    return prompt_from(text_before_cursor, start, preamble)


def prompt_from(
    text_before_cursor: str, start: int, preamble: str | None = None
) -> ContinuationPrompt:
    """The prompt whose window starts at `start` (a start an earlier prompt used, so the
    model's cache of that prompt still applies as the writer types on)."""
    if preamble is None:
        preamble = continuation_preamble()
    start = min(max(start, 0), len(text_before_cursor))
    window = text_before_cursor[start:]
    body = window.rstrip(" \t")
    trailing = window[len(body) :]
    return ContinuationPrompt(
        text=preamble + body, window_start=start, trailing_whitespace=trailing
    )
