"""Long model jobs (rewrite, brainstorm) that never keep a suggestion waiting.

They run with `task=REWRITE` / `task=BRAINSTORM`, so a model service with a lane (and
model) per task runs them beside the suggestions. Where they share the suggestions'
lane, they make way: the job stops between tokens as soon as a suggestion is waiting
for the lane, and is queued again behind it, so a suggestion waits at most one
generation step (one token).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.model_service import SUGGEST
from app.tasks import TaskContext


class Waiting(Protocol):
    def waiting_for(self) -> float: ...


def shares_lane(model: object, task: str) -> bool:
    """Whether `task` runs on the same lane as the suggestions (True unless the model
    service says otherwise through a `lane_for(task)` method)."""
    lane_for = getattr(model, "lane_for", None)
    if not callable(lane_for):
        return True
    return bool(lane_for(task) == lane_for(SUGGEST))


def make_way(ctx: TaskContext, suggestions: Waiting | None, shared: bool) -> Callable[[], bool]:
    """A `should_stop` for a long job: cancelled, or (on a shared lane) a suggestion is
    waiting for the lane."""

    def stop() -> bool:
        if ctx.cancelled:
            return True
        return shared and suggestions is not None and suggestions.waiting_for() > 0.0

    return stop


def made_way(ctx: TaskContext, suggestions: Waiting | None, shared: bool) -> bool:
    """After a stop: was it to make way for a suggestion (not a cancel)?"""
    return (
        not ctx.cancelled and shared and suggestions is not None and suggestions.waiting_for() > 0.0
    )
