"""A model on another machine: any OpenAI-compatible server, as a `LanguageModel`.

llama.cpp's server, llama-cpp-python's server, Ollama, vLLM and LM Studio all answer
`/v1/completions` and `/v1/chat/completions` with server-sent events when asked to
stream. `RemoteModel` streams them, stops between chunks when asked (closing the
response, which makes the server stop too), and turns every way a server can fail
(down, slow, refusing the key, answering garbage, hanging up mid-answer) into a
`RemoteModelError` with a plain message, after a connect or read timeout at the
latest: the caller's thread is never stuck.

The API key is passed in by the caller (the app keeps it in the system keyring) and
is never logged, shown or stored here.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2 as httpx
else:

    class _Httpx:
        """httpx2, imported on first use (0.2 s: start-up only needs `ServerSpec`)."""

        def __getattr__(self, name: str) -> Any:
            import httpx2

            return getattr(httpx2, name)

    httpx = _Httpx()

from assistant.model import ChatMessage, Generation, ModelIdentity, OnToken, ShouldStop
from memory.errors import DraftsmithError

__all__ = ["RemoteModel", "RemoteModelError", "ServerCheck", "ServerSpec", "check_server"]

log = logging.getLogger(__name__)

#: Seconds to wait for a connection, and for each next piece of an answer.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0
#: When a server reports no context length, assume this many tokens.
ASSUMED_CONTEXT = 4096
#: Characters per token when the server cannot count them (English prose, most tokenizers).
CHARS_PER_TOKEN = 4.0


class RemoteModelError(DraftsmithError):
    """A server could not be used; the message says why in the writer's words."""


@dataclass(frozen=True)
class ServerSpec:
    """A server the writer added: its base URL and the model name to ask it for."""

    url: str
    model: str

    @property
    def base_url(self) -> str:
        """The URL without a trailing slash or `/v1` (the paths below add it)."""
        url = self.url.strip().rstrip("/")
        return url[: -len("/v1")] if url.endswith("/v1") else url

    @property
    def ref(self) -> str:
        """How settings name this server's model: `server:URL#MODEL`."""
        return f"server:{self.base_url}#{self.model}"

    @classmethod
    def from_ref(cls, ref: str) -> ServerSpec | None:
        if not ref.startswith("server:") or "#" not in ref:
            return None
        url, _, model = ref.removeprefix("server:").rpartition("#")
        return cls(url, model) if url and model else None


@dataclass(frozen=True)
class _Facts:
    """What the server says about its model."""

    model_id: str
    sha256: str
    context_length: int | None


class RemoteModel:
    """One model on an OpenAI-compatible server. Implements `assistant.model.LanguageModel`.

    Generations may run from any one thread at a time; `close()` may be called from
    another thread and stops a running generation at once."""

    def __init__(
        self,
        server: ServerSpec,
        *,
        api_key: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        read_timeout: float = READ_TIMEOUT_S,
        context_length: int | None = None,
    ) -> None:
        self.server = server
        self._headers = {"Accept": "text/event-stream, application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
        )
        # trust_env=False: no proxy from the environment between the writer and their server.
        self._client = httpx.Client(
            base_url=server.base_url, timeout=self._timeout, trust_env=False
        )
        self._facts: _Facts | None = None
        self._context_override = context_length
        self._tokenize_path: str | None = None  # found on first count_tokens; "" = none
        self._closing = threading.Event()
        self._live: httpx.Response | None = None

    # --- identity and facts ----------------------------------------------------
    def probe(self) -> _Facts:
        """Ask the server which models it has; raises `RemoteModelError` when it is down,
        refuses us, or does not list this model. The answer is kept."""
        listing = self._get_json("/v1/models")
        entries = listing.get("data") if isinstance(listing, dict) else None
        if not isinstance(entries, list):
            raise self._garbage("its model list")
        wanted = self.server.model
        names = [str(e.get("id", "")) for e in entries if isinstance(e, dict)]
        match = next(
            (e for e in entries if isinstance(e, dict) and _same_model(str(e.get("id")), wanted)),
            None,
        )
        if match is None:
            shown = ", ".join(names[:8]) or "none"
            raise RemoteModelError(
                f"The server at {self.server.base_url} has no model named “{wanted}” "
                f"(it lists: {shown})."
            )
        model_id = str(match.get("id"))
        found_meta = match.get("meta")
        meta: dict[str, Any] = found_meta if isinstance(found_meta, dict) else {}
        sha = _first_hash(match) or _first_hash(meta) or self._ollama_digest(model_id)
        context = _int(meta.get("n_ctx_train")) if meta else None
        context = context or self._props_context()
        self._facts = _Facts(model_id, sha, context)
        return self._facts

    def _ollama_digest(self, model_id: str) -> str:
        """Ollama reports each model's digest in /api/tags; other servers have no such path."""
        try:
            tags = self._get_json("/api/tags", quiet=True)
        except RemoteModelError:
            return ""
        for entry in tags.get("models", []) if isinstance(tags, dict) else []:
            if isinstance(entry, dict) and _same_model(str(entry.get("name")), model_id):
                return str(entry.get("digest", "")).removeprefix("sha256:")
        return ""

    def _props_context(self) -> int | None:
        """llama.cpp's server says its context size in /props."""
        try:
            props = self._get_json("/props", quiet=True)
        except RemoteModelError:
            return None
        settings = props.get("default_generation_settings") if isinstance(props, dict) else None
        return _int(settings.get("n_ctx")) if isinstance(settings, dict) else None

    def _known(self) -> _Facts:
        return self._facts if self._facts is not None else self.probe()

    @property
    def identity(self) -> ModelIdentity:
        """Base URL, the model name the server reports, and its hash where it gives one.
        Before the server has answered, the name asked for stands in."""
        facts = self._facts
        model_id = facts.model_id if facts else self.server.model
        return ModelIdentity(
            name=self.server.model,
            sha256=facts.sha256 if facts else "",
            url=self.server.base_url,
            model_id=model_id,
        )

    @property
    def context_length(self) -> int:
        if self._context_override:
            return self._context_override
        facts = self._facts
        return (facts.context_length if facts else None) or ASSUMED_CONTEXT

    @property
    def has_chat_template(self) -> bool:
        """Servers apply the model's chat template themselves on /v1/chat/completions."""
        return True

    # --- generation ------------------------------------------------------------
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
        """Stream a plain completion from `/v1/completions`. `logit_bias` (the server
        model's token ids) is sent as OpenAI's `logit_bias`; `avoid` is not sent: the
        server's token ids are not known here, so avoided phrases are filtered from the
        text only (by `assistant.personalize`)."""
        body = self._body(max_tokens, temperature, stop, top_p, repeat_penalty, seed)
        _add_bias(body, logit_bias)
        body["prompt"] = prompt
        return self._stream(
            "/v1/completions", body, lambda c: c.get("text") or "", should_stop, on_token
        )

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
        """Stream the assistant's reply from `/v1/chat/completions` (the server's template);
        `logit_bias` and `avoid` as for `complete`."""
        body = self._body(max_tokens, temperature, stop, top_p, repeat_penalty, seed)
        _add_bias(body, logit_bias)
        body["messages"] = [dict(m) for m in messages]

        def piece(choice: dict[str, Any]) -> str:
            delta = choice.get("delta")
            return str(delta.get("content") or "") if isinstance(delta, dict) else ""

        return self._stream("/v1/chat/completions", body, piece, should_stop, on_token)

    def _body(
        self,
        max_tokens: int,
        temperature: float,
        stop: Sequence[str],
        top_p: float,
        repeat_penalty: float,
        seed: int | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._facts.model_id if self._facts else self.server.model,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "stream": True,
            # llama.cpp and llama-cpp-python read repeat_penalty; others ignore it.
            "repeat_penalty": repeat_penalty,
        }
        if stop:
            body["stop"] = list(stop)[:4]  # the OpenAI API takes at most four
        if seed is not None:
            body["seed"] = seed
        return body

    def _stream(
        self,
        path: str,
        body: dict[str, Any],
        piece_of: Callable[[dict[str, Any]], str],
        should_stop: ShouldStop | None,
        on_token: OnToken | None,
    ) -> Generation:
        def stopping() -> bool:
            return self._closing.is_set() or (should_stop is not None and should_stop())

        started = time.perf_counter()
        if stopping():
            return Generation("", 0, 0, 0.0, None, 0.0, "cancelled", True)
        pieces: list[str] = []
        stamps: list[float] = []
        finish_reason = "length"
        prompt_tokens = 0
        completion_tokens = 0
        cancelled = False
        finished = False
        try:
            with self._client.stream("POST", path, json=body, headers=self._headers) as response:
                self._live = response
                self._raise_for_status(response)
                for event in _events(response.iter_lines()):
                    if stopping():
                        cancelled = True
                        break
                    if event is None:  # [DONE]
                        break
                    if not isinstance(event, dict):
                        raise self._garbage("an answer")
                    if isinstance(event.get("error"), dict | str):
                        raise RemoteModelError(
                            f"The server at {self.server.base_url} stopped with an error: "
                            f"{_error_text(event['error'])}"
                        )
                    usage = event.get("usage")
                    if isinstance(usage, dict):
                        prompt_tokens = _int(usage.get("prompt_tokens")) or prompt_tokens
                        completion_tokens = (
                            _int(usage.get("completion_tokens")) or completion_tokens
                        )
                    choices = event.get("choices")
                    if not isinstance(choices, list):
                        raise self._garbage("an answer")
                    if not choices:
                        continue
                    choice = choices[0] if isinstance(choices[0], dict) else {}
                    piece = piece_of(choice)
                    if piece:
                        stamps.append(time.perf_counter())
                        pieces.append(piece)
                        if on_token is not None:
                            on_token(piece)
                    if choice.get("finish_reason"):
                        finish_reason = str(choice["finish_reason"])
                        finished = True
                else:
                    if not finished and not stopping():
                        # The stream ended with neither [DONE] nor a finish reason: it was cut.
                        raise self._cut()
        except httpx.HTTPError as exc:
            if self._closing.is_set() or stopping():
                cancelled = True
            else:
                raise self._explain(exc) from None
        finally:
            self._live = None
        ended = time.perf_counter()
        cancelled = cancelled or stopping()
        tokens = completion_tokens or len(stamps)
        if len(stamps) >= 2:
            speed = (len(stamps) - 1) / max(stamps[-1] - stamps[0], 1e-9)
        else:
            speed = tokens / max(ended - started, 1e-9)
        return Generation(
            text="".join(pieces),
            prompt_tokens=prompt_tokens,
            tokens=tokens,
            seconds=ended - started,
            first_token_s=stamps[0] - started if stamps else None,
            tokens_per_s=speed,
            finish_reason="cancelled" if cancelled else finish_reason,
            cancelled=cancelled,
        )

    # --- tokens --------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        """Tokens in `text` by the server's own tokenizer where it offers one
        (llama-cpp-python's `/extras/tokenize`, llama.cpp's `/tokenize`); otherwise an
        estimate of one token per four characters, as OpenAI, Ollama and vLLM offer no
        tokenizer endpoint on their OpenAI-compatible API."""
        candidates = (
            [self._tokenize_path]
            if self._tokenize_path is not None
            else ["/extras/tokenize", "/tokenize"]
        )
        for path in candidates:
            if not path:
                break
            body = (
                {"input": text, "model": self.server.model}
                if "extras" in path
                else {"content": text}
            )
            try:
                response = self._client.post(path, json=body, headers=self._headers)
            except httpx.HTTPError as exc:
                raise self._explain(exc) from None
            if response.status_code == 200:
                try:
                    tokens = response.json().get("tokens")
                except (ValueError, AttributeError):
                    tokens = None
                if isinstance(tokens, list):
                    self._tokenize_path = path
                    return len(tokens)
        self._tokenize_path = ""
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def close(self) -> None:
        """Stop a running generation (its response is closed) and release the connection."""
        self._closing.set()
        live = self._live
        if live is not None:
            try:
                # A read blocked in another thread only wakes when its socket shuts down.
                stream = live.extensions.get("network_stream")
                sock = stream.get_extra_info("socket") if stream is not None else None
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
                live.close()
            except Exception:  # noqa: BLE001 - closing from another thread may race the reader
                log.debug("closing a live response failed", exc_info=True)
        self._client.close()

    # --- errors, in the writer's words ---------------------------------------
    def _get_json(self, path: str, *, quiet: bool = False) -> Any:
        try:
            response = self._client.get(path, headers=self._headers)
        except httpx.HTTPError as exc:
            raise self._explain(exc) from None
        if quiet and response.status_code != 200:
            raise RemoteModelError(f"{path}: {response.status_code}")
        self._raise_for_status(response)
        try:
            return response.json()
        except ValueError:
            raise self._garbage(f"{path}") from None

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        url = self.server.base_url
        detail = ""
        try:
            response.read()
            detail = _error_text(response.json().get("error") or response.json().get("detail"))
        except Exception:  # noqa: BLE001 - the body of an error is only a hint
            detail = ""
        suffix = f" ({detail})" if detail else ""
        if status in (401, 403):
            raise RemoteModelError(
                f"The server at {url} refused the request: the API key is missing or wrong.{suffix}"
            )
        if status == 404:
            raise RemoteModelError(
                f"The server at {url} does not offer this (HTTP 404): is it an "
                f"OpenAI-compatible server, and is “{self.server.model}” its model?{suffix}"
            )
        if status == 429:
            raise RemoteModelError(f"The server at {url} is busy (HTTP 429); try again soon.")
        raise RemoteModelError(
            f"The server at {url} answered with an error (HTTP {status}).{suffix}"
        )

    def _explain(self, exc: httpx.HTTPError) -> RemoteModelError:
        url = self.server.base_url
        if isinstance(exc, httpx.ConnectTimeout):
            waited = self._timeout.connect or 0
            text = f"The server at {url} did not accept a connection within {waited:.0f} s."
        elif isinstance(exc, httpx.TimeoutException):
            text = (
                f"The server at {url} stopped answering for {self._timeout.read:.0f} s, "
                "so the request was given up."
            )
        elif isinstance(exc, httpx.ConnectError):
            text = f"Could not reach the server at {url}: is it running, and is the address right?"
        elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return self._cut()
        elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            text = f"“{url}” is not a server address (it should start with http:// or https://)."
        else:
            text = f"The server at {url} could not be used ({exc.__class__.__name__})."
        return RemoteModelError(text)

    def _cut(self) -> RemoteModelError:
        return RemoteModelError(
            f"The server at {self.server.base_url} closed the connection in the middle of "
            "an answer."
        )

    def _garbage(self, what: str) -> RemoteModelError:
        return RemoteModelError(
            f"The server at {self.server.base_url} answered {what} with something that is "
            "not an OpenAI-compatible response."
        )


def _add_bias(body: dict[str, Any], logit_bias: Mapping[int, float] | None) -> None:
    """OpenAI's `logit_bias`: token ids as strings, biases within -100..100."""
    if logit_bias:
        body["logit_bias"] = {
            str(int(k)): max(-100.0, min(100.0, float(v))) for k, v in logit_bias.items()
        }


def _events(lines: Iterator[str]) -> Iterator[Any]:
    """The JSON payloads of a server-sent event stream; None for `[DONE]`.

    Raises `ValueError`-free: a line that is not JSON becomes the string itself, which
    the caller rejects as garbage."""
    data: list[str] = []
    for line in lines:
        if line.startswith(":"):
            continue  # a comment (keep-alive)
        if line.startswith("data:"):
            data.append(line[5:].strip())
            continue
        if line.strip() == "" and data:
            payload = "\n".join(data)
            data = []
            if payload == "[DONE]":
                yield None
                return
            try:
                yield json.loads(payload)
            except ValueError:
                yield payload
        elif line.strip() and not line.startswith(("event:", "id:", "retry:")):
            yield line  # not an event stream at all
    if data:
        payload = "\n".join(data)
        if payload == "[DONE]":
            yield None
            return
        try:
            yield json.loads(payload)
        except ValueError:
            yield payload


def _same_model(reported: str, wanted: str) -> bool:
    """A server may report a path or a tag; 'llama3' matches 'llama3:latest'."""
    if reported == wanted:
        return True
    if reported.split("/")[-1] == wanted or reported.removesuffix(":latest") == wanted:
        return True
    return wanted.removesuffix(":latest") == reported


def _first_hash(entry: dict[str, Any]) -> str:
    for key in ("sha256", "digest", "hash", "model_sha256"):
        value = entry.get(key)
        if isinstance(value, str) and value:
            return value.removeprefix("sha256:")
    return ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("detail") or error)[:300]
    return str(error)[:300] if error else ""


@dataclass(frozen=True)
class ServerCheck:
    """What checking a server found: each step's outcome, and the speed if it wrote."""

    ok: bool
    steps: tuple[tuple[str, str], ...]  # (what was checked, what was found)
    problem: str = ""
    identity: ModelIdentity | None = None
    tokens_per_s: float | None = None
    text: str = ""


def check_server(
    server: ServerSpec,
    *,
    api_key: str | None = None,
    prompt: str = "The old lighthouse keeper climbed the stairs every night. He",
    max_tokens: int = 16,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    read_timeout: float = 30.0,
) -> ServerCheck:
    """Reachable? Model listed? A few tokens written, how fast? Never raises."""
    steps: list[tuple[str, str]] = []
    model = RemoteModel(
        server, api_key=api_key, connect_timeout=connect_timeout, read_timeout=read_timeout
    )
    try:
        facts = model.probe()
        steps.append(("Server", f"{server.base_url} answers"))
        steps.append(("Model", f"{facts.model_id} is listed"))
        if facts.sha256:
            steps.append(("Model hash", facts.sha256[:12]))
        steps.append(("Context", f"{model.context_length} tokens"))
        generation = model.complete(prompt, max_tokens=max_tokens, seed=1)
        if not generation.text.strip():
            raise RemoteModelError("The server answered, but wrote nothing for a test sentence.")
        steps.append(("Model test", repr(prompt + generation.text)))
        steps.append(
            (
                "Generation",
                f"{generation.tokens} tokens, {generation.tokens_per_s:.0f} tokens/s, first "
                f"token in {(generation.first_token_s or 0) * 1000:.0f} ms",
            )
        )
        return ServerCheck(
            True,
            tuple(steps),
            identity=model.identity,
            tokens_per_s=generation.tokens_per_s,
            text=generation.text,
        )
    except RemoteModelError as exc:
        return ServerCheck(False, tuple(steps), problem=str(exc), identity=model.identity)
    finally:
        model.close()
