"""The suggestion model is loaded with the context its prompts use; long jobs keep theirs."""

from __future__ import annotations

import pytest

from app import paths
from app.model_service import ModelService
from app.settings import Settings
from app.tasks import TaskRunner
from assistant.prompts import suggestion_context_tokens


@pytest.mark.parametrize(
    ("n_ctx", "max_tokens", "expected"),
    [(2048, 24, 1536), (2048, 16, 1536), (1024, 24, 1024), (4096, 600, 2048), (2048, 900, 2048)],
)
def test_the_suggestion_context_follows_its_prompts(
    qtbot, n_ctx: int, max_tokens: int, expected: int
) -> None:
    settings = Settings(paths.settings_path())
    settings.set("suggestion_max_tokens", max_tokens)
    runner = TaskRunner()
    try:
        service = ModelService(runner, n_ctx=n_ctx, settings=settings)
        assert service.suggestion_n_ctx() == expected
        assert service.suggestion_n_ctx() == min(n_ctx, suggestion_context_tokens(max_tokens))
        assert service.n_ctx == n_ctx  # what rewrite and brainstorm load their model with
    finally:
        runner.shutdown()


def test_without_settings_the_default_suggestion_length_is_assumed(qtbot) -> None:
    runner = TaskRunner()
    try:
        assert ModelService(runner, n_ctx=2048).suggestion_n_ctx() == 1536
    finally:
        runner.shutdown()


@pytest.mark.model
@pytest.mark.parametrize(("chosen", "generate", "read"), [(0, None, None), (2, 2, 2), (1, 1, 1)])
def test_the_window_model_generates_on_one_core_fewer_unless_the_writer_chose(
    qtbot, default_model, chosen: int, generate: int | None, read: int | None
) -> None:
    """Automatic threads: every core (up to 8) reads the prompt, one fewer generates, so
    the window keeps a core; a number the writer chose is used for both."""
    from app.model_service import ModelState
    from assistant.backend import beside_a_window_thread_count, default_thread_count

    runner = TaskRunner()
    try:
        service = ModelService(runner, n_ctx=512, n_threads=chosen)
        service.load(default_model)
        qtbot.waitUntil(lambda: service.state is ModelState.READY, timeout=120_000)
        params = service._backend._llm.context_params  # the real llama.cpp context
        assert params.n_threads == (generate or beside_a_window_thread_count())
        assert params.n_threads_batch == (read or default_thread_count())
        reply = service._backend.generate("The keeper’s lamp", max_tokens=4, seed=1)
        assert reply.text  # it still writes
    finally:
        service.close()
        runner.shutdown()
