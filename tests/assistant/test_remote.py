"""The OpenAI-compatible backend against a real server (llama-cpp-python's, serving the
bundled model on loopback) and against servers that are down, slow or broken."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.model import LanguageModel
from assistant.remote import RemoteModel, RemoteModelError, ServerSpec, check_server
from tests.model_servers import MODEL_ALIAS, free_port, llama_server, misbehaving_server

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def server_url(default_model: Path) -> Iterator[str]:
    with llama_server(default_model) as url:
        yield url


@pytest.fixture()
def remote(server_url: str) -> Iterator[RemoteModel]:
    model = RemoteModel(ServerSpec(server_url + "/v1", MODEL_ALIAS))
    yield model
    model.close()


def test_streams_a_completion_and_names_the_server_and_model(remote: RemoteModel) -> None:
    assert isinstance(remote, LanguageModel)
    pieces: list[str] = []
    generation = remote.complete(
        "The old lighthouse keeper climbed", max_tokens=12, seed=1, on_token=pieces.append
    )
    assert generation.text and "".join(pieces) == generation.text
    assert len(pieces) >= 2, "streamed piece by piece"
    assert not generation.cancelled and generation.tokens >= 2
    remote.probe()
    identity = remote.identity
    assert identity.url == remote.server.base_url and identity.url.endswith(
        str(remote.server.base_url.rsplit(":", 1)[1])
    )
    assert identity.model_id == MODEL_ALIAS
    author = identity.author()
    assert author.kind.value == "model" and remote.server.base_url in author.name


def test_chat_uses_the_server_s_template(remote: RemoteModel) -> None:
    generation = remote.chat(
        [{"role": "user", "content": "Name one colour."}], max_tokens=8, seed=2
    )
    assert generation.text.strip()


def test_cancel_between_chunks(remote: RemoteModel) -> None:
    seen: list[str] = []
    generation = remote.complete(
        "Once upon a time", max_tokens=200, on_token=seen.append, should_stop=lambda: len(seen) >= 3
    )
    assert generation.cancelled and generation.finish_reason == "cancelled"
    assert len(seen) == 3


def test_tokens_are_counted_by_the_server(remote: RemoteModel) -> None:
    assert remote.count_tokens("hello world") == 2  # SmolLM2's tokenizer: two tokens
    assert remote.count_tokens("") == 0


def test_check_server_reports_what_it_found(server_url: str) -> None:
    result = check_server(ServerSpec(server_url, MODEL_ALIAS))
    assert result.ok, result.problem
    labels = [label for label, _ in result.steps]
    assert labels[:2] == ["Server", "Model"] and "Generation" in labels
    assert result.tokens_per_s and result.tokens_per_s > 0
    missing = check_server(ServerSpec(server_url, "no-such-model"))
    assert not missing.ok and "no model named “no-such-model”" in missing.problem
    assert MODEL_ALIAS in missing.problem, "it says which models the server has"


def test_a_server_that_is_down_gives_a_plain_message_quickly() -> None:
    model = RemoteModel(ServerSpec(f"http://127.0.0.1:{free_port()}", "x"), connect_timeout=2)
    started = time.monotonic()
    with pytest.raises(RemoteModelError, match="Could not reach the server"):
        model.complete("hello")
    assert time.monotonic() - started < 10
    model.close()


def test_a_slow_server_times_out_with_a_plain_message() -> None:
    with misbehaving_server("slow") as url:
        model = RemoteModel(ServerSpec(url, "broken-model"), read_timeout=0.5)
        with pytest.raises(RemoteModelError, match="stopped answering for 0 s|stopped answering"):
            model.complete("hello", max_tokens=5)
        model.close()


def test_closing_stops_a_stalled_stream_at_once() -> None:
    with misbehaving_server("slow") as url:
        model = RemoteModel(ServerSpec(url, "broken-model"), read_timeout=30)
        outcome: list[object] = []
        thread = threading.Thread(
            target=lambda: outcome.append(model.complete("hello", max_tokens=5))
        )
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        model.close()
        thread.join(10)
        assert not thread.is_alive() and time.monotonic() - started < 10
        assert outcome and getattr(outcome[0], "cancelled", False)


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error", r"answered with an error \(HTTP 500\).*out of memory"),
        ("unauthorized", "API key is missing or wrong"),
        ("garbage", "not an OpenAI-compatible response"),
        ("cut", "closed the connection in the middle of an answer"),
    ],
)
def test_broken_servers_give_plain_messages(mode: str, message: str) -> None:
    with misbehaving_server(mode) as url:
        model = RemoteModel(ServerSpec(url, "broken-model"), read_timeout=5)
        with pytest.raises(RemoteModelError, match=message):
            model.complete("hello", max_tokens=5)
        model.close()


def test_server_references_round_trip() -> None:
    spec = ServerSpec("http://host:8080/v1/", "llama3:8b")
    assert spec.base_url == "http://host:8080"
    assert ServerSpec.from_ref(spec.ref) == ServerSpec("http://host:8080", "llama3:8b")
    assert ServerSpec.from_ref("/a/file.gguf") is None
