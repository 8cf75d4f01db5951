"""The one interface every task talks to a language model through.

Continuation, alternatives, rewrite and brainstorm call a `LanguageModel`: stream a plain
completion or a chat turn (cancelled between tokens by `should_stop`), count tokens,
report the context length, and name the model for the authorship record. Two kinds
implement it: `assistant.backend.LlamaBackend` (llama.cpp in this process) and a client
for OpenAI-compatible servers. Nothing here imports llama_cpp, Qt or the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    ) -> Generation:
        """Stream a plain continuation of `prompt`."""
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
    ) -> Generation:
        """Stream the assistant's reply to `messages` (the model's own chat template)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None:
        """Release the model (stopping a running generation first)."""
        ...
