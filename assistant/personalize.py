"""Suggestions shaped by what Draftsmith remembers about this writer.

`memory_preamble` turns a `Recollection` into the text that goes before the document
in the continuation prompt, within a token budget: pinned entries are never dropped,
then entries named near the cursor, then related ones, then style rules and voice
passages; what does not fit is reported as skipped. Entries are written in a fixed
order (pinned, then by id), so the preamble, and with it llama.cpp's cached prefix,
changes only when what is recalled changes.

`PersonalizedModel` wraps any `LanguageModel`: it puts the preamble in front of every
completion prompt, records the exact prompt (for "Why this suggestion?"), applies style
rules to the words as they stream, and cuts a suggestion before any phrase this writer
has refused again and again, so that phrase is never shown. The `LanguageModel`
interface has no logit bias, so suppression is by filtering only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.model import ChatMessage, Generation, LanguageModel, ModelIdentity, OnToken
from memory.recall import PINNED, Recalled, Recollection

DEFAULT_MEMORY_TOKENS = 256
NOTES_HEADER = "Notes on this piece:"
STYLE_HEADER = "Style:"
VOICE_HEADER = "From the writer's own pages:"
SEPARATOR = "\n---\n\n"

_BRITISH = {
    "color": "colour",
    "colors": "colours",
    "favorite": "favourite",
    "favorites": "favourites",
    "honor": "honour",
    "behavior": "behaviour",
    "neighbor": "neighbour",
    "neighbors": "neighbours",
    "center": "centre",
    "theater": "theatre",
    "gray": "grey",
    "realize": "realise",
    "realized": "realised",
    "organize": "organise",
    "organized": "organised",
    "recognize": "recognise",
    "recognized": "recognised",
    "apologize": "apologise",
    "traveled": "travelled",
    "traveling": "travelling",
    "labor": "labour",
    "humor": "humour",
    "flavor": "flavour",
    "armor": "armour",
    "meter": "metre",
    "defense": "defence",
    "catalog": "catalogue",
    "analyze": "analyse",
}
_AMERICAN = {v: k for k, v in _BRITISH.items()}


@dataclass(frozen=True)
class StyleRule:
    """A rule the writer stated, and how Draftsmith enforces it on suggestions (if it can)."""

    text: str
    enforce: Callable[[str], str] | None = None


def _respell(mapping: dict[str, str]) -> Callable[[str], str]:
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b", re.IGNORECASE)

    def apply(text: str) -> str:
        def swap(m: re.Match[str]) -> str:
            word = m.group(0)
            new = mapping[word.lower()]
            return new.capitalize() if word[0].isupper() else new

        return pattern.sub(swap, text)

    return apply


def style_rule(text: str) -> StyleRule:
    """A `StyleRule` for a rule's wording; rules Draftsmith cannot check go in the prompt only."""
    lowered = text.lower()
    if "exclamation" in lowered and re.search(r"\b(no|never|avoid|without)\b", lowered):
        return StyleRule(text, lambda s: re.sub(r"!+", ".", s))
    if "british" in lowered or "uk spelling" in lowered:
        return StyleRule(text, _respell(_BRITISH))
    if "american" in lowered or "us spelling" in lowered:
        return StyleRule(text, _respell(_AMERICAN))
    if ("dash" in lowered or "—" in lowered) and re.search(r"\b(no|never|avoid)\b", lowered):
        return StyleRule(text, lambda s: s.replace(" — ", ", ").replace("—", ", "))
    return StyleRule(text)


@dataclass(frozen=True)
class PromptMemory:
    """The memory part of a prompt: its text, and what went in or was left out."""

    preamble: str = ""
    included: tuple[Recalled, ...] = ()
    skipped: tuple[Recalled, ...] = ()
    rules: tuple[StyleRule, ...] = ()
    avoid: tuple[str, ...] = ()
    tokens: int = 0


def _entry_line(item: Recalled) -> str:
    return "- " + " ".join(item.memory.label.split())


def memory_preamble(
    recollection: Recollection,
    count_tokens: Callable[[str], int],
    budget_tokens: int = DEFAULT_MEMORY_TOKENS,
) -> PromptMemory:
    """The preamble for `recollection` within `budget_tokens` (pinned entries always in)."""
    rules = tuple(style_rule(r.memory.text) for r in recollection.rules)
    avoid = tuple(recollection.avoid)
    candidates: list[tuple[Recalled, str]] = [(r, _entry_line(r)) for r in recollection.entries]
    candidates += [(r, "- " + " ".join(r.memory.text.split())) for r in recollection.rules]
    candidates += [(r, " ".join(r.memory.text.split())) for r in recollection.voice]
    included: list[Recalled] = []
    skipped: list[Recalled] = []
    used = 0
    for item, line in candidates:
        cost = count_tokens(line + "\n")
        if item.reason == PINNED or used + cost <= budget_tokens:
            included.append(item)
            used += cost
        else:
            skipped.append(item)
    text = _layout(included)
    return PromptMemory(
        preamble=text,
        included=tuple(included),
        skipped=tuple(skipped),
        rules=rules,
        avoid=avoid,
        tokens=count_tokens(text) if text else 0,
    )


def _layout(included: Sequence[Recalled]) -> str:
    """Notes, then style, then voice; each group in a fixed order (pinned first, by id)."""

    def ordered(items: list[Recalled]) -> list[Recalled]:
        return sorted(items, key=lambda r: (not r.memory.pinned, r.memory.id))

    notes = ordered([r for r in included if r.memory.kind not in ("style", "voice")])
    style = ordered([r for r in included if r.memory.kind == "style"])
    voice = ordered([r for r in included if r.memory.kind == "voice"])
    parts: list[str] = []
    if notes:
        parts.append(NOTES_HEADER + "\n" + "\n".join(_entry_line(r) for r in notes))
    if style:
        parts.append(
            STYLE_HEADER + "\n" + "\n".join("- " + " ".join(r.memory.text.split()) for r in style)
        )
    if voice:
        parts.append(
            VOICE_HEADER + "\n" + "\n\n".join(" ".join(r.memory.text.split()) for r in voice)
        )
    return "\n\n".join(parts) + SEPARATOR if parts else ""


# --- refused phrases --------------------------------------------------------------------
_WORDS = re.compile(r"[\w']+")


def phrase_cut(text: str, avoid: Sequence[str], complete: bool = True) -> int | None:
    """Where to cut `text` so that no avoided phrase (normalised words) is in it, or None.

    With `complete` False the last word may still be growing, so it is not matched."""
    words = [(m.group().lower(), m.start()) for m in _WORDS.finditer(text)]
    if not complete and words and words[-1][1] + len(words[-1][0]) == len(text):
        words = words[:-1]
    tokens = [w for w, _ in words]
    best: int | None = None
    for phrase in avoid:
        target = phrase.split()
        n = len(target)
        if not n:
            continue
        for i in range(len(tokens) - n + 1):
            if tokens[i : i + n] == target:
                if best is None or words[i][1] < best:
                    best = words[i][1]
                break
    return best


def suppress(text: str, avoid: Sequence[str]) -> str:
    """`text` without any avoided phrase: cut just before the first one ("" if it starts there)."""
    cut = phrase_cut(text, avoid)
    return text if cut is None else text[:cut].rstrip()


def _held_prefix(text: str, avoid: Sequence[str]) -> int:
    """Start of the longest tail of `text` that could still grow into an avoided phrase."""
    words = [(m.group().lower(), m.start()) for m in _WORDS.finditer(text)]
    hold = len(text)
    for phrase in avoid:
        target = phrase.split()
        for k in range(min(len(target), len(words)), 0, -1):
            tail = [w for w, _ in words[-k:]]
            if tail[:-1] == target[: k - 1] and target[k - 1].startswith(tail[-1]):
                hold = min(hold, words[-k][1])
                break
    return hold


@dataclass
class _Recording:
    prompt: str = ""


@dataclass
class PersonalizedModel:
    """A `LanguageModel` that writes with the writer's memory (see the module docstring)."""

    inner: LanguageModel
    memory: PromptMemory = field(default_factory=PromptMemory)
    recording: _Recording = field(default_factory=_Recording)

    @property
    def identity(self) -> ModelIdentity:
        return self.inner.identity

    @property
    def context_length(self) -> int:
        length = self.inner.context_length
        return max(length - self.memory.tokens, 0) if length else 0

    @property
    def has_chat_template(self) -> bool:
        return self.inner.has_chat_template

    @property
    def last_prompt(self) -> str:
        """The exact text of the last completion prompt sent to the model."""
        return self.recording.prompt

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def cached_tokens(self, prompt: str) -> tuple[int, int] | None:
        """The prompt cache of the model inside, for preamble + `prompt` (None: it has
        none to ask; see `assistant.continuation.choose_prompt`)."""
        cached = getattr(self.inner, "cached_tokens", None)
        return cached(self.memory.preamble + prompt) if cached is not None else None

    def warm(self, prompt: str, should_stop: Callable[[], bool] | None = None) -> int:
        """Warm the model inside with preamble + `prompt` (`continuation.warm_up`)."""
        warm = getattr(self.inner, "warm", None)
        full = self.memory.preamble + prompt
        return int(warm(full, should_stop=should_stop)) if warm is not None else 0

    def close(self) -> None:
        self.inner.close()

    def chat(self, messages: Sequence[ChatMessage], **kwargs: object) -> Generation:
        return self.inner.chat(messages, **kwargs)  # type: ignore[arg-type]

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int = 24,
        temperature: float = 0.7,
        stop: Sequence[str] = (),
        should_stop: Callable[[], bool] | None = None,
        on_token: OnToken | None = None,
        top_p: float = 0.9,
        repeat_penalty: float = 1.1,
        seed: int | None = None,
        logit_bias: Mapping[int, float] | None = None,
        avoid: Sequence[str] = (),
    ) -> Generation:
        """Complete preamble + `prompt`, streaming only what the writer's rules allow.

        Phrases the writer refused again and again (the "avoid" memories) are pushed
        down twice: the model is asked to avoid them (a soft logit bias on their first
        token, where the model supports it) and any that still appears is cut."""
        full = self.memory.preamble + prompt
        self.recording.prompt = full
        avoid = (*avoid, *self.memory.avoid)
        enforce = [r.enforce for r in self.memory.rules if r.enforce is not None]
        raw: list[str] = []
        sent = 0  # characters of the raw text already passed on
        blocked = False

        def styled(text: str) -> str:
            for rule in enforce:
                text = rule(text)
            return text

        def forward(upto: int) -> None:
            nonlocal sent
            text = "".join(raw)
            if upto > sent and on_token is not None:
                on_token(styled(text[sent:upto]))
            sent = max(sent, upto)

        def piece(token: str) -> None:
            nonlocal blocked
            if blocked:
                return
            raw.append(token)
            text = "".join(raw)
            cut = phrase_cut(text, avoid, complete=False) if avoid else None
            if cut is not None:
                blocked = True
                forward(cut)
                return
            safe = len(text)
            if enforce:  # rules rewrite whole words: hold back a word still growing
                m = re.search(r"[\w']+$", text)
                safe = m.start() if m else safe
            if avoid:
                safe = min(safe, _held_prefix(text, avoid))
            forward(safe)

        def stop_now() -> bool:
            return blocked or (should_stop is not None and should_stop())

        generation = self.inner.complete(
            full,
            max_tokens=max_tokens,
            temperature=temperature,
            stop=stop,
            should_stop=stop_now,
            on_token=piece,
            top_p=top_p,
            repeat_penalty=repeat_penalty,
            seed=seed,
            logit_bias=logit_bias,
            avoid=avoid,
        )
        text = "".join(raw)
        final_cut = phrase_cut(text, avoid) if avoid else None
        if final_cut is not None:
            blocked = True
            forward(final_cut)
        else:
            forward(len(text))
        if blocked:
            return dataclasses.replace(
                generation, text=styled(text[:sent]).rstrip(), cancelled=False, finish_reason="stop"
            )
        return dataclasses.replace(generation, text=styled(text))


def describe_why(memory: PromptMemory, model: ModelIdentity, prompt: str) -> str:
    """ "Why this suggestion?": what the prompt held, what was left out, the rules, the
    model and the exact prompt, as plain text for the writer."""
    lines = [f"Model: {model.name}" + (f" (SHA-256 {model.sha256[:12]}…)" if model.sha256 else "")]
    lines.append("")
    if memory.included:
        lines.append("In the prompt:")
        lines += [f"  • {r.memory.label} — {r.memory.kind}, {r.reason}" for r in memory.included]
    else:
        lines.append("Nothing from memory was in the prompt.")
    if memory.skipped:
        lines.append("Left out for the token budget:")
        lines += [f"  • {r.memory.label} — {r.memory.kind}, {r.reason}" for r in memory.skipped]
    if memory.rules:
        lines.append("Style rules applied:")
        lines += [
            f"  • {rule.text}" + ("" if rule.enforce else " (in the prompt only)")
            for rule in memory.rules
        ]
    if memory.avoid:
        lines.append("Phrases not offered (refused again and again):")
        lines += [f"  • {phrase}" for phrase in memory.avoid]
    lines += ["", "The exact prompt:", prompt]
    return "\n".join(lines)
