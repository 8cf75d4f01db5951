"""Rewrite a passage on the writer's instruction, one paragraph at a time.

The passage is cut into paragraphs (`paragraph_units`); each is one chat turn with the
model's own template (`resources/prompts/rewrite_*.txt`), the instruction and the text
carried as data. Small models wrap their answer in talk ("Here's a rewritten version:",
"I added..."); `clean_rewrite` keeps only the rewritten paragraph. The result is
compared word by word with the original (`assistant.word_diff`); nothing here changes
the document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

from assistant.chat_prompts import chat
from assistant.model import ChatMessage, LanguageModel
from assistant.word_diff import WordHunk, word_hunks

SYSTEM_TEMPLATE = "prompts/rewrite_system.txt"
USER_TEMPLATE = "prompts/rewrite_user.txt"

#: The command bar's choices: label -> the instruction given to the model.
CHOICES: dict[str, str] = {
    "Improve": "Improve the writing: clearer and more vivid, about the same length.",
    "Shorten": "Make it shorter. Keep the key points.",
    "Expand": "Expand it with more concrete detail.",
    "Simplify": "Use simpler words and shorter sentences.",
    "More formal": "Make it more formal.",
    "More casual": "Make it more casual and friendly.",
    "Fix grammar and spelling": "Fix the grammar and spelling only. Change nothing else.",
}

_TALK = regex.compile(
    r"^\s*(?:sure|certainly|of course|okay|ok)\b|here(?:'s| is| are)\b|rewritten|revised|"
    r"\bversion\b|^\s*(?:i|we) (?:added|changed|removed|replaced|used|made|kept)\b|"
    r"^\s*(?:note|explanation|changes|instruction|text|original)\s*:|"
    r"^\s*in this (?:revised|rewritten|version)|:\s*$",
    regex.IGNORECASE,
)
_QUOTES = ('"', "“", "”", "'")


@dataclass(frozen=True, slots=True)
class Unit:
    """A paragraph of the passage to rewrite: original[start:end] (code points)."""

    start: int
    end: int
    text: str


def paragraph_units(text: str) -> list[Unit]:
    """The non-blank paragraphs (lines) of `text`, without their surrounding spaces."""
    units = []
    for match in regex.finditer(r"[^\n]+", text):
        line = match.group(0)
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        start = match.start() + lead
        units.append(Unit(start, start + len(stripped), stripped))
    return units


def rewrite_messages(instruction: str, text: str) -> list[ChatMessage]:
    """The chat for one paragraph: the instruction and the text are data in the user turn."""
    return chat(SYSTEM_TEMPLATE, USER_TEMPLATE, instruction=instruction.strip(), text=text)


def is_talk(paragraph: str) -> bool:
    """A paragraph that talks about the rewrite instead of being it."""
    return bool(_TALK.search(paragraph))


def clean_rewrite(raw: str, original: str) -> tuple[str, bool]:
    """The rewritten paragraph inside the model's answer, and whether it is complete
    (another paragraph followed it). "" while nothing usable has arrived."""
    paragraphs = [p.strip() for p in regex.split(r"\n\s*\n|\n(?=\S)", raw)]
    found = ""
    complete = False
    for number, paragraph in enumerate(paragraphs):
        if not paragraph:
            continue
        if found:
            complete = True
            break
        if is_talk(paragraph) and number < len(paragraphs) - 1:
            continue
        if is_talk(paragraph):
            return "", False  # talk still streaming: the text may follow it
        found = paragraph
    found = _strip_quotes(found, original)
    found = regex.sub(
        r"^(?:\*\*)?(?:rewritten|revised)(?: text| version)?:?(?:\*\*)?\s*",
        "",
        found,
        flags=regex.IGNORECASE,
    )
    return found, complete


def _strip_quotes(text: str, original: str) -> str:
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        if not (original[:1] in _QUOTES and original[-1:] in _QUOTES):
            return text[1:-1].strip()
    return text


def max_tokens_for(model: LanguageModel, text: str, instruction: str) -> int:
    """Room for the answer: twice the paragraph (three times to expand), plus the talk."""
    tokens = model.count_tokens(text)
    factor = 3 if "xpand" in instruction else 2
    return min(max(tokens * factor + 48, 64), 1024)


def rewrite_paragraph(
    model: LanguageModel,
    instruction: str,
    text: str,
    *,
    temperature: float = 0.3,
    seed: int | None = 7,
    should_stop: Callable[[], bool] | None = None,
    on_text: Callable[[str], None] | None = None,
) -> str:
    """The model's rewrite of one paragraph ("" when it gave none), streaming the cleaned
    text so far to `on_text`."""
    raw: list[str] = []
    shown = ""
    complete = False

    def on_token(piece: str) -> None:
        nonlocal shown, complete
        raw.append(piece)
        cleaned, complete = clean_rewrite("".join(raw), text)
        if cleaned and cleaned != shown:
            shown = cleaned
            if on_text is not None:
                on_text(cleaned)

    def stop() -> bool:
        return complete or (should_stop is not None and should_stop())

    generation = model.chat(
        rewrite_messages(instruction, text),
        max_tokens=max_tokens_for(model, text, instruction),
        temperature=temperature,
        seed=seed,
        should_stop=stop,
        on_token=on_token,
    )
    if generation.cancelled and not complete:
        return ""
    cleaned, _ = clean_rewrite("".join(raw) + "\n\n", text)
    return cleaned


def hunks_for(original: str, units: list[Unit], rewritten: dict[int, str]) -> list[WordHunk]:
    """Word hunks over the whole passage, from the rewritten paragraphs (by unit index);
    a paragraph without a rewrite is unchanged."""
    out: list[WordHunk] = []
    for index, unit in enumerate(units):
        new = rewritten.get(index)
        if not new or new == unit.text:
            continue
        for hunk in word_hunks(unit.text, new):
            out.append(WordHunk(unit.start + hunk.start, unit.start + hunk.end, hunk.new, hunk.old))
    return out
