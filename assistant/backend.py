"""The in-process llama.cpp backend: load a GGUF model, stream a completion, release it.

`llama_cpp` is imported only inside `LlamaBackend.load`, so importing this module is cheap
and the window can appear before any heavy import.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.model import (
    ChatMessage,
    Generation,
    ModelIdentity,
    OnToken,
    ShouldStop,
    avoid_bias,
)
from assistant.model_files import (
    ModelFile,
    ModelFileError,
    check_fits_in_memory,
    check_model_file,
    describe,
    model_display_name,
)
from memory.errors import DraftsmithError

__all__ = ["Generation", "LlamaBackend", "ModelLoadError", "ModelNotLoadedError"]

ProgressCallback = Callable[[float], None]

# Share of the load progress bar spent reading (and hashing) the file before llama.cpp maps it.
_READ_SHARE = 0.8
#: Tokens llama.cpp evaluates per batch of a prompt (its logical and physical batch).
DEFAULT_BATCH = 512
#: ggml's type number for the KV cache with flash attention (`GGML_TYPE_Q8_0`): 8-bit K
#: and V hold half the memory of f16 (17 MiB less for the bundled model's 1,536-token
#: context) at the same generation speed (docs/performance.md, "Peak RSS"). Without
#: flash attention llama.cpp cannot quantize V, so the cache stays f16 then.
KV_CACHE_TYPE = 8
#: Tokens a warm-up evaluates between checks for a real request (see `LlamaBackend.warm`):
#: a request waits at most this many tokens' evaluation (about 0.1 s on two cores).
WARM_CHUNK = 32
#: Texts whose tokens a backend remembers (see `LlamaBackend._tokens_of`).
_TOKEN_CACHE_SIZE = 8
log = logging.getLogger(__name__)


def _bias(
    llm: Any, logit_bias: Mapping[int, float] | None, avoid: Sequence[str]
) -> dict[int, float] | None:
    """llama.cpp's `logit_bias` (token id -> bias) for one generation, or None."""
    if not logit_bias and not avoid:
        return None

    def tokenize(text: str) -> list[int]:
        return list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    return avoid_bias(tokenize, avoid, logit_bias) or None


class ModelLoadError(DraftsmithError):
    """The model could not be loaded; the message is meant for the writer."""


class ModelNotLoadedError(RuntimeError):
    """A generation was asked of a backend that has no model loaded (a bug in the caller)."""


def default_thread_count() -> int:
    """Threads for reading a prompt: every core up to 8 (more rarely helps small models)."""
    return max(1, min(os.cpu_count() or 1, 8))


def beside_a_window_thread_count() -> int:
    """Threads for generating tokens while a window works beside them: one core fewer
    than `default_thread_count`, at least one. Each token is a graph whose steps meet at
    a barrier, and on a core the GUI thread takes (a repaint, a slice of styling) the
    barrier waits for it: in the window on 2 cores, one-token decodes took 20-60 ms on
    two threads against 12.7 in a bare process, and one thread was as fast as two
    (docs/performance.md, "The whole inline suggestion")."""
    return max(1, default_thread_count() - 1)


class LlamaBackend:
    """One llama.cpp model in this process, generating one completion at a time.

    Implements `assistant.model.LanguageModel`."""

    def __init__(self) -> None:
        self._llm: Any = None
        self._model_file: ModelFile | None = None
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._formatter: Any = None  # the loaded model's chat template, made on first use
        self.n_ctx = 0
        self.load_seconds = 0.0
        self.flash_attn = False  # whether the loaded context uses flash attention
        #: Prompt tokens the last completion had to evaluate (the rest came from the cache).
        self.prompt_tokens_evaluated = 0
        #: Prompt tokens evaluated by warm-ups since the model loaded.
        self.warmed_tokens = 0
        # The last few texts tokenised (a request tokenises its prompt to count it, to
        # ask the cache and to run it): (text, as a prompt) -> tokens, for the loaded model.
        self._token_cache: dict[tuple[str, bool], list[int]] = {}

    @property
    def loaded(self) -> bool:
        """Whether a model is loaded and ready to generate."""
        return self._llm is not None

    @property
    def model_file(self) -> ModelFile | None:
        """The loaded model file (with its SHA-256), or None."""
        return self._model_file

    @property
    def model_name(self) -> str:
        """A short display name of the loaded model, or an empty string."""
        return model_display_name(self._model_file.path) if self._model_file else ""

    @property
    def identity(self) -> ModelIdentity:
        model = self._model_file
        if model is None:
            return ModelIdentity("")
        return ModelIdentity(model_display_name(model.path), model.sha256)

    @property
    def context_length(self) -> int:
        return self.n_ctx

    @property
    def has_chat_template(self) -> bool:
        llm = self._llm
        if llm is None:
            return False
        return bool(llm.metadata.get("tokenizer.chat_template"))

    def load(
        self,
        path: Path,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        progress: ProgressCallback | None = None,
        hash_cache: Path | None = None,
        *,
        flash_attn: bool = True,
        n_batch: int = DEFAULT_BATCH,
        generation_threads: int | None = None,
    ) -> ModelFile:
        """Load the GGUF at `path`, replacing any loaded model; blocking, so run it off the GUI.

        The file is read once first to take its SHA-256 (the model's identity in the
        authorship record); that read also warms the disk cache llama.cpp maps it from, and
        is what `progress` reports, as llama-cpp-python's `Llama` offers no load callback.
        Flash attention is on (faster generation, see docs/performance.md), with an 8-bit
        KV cache (`KV_CACHE_TYPE`); where this llama.cpp build cannot make a context with
        them, the model loads without either.
        With `hash_cache` (a JSON file) a hash taken at an earlier launch is reused while
        the file's size and modification time are unchanged. `n_threads` read prompts
        (`default_thread_count` when not given) and generate tokens, unless
        `generation_threads` says otherwise (`beside_a_window_thread_count`, for the
        window's models). Raises `ModelLoadError` with a plain-language message on any
        failure.
        """
        path = Path(path)

        def report(fraction: float) -> None:
            if progress is not None:
                progress(fraction)

        report(0.0)
        try:
            check_model_file(path)
            check_fits_in_memory(path, n_ctx)  # before hashing gigabytes in vain
            model_file = describe(
                path, progress=lambda f: report(f * _READ_SHARE), hash_cache=hash_cache
            )
        except ModelFileError as exc:
            raise ModelLoadError(str(exc)) from None
        llama_class = _import_llama()
        threads = n_threads or default_thread_count()
        with self._lock:
            self._release()
            started = time.perf_counter()
            options: dict[str, Any] = {
                "model_path": str(path),
                "n_ctx": n_ctx,
                "n_threads": generation_threads or threads,
                "n_threads_batch": threads,
                "n_batch": min(n_batch, n_ctx),
                "n_ubatch": min(n_batch, n_ctx),
                "verbose": False,
            }
            try:
                try:
                    quantized = (
                        {"type_k": KV_CACHE_TYPE, "type_v": KV_CACHE_TYPE} if flash_attn else {}
                    )
                    llm = llama_class(**options, flash_attn=flash_attn, **quantized)
                except ValueError:
                    if not flash_attn:
                        raise
                    llm = llama_class(**options, flash_attn=False)
                    log.info("flash attention unavailable here; loaded %s without it", path.name)
                self.flash_attn = bool(llm.context_params.flash_attn_type == 1)
            except Exception as exc:  # llama-cpp-python raises ValueError/RuntimeError here
                raise ModelLoadError(
                    f"The model file {path.name} could not be loaded; it may be damaged, "
                    f"incomplete, or made for a newer version of llama.cpp. ({exc})"
                ) from exc
            self.load_seconds = time.perf_counter() - started
            self._llm = llm
            self._model_file = model_file
            self.n_ctx = n_ctx
            self._closing.clear()
        report(1.0)
        return model_file

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
        """Stream a plain completion of `prompt`, calling `on_token` with each new piece of text.

        `should_stop` is checked between tokens; a stop returns a `Generation` marked
        cancelled with the text so far (a cancel is not an error). One generation runs at a
        time: a second caller waits for the first to finish.
        """

        def start(llm: Any, stopping: Callable[..., bool]) -> Any:
            tokens = self._tokens_of(llm, prompt)
            self.prompt_tokens_evaluated = len(tokens) - _cached_prefix(llm, tokens)
            return _stream_completion(
                llm,
                tokens,
                max_tokens=max_tokens,
                temperature=temperature,
                top_p=top_p,
                repeat_penalty=repeat_penalty,
                stop=stop,
                seed=seed,
                stopping=stopping,
                logit_bias=_bias(llm, logit_bias, avoid),
            )

        return self._stream(start, lambda choice: choice.get("text") or "", should_stop, on_token)

    #: The older name of `complete` (benchmarks and doctor use it).
    def generate(self, prompt: str, **options: Any) -> Generation:
        return self.complete(prompt, **options)

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
        """Stream the reply to `messages`, formatted by the model's own chat template.

        The template is applied here (llama-cpp-python's Jinja2 formatter) and the tokens
        go through the same streaming completion as `complete`, so cancelling between
        tokens works for chat too (its chat API has no stopping hook)."""

        def start(llm: Any, stopping: Callable[..., bool]) -> Any:
            formatted = self._format_chat(llm, messages)
            tokens = llm.tokenize(
                formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True
            )
            stops = list(stop)
            if formatted.stop is not None:
                extra = formatted.stop
                stops += [extra] if isinstance(extra, str) else list(extra)
            end_ids = formatted.stopping_criteria

            def stop_here(input_ids: Sequence[int], logits: object) -> bool:
                ended = bool(end_ids is not None and end_ids(input_ids, logits))
                return stopping(input_ids, logits) or ended

            return llm.create_completion(
                tokens,
                max_tokens=max_tokens,
                temperature=temperature,
                top_p=top_p,
                repeat_penalty=repeat_penalty,
                stop=stops or None,
                stream=True,
                seed=seed,
                stopping_criteria=stop_here,
                logit_bias=_bias(llm, logit_bias, avoid),
            )

        return self._stream(start, lambda choice: choice.get("text") or "", should_stop, on_token)

    def _format_chat(self, llm: Any, messages: Sequence[ChatMessage]) -> Any:
        """The prompt by the model's template, run in llama-cpp-python's sandboxed Jinja2
        (CVE-2024-34359): a template that reaches for Python internals, or is broken, is
        refused with a plain message instead of running anything."""
        import jinja2

        try:
            return self._chat_formatter(llm)(messages=[dict(m) for m in messages])
        except jinja2.TemplateError as exc:
            self._formatter = None
            raise ModelLoadError(
                f"{self.model_name or 'This model'}'s chat template could not be used safely "
                f"({exc.__class__.__name__}: {exc}), so rewrite and brainstorm cannot run with "
                "it. Choose another model for them; suggestions are not affected."
            ) from None

    def _chat_formatter(self, llm: Any) -> Any:
        """The model's chat template as a formatter (made once per loaded model)."""
        if self._formatter is not None:
            return self._formatter
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelLoadError(
                f"{self.model_name or 'This model'} has no chat template, so it cannot run "
                "chat tasks (rewrite, brainstorm); choose an instruction-tuned model."
            )
        eos_id, bos_id = llm.token_eos(), llm.token_bos()
        eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
        bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
        self._formatter = Jinja2ChatFormatter(
            template=template, eos_token=eos, bos_token=bos, stop_token_ids=[eos_id]
        )
        return self._formatter

    def _stream(
        self,
        start: Callable[[Any, Callable[..., bool]], Any],
        piece_of: Callable[[dict[str, Any]], str],
        should_stop: ShouldStop | None,
        on_token: OnToken | None,
    ) -> Generation:
        with self._lock:
            llm = self._llm
            if llm is None:
                raise ModelNotLoadedError("No model is loaded.")

            def stopping(*_: object) -> bool:
                return self._closing.is_set() or (should_stop is not None and should_stop())

            started = time.perf_counter()
            if stopping():
                return Generation("", 0, 0, 0.0, None, 0.0, "cancelled", True)
            lengths: list[int] = []
            stamps: list[float] = []

            def count_token(input_ids: Sequence[int], _logits: object) -> bool:
                # Called after each sampled token with the ids so far; llama-cpp-python calls
                # it once more at the end with the same length, hence the de-duplication.
                if not lengths or lengths[-1] != len(input_ids):
                    lengths.append(len(input_ids))
                    stamps.append(time.perf_counter())
                return stopping()

            pieces: list[str] = []
            finish_reason = "length"
            try:
                for chunk in start(llm, count_token):
                    choice = chunk["choices"][0]
                    piece = piece_of(choice)
                    if piece:
                        pieces.append(piece)
                        if on_token is not None:
                            on_token(piece)
                    if choice.get("finish_reason"):
                        finish_reason = choice["finish_reason"]
            except ValueError as exc:
                # e.g. "Requested tokens exceed context window": a caller's prompt too long.
                raise ValueError(f"The prompt does not fit in the model's context: {exc}") from exc
            ended = time.perf_counter()
            cancelled = stopping()
            tokens = len(lengths)
            prompt_tokens = lengths[0] if lengths else 0
            first = stamps[0] - started if stamps else None
            if tokens >= 2:
                speed = (tokens - 1) / max(stamps[-1] - stamps[0], 1e-9)
            else:
                speed = tokens / max(ended - started, 1e-9)
            return Generation(
                text="".join(pieces),
                prompt_tokens=prompt_tokens,
                tokens=tokens,
                seconds=ended - started,
                first_token_s=first,
                tokens_per_s=speed,
                finish_reason="cancelled" if cancelled else finish_reason,
                cancelled=cancelled,
            )

    def _tokens_of(self, llm: Any, text: str, *, prompt: bool = True) -> list[int]:
        """`text` as tokens: as a prompt (`_prompt_tokens`) or as plain text; the last few
        are remembered, since a request asks for the same prompt's tokens several times.
        Called with the lock held."""
        key = (text, prompt)
        found = self._token_cache.get(key)
        if found is None:
            if prompt:
                found = _prompt_tokens(llm, text)
            else:
                found = list(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
            if len(self._token_cache) >= _TOKEN_CACHE_SIZE:
                del self._token_cache[next(iter(self._token_cache))]
            self._token_cache[key] = found
        return found

    def cached_tokens(self, prompt: str) -> tuple[int, int]:
        """(tokens of `prompt` already in the model's cache, tokens of `prompt`): what a
        completion of `prompt` would not have to evaluate again."""
        with self._lock:
            llm = self._llm
            if llm is None:
                raise ModelNotLoadedError("No model is loaded.")
            tokens = self._tokens_of(llm, prompt)
            return _cached_prefix(llm, tokens), len(tokens)

    def warm(self, prompt: str, should_stop: ShouldStop | None = None) -> int:
        """Evaluate `prompt` into the model's cache without generating, so that a
        completion of it, or of a prompt that extends it, evaluates only what is new
        (llama-cpp-python reuses the longest cached prefix). Works in chunks of
        `WARM_CHUNK` tokens and stops between them when `should_stop` says so, keeping
        what it evaluated. Returns how many tokens it evaluated."""
        with self._lock:
            llm = self._llm
            if llm is None:
                raise ModelNotLoadedError("No model is loaded.")
            tokens = self._tokens_of(llm, prompt)
            done = _cached_prefix(llm, tokens)
            evaluated = 0
            while done < len(tokens):
                if self._closing.is_set() or (should_stop is not None and should_stop()):
                    break
                llm.n_tokens = done  # keep the shared prefix; the decode drops what followed
                chunk = tokens[done : done + WARM_CHUNK]
                _decode(llm, chunk)
                done += len(chunk)
                evaluated += len(chunk)
            self.warmed_tokens += evaluated
            return evaluated

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` is for the loaded model."""
        with self._lock:
            if self._llm is None:
                raise ModelNotLoadedError("No model is loaded.")
            return len(self._tokens_of(self._llm, text, prompt=False))

    def close(self) -> None:
        """Release the model's memory now; stops a running generation first."""
        self._closing.set()
        with self._lock:
            self._release()

    def _release(self) -> None:
        llm, self._llm, self._model_file = self._llm, None, None
        self._formatter = None
        self._token_cache.clear()
        if llm is not None:
            llm.close()


def _decode(llm: Any, tokens: Sequence[int]) -> None:
    """Evaluate `tokens` after the `llm.n_tokens` already in its cache, as `Llama.eval`
    does (what followed them is dropped first; logits only for the last token of each
    batch) but filling llama.cpp's batch from one array per batch instead of a Python
    loop over ctypes fields, and keeping `llm.input_ids` / `llm.n_tokens` in step so
    llama-cpp-python's own calls (chat, `eval`) still see the cache as it is. The decode
    itself releases the GIL (ctypes)."""
    import ctypes

    import llama_cpp
    import numpy as np

    ctx = llm._ctx  # noqa: SLF001 - the low-level handles of the loaded model
    ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)
    batch = llm._batch.batch  # noqa: SLF001
    step = int(llm.n_batch)
    ids = np.asarray(tokens, dtype=np.int32)
    for i in range(0, len(ids), step):
        part = ids[i : i + step]
        n = len(part)
        past = int(llm.n_tokens)
        positions = np.arange(past, past + n, dtype=np.int32)
        ctypes.memmove(batch.token, part.ctypes.data, n * 4)
        ctypes.memmove(batch.pos, positions.ctypes.data, n * 4)
        ctypes.memset(batch.logits, 0, n)
        batch.logits[n - 1] = 1
        seq_ids, counts = batch.seq_id, batch.n_seq_id
        if getattr(llm, "_draftsmith_seq_filled", 0) < n:  # seq 0 for every slot, once
            for j in range(step):
                seq_ids[j][0] = 0
                counts[j] = 1
            llm._draftsmith_seq_filled = step
        batch.n_tokens = n
        code = llama_cpp.llama_decode(ctx.ctx, batch)
        if code != 0:
            raise RuntimeError(f"llama_decode returned {code}")
        llm.input_ids[past : past + n] = part
        llm.n_tokens = past + n
        llm._requires_eval = False  # noqa: SLF001 - the logits are this decode's


def _stream_completion(
    llm: Any,
    tokens: list[int],
    *,
    max_tokens: int,
    temperature: float,
    top_p: float,
    repeat_penalty: float,
    stop: Sequence[str],
    seed: int | None,
    stopping: Callable[..., bool],
    logit_bias: Mapping[int, float] | None,
) -> Iterator[dict[str, Any]]:
    """What `Llama.create_completion(tokens, stream=True, ...)` yields, for a plain
    completion, with the same sampler chain, seeds, prefix reuse and cache bookkeeping
    (so the same seed gives the same text), but with little Python per token: sampling
    (repeat penalty and logit bias included) stays in llama.cpp's C sampler chain, each
    token is turned into text once (an incremental UTF-8 decoder) instead of the whole
    completion again, and each chunk is a small dict. Python code holding the GIL per
    token is what stalls the GUI thread while the model generates."""
    import codecs
    import random

    import llama_cpp

    n_ctx = int(llm.n_ctx())
    if len(tokens) >= n_ctx:
        raise ValueError(f"Requested tokens ({len(tokens)}) exceed context window of {n_ctx}")
    if max_tokens is None or max_tokens <= 0:
        max_tokens = n_ctx - len(tokens)
    max_tokens = min(max_tokens, n_ctx - len(tokens))
    llm.set_seed(seed if seed is not None else random.Random(llm._seed).randint(0, 2**32))  # noqa: SLF001
    sampler = _sampler(llm, temperature, top_p, repeat_penalty, logit_bias)
    vocab = llm._model.vocab  # noqa: SLF001
    ctx = llm._ctx.ctx  # noqa: SLF001
    try:
        # The longest cached prefix is kept (as llama-cpp-python's `generate` does); an
        # exact hit whose logits are live samples at once, otherwise at least the last
        # prompt token is evaluated again for its logits.
        cached = _cached_prefix(llm, tokens)
        if cached == len(tokens) == llm.n_tokens and not llm._requires_eval:  # noqa: SLF001
            todo: list[int] = []
        else:
            keep = min(cached, len(tokens) - 1)
            llm.n_tokens = keep
            todo = tokens[keep:]
        decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
        stops = [s for s in stop if s]
        text = ""  # the completion so far (only kept when there are stop strings)
        sent = 0  # characters of `text` yielded
        buffer = _piece_buffer()
        count = 0
        finish = "length"
        stopped_at_string = False
        while True:
            if todo:
                _decode(llm, todo)
            token = int(llama_cpp.llama_sampler_sample(sampler.sampler, ctx, -1))
            # The ids so far, as llama-cpp-python passes them (the sampled one not yet in).
            if stopping(llm.input_ids[: llm.n_tokens], None):
                finish = "stop"
                break
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                finish = "stop"
                break
            count += 1
            size = llama_cpp.llama_token_to_piece(vocab, token, buffer, len(buffer), 0, False)
            if size < 0:  # a longer piece: llama.cpp says how long
                buffer = _piece_buffer(-size)
                size = llama_cpp.llama_token_to_piece(vocab, token, buffer, len(buffer), 0, False)
            piece = decoder.decode(bytes(buffer[: max(size, 0)]))
            if stops:
                text += piece
                found = [text.find(s) for s in stops if s in text]
                if found:
                    end = min(found)
                    if end > sent:
                        yield _chunk(text[sent:end], None)
                    finish, stopped_at_string = "stop", True
                    break
                held = max((_partial_stop(text, s) for s in stops), default=0)
                piece, sent = text[sent : len(text) - held], len(text) - held
            if piece:
                yield _chunk(piece, None)
            if count >= max_tokens:
                break
            todo = [token]
        yield _chunk("" if stopped_at_string else text[sent:], finish)
    finally:
        sampler.close()


def _piece_buffer(size: int = 64) -> Any:
    """A buffer for one token's text."""
    import ctypes

    return (ctypes.c_char * size)()


def _chunk(text: str, finish: str | None) -> dict[str, Any]:
    return {"choices": [{"text": text, "finish_reason": finish}]}


def _partial_stop(text: str, stop: str) -> int:
    """How many characters at the end of `text` could begin `stop` (held back)."""
    for size in range(min(len(stop) - 1, len(text)), 0, -1):
        if text.endswith(stop[:size]):
            return size
    return 0


def _sampler(
    llm: Any,
    temperature: float,
    top_p: float,
    repeat_penalty: float,
    logit_bias: Mapping[int, float] | None,
) -> Any:
    """llama-cpp-python's own sampler chain for these settings (`Llama._init_sampler`,
    its defaults: top-k 40, min-p 0.05), with the logit bias first as llama.cpp's C
    sampler instead of a Python logits processor over the whole vocabulary."""
    from llama_cpp import _internals

    if not logit_bias:
        return llm._init_sampler(  # noqa: SLF001
            top_k=40, top_p=top_p, min_p=0.05, temp=temperature, repeat_penalty=repeat_penalty
        )
    chain = _internals.LlamaSampler()
    chain.add_logit_bias(int(llm.n_vocab()), {int(k): float(v) for k, v in logit_bias.items()})
    rest = llm._init_sampler(  # noqa: SLF001
        top_k=40, top_p=top_p, min_p=0.05, temp=temperature, repeat_penalty=repeat_penalty
    )
    _move_samplers(rest, chain)
    return chain


def _move_samplers(source: Any, target: Any) -> None:
    """Move every sampler of chain `source` to the end of chain `target`."""
    import llama_cpp

    while llama_cpp.llama_sampler_chain_n(source.sampler) > 0:
        one = llama_cpp.llama_sampler_chain_remove(source.sampler, 0)
        llama_cpp.llama_sampler_chain_add(target.sampler, one)
    source.close()


def _prompt_tokens(llm: Any, prompt: str) -> list[int]:
    """`prompt` as the tokens a completion evaluates (BOS where the model wants one);
    completions and warm-ups pass these ids, so both see the same tokens."""
    return list(llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True))


def _cached_prefix(llm: Any, tokens: Sequence[int]) -> int:
    """How many of `tokens`, from the start, are already in `llm`'s cache."""
    import numpy as np

    size = min(int(llm.n_tokens), len(tokens))
    if size == 0:
        return 0
    differ = np.flatnonzero(llm.input_ids[:size] != np.asarray(tokens[:size]))
    return int(differ[0]) if differ.size else size


def _import_llama() -> Any:
    """The `llama_cpp.Llama` class, or a `ModelLoadError` saying the runtime is missing."""
    try:
        from llama_cpp import Llama
    except Exception as exc:  # ImportError, or OSError/RuntimeError from the shared library
        raise ModelLoadError(
            "The llama.cpp runtime (the llama-cpp-python package) is not installed or could "
            f"not start, so no local model can run. ({exc})"
        ) from exc
    return Llama
