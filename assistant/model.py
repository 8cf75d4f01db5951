"""The one interface every task talks to a language model through.

Continuation, alternatives, rewrite and brainstorm call a `LanguageModel`: stream a plain
completion or a chat turn (cancelled between tokens by `should_stop`), count tokens,
report the context length, and name the model for the authorship record. Two kinds
implement it: `assistant.backend.LlamaBackend` (llama.cpp in this process) and a client
for OpenAI-compatible servers. Nothing here imports llama_cpp, Qt or the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict, runtime_checkable

from memory.events import Author, SourceKind


class ChatMessage(TypedDict):
    """One turn of a chat: "system", "user" or "assistant", and its text."""

    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class Generation:
    """The outcome of one completion: its text, its speed, and whether it was cancelled."""

    text: str
    prompt_tokens: int
    tokens: int
    seconds: float
    first_token_s: float | None
    tokens_per_s: float
    finish_reason: str
    cancelled: bool


@dataclass(frozen=True)
class ModelIdentity:
    """Which model wrote something, as exactly as can be known.

    A local file: its display name and SHA-256. A remote model: the server's base URL,
    the model name it reports, and its own id or file hash where it reports one."""

    name: str
    sha256: str = ""
    url: str = ""  # a remote server's base URL; "" for a local file
    model_id: str = ""  # the name the server reports for its model

    @property
    def remote(self) -> bool:
        return bool(self.url)

    def author(self) -> Author:
        """The author this model's accepted text is recorded under in the ledger."""
        if self.remote:
            label = f"{self.model_id or self.name} @ {self.url}"
            return Author(SourceKind.MODEL, label, self.sha256)
        return Author(SourceKind.MODEL, self.name, self.sha256)


#: How much a phrase to avoid lowers its first token's logit: a soft push (about 150
#: times less likely), not a ban; the text filter is what guarantees it is not offered.
AVOID_BIAS = -5.0
#: Words too common to bias (it would bend every sentence): a phrase that starts with
#: one is biased at its first other word.
_COMMON = frozenset(
    "a an and as at but by for from he her his i in is it its of on or she so that the "
    "their then there they this to was we were with you".split()
)


def avoid_bias(
    tokenize: Callable[[str], Sequence[int]],
    phrases: Sequence[str],
    logit_bias: Mapping[int, float] | None = None,
    bias: float = AVOID_BIAS,
) -> dict[int, float]:
    """`logit_bias` plus `bias` on the first token of each phrase to avoid, as the model
    would write it (after a space, lower case or capitalised; without the space when the
    word is one token). A phrase that starts
    with a very common word is biased at its first uncommon word instead; a phrase of
    common words only is left to the text filter."""
    out = {int(k): float(v) for k, v in (logit_bias or {}).items()}
    for phrase in phrases:
        words = phrase.split()
        start = next((i for i, w in enumerate(words) if w.lower() not in _COMMON), None)
        if start is None:
            continue
        word = words[start]
        for variant in (" " + word, " " + word.capitalize(), word, word.capitalize()):
            ids = tokenize(variant)
            # Without a space (after a quote or a new line), only a whole-word token: the
            # first piece of a split word is often a piece of many other words.
            if ids and (variant.startswith(" ") or len(ids) == 1):
                out[int(ids[0])] = min(out.get(int(ids[0]), 0.0), bias)
    return out


#: Called with each new piece of text as it streams in.
OnToken = Callable[[str], None]
#: Checked between tokens; True stops the generation (a cancel is not an error).
ShouldStop = Callable[[], bool]


@runtime_checkable
class LanguageModel(Protocol):
    """What every task needs from a model, local or remote."""

    @property
    def identity(self) -> ModelIdentity: ...

    @property
    def context_length(self) -> int:
        """Tokens of prompt plus output the model can attend to."""
        ...

    @property
    def has_chat_template(self) -> bool: ...

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int = 24,
        temperature: float = 0.7,
        stop: Sequence[str] = (),
        should_stop: ShouldStop | None = None,
        on_token: OnToken | None = None,
        top_p: float = 0.9,
        repeat_penalty: float = 1.1,
        seed: int | None = None,
        logit_bias: Mapping[int, float] | None = None,
        avoid: Sequence[str] = (),
    ) -> Generation:
        """Stream a plain continuation of `prompt`.

        `logit_bias` adds to the logits of the given token ids (this model's ids).
        `avoid` names phrases to make less likely: a local model biases the first token
        of each (`avoid_bias`); a server without token ids for them ignores it (the
        caller filters the text as well, see `assistant.personalize`)."""
        ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        stop: Sequence[str] = (),
        should_stop: ShouldStop | None = None,
        on_token: OnToken | None = None,
        top_p: float = 0.9,
        repeat_penalty: float = 1.1,
        seed: int | None = None,
        logit_bias: Mapping[int, float] | None = None,
        avoid: Sequence[str] = (),
    ) -> Generation:
        """Stream the assistant's reply to `messages` (the model's own chat template);
        `logit_bias` and `avoid` as for `complete`."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None:
        """Release the model (stopping a running generation first)."""
        ...
