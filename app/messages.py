"""The one message bridge: any part of the app tells the writer something through here.

Modelled on qutebrowser's `utils/message.py`: a module-level hub with `info`, `warning`,
`error` and `decision`, callable from any layer of the app and any thread, before or
after the window exists. Messages posted before a display is attached are kept and shown
when it attaches. A message with an `id` replaces only the earlier message with the same
id (a model that failed, then loaded, retracts its own error); a decision (a message with
buttons) is never replaced by a notice: only the writer, or its own id, removes it.

`assistant/` and `memory/` never import this: they raise `DraftsmithError`s (see
`app.errors`), which the app turns into messages.

The hub is plain Python; the window's display is connected through `attach`, whose
listener is expected to hop to the GUI thread itself (a Qt signal does that).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

log = logging.getLogger(__name__)


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Action:
    """A button on a message: its label and what it does (the message closes after)."""

    label: str
    callback: Callable[[], None]


@dataclass(frozen=True, slots=True)
class Message:
    level: Level
    text: str
    actions: tuple[Action, ...] = ()
    id: str | None = None
    seq: int = field(default=0, compare=False)

    @property
    def is_decision(self) -> bool:
        """A message that asks the writer to choose (it has buttons)."""
        return bool(self.actions)


Listener = Callable[[Message], None]
Retractor = Callable[[str], None]
ActionSpec = Sequence[Action | tuple[str, Callable[[], None]]]

#: How many messages wait for a display before the oldest notices are dropped.
_PENDING_LIMIT = 50


class MessageHub:
    """Collects messages and hands them to the attached display (or keeps them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._show: Listener | None = None
        self._retract: Retractor | None = None
        self._pending: list[Message] = []

    def post(
        self,
        level: Level,
        text: str,
        *,
        actions: ActionSpec = (),
        id: str | None = None,  # noqa: A002 - the message's id, as in qutebrowser
    ) -> Message:
        buttons = tuple(a if isinstance(a, Action) else Action(a[0], a[1]) for a in actions)
        message = Message(level, text, buttons, id, next(self._counter))
        log.log(_LOG_LEVELS[level], "message: %s", text)
        with self._lock:
            show = self._show
            if show is None:
                self._keep(message)
        if show is not None:
            show(message)
        return message

    def info(self, text: str, *, actions: ActionSpec = (), id: str | None = None) -> Message:  # noqa: A002
        return self.post(Level.INFO, text, actions=actions, id=id)

    def warning(self, text: str, *, actions: ActionSpec = (), id: str | None = None) -> Message:  # noqa: A002
        return self.post(Level.WARNING, text, actions=actions, id=id)

    def error(self, text: str, *, actions: ActionSpec = (), id: str | None = None) -> Message:  # noqa: A002
        return self.post(Level.ERROR, text, actions=actions, id=id)

    def retract(self, id: str) -> None:  # noqa: A002
        """Remove the message with this id, shown or still waiting."""
        with self._lock:
            self._pending = [m for m in self._pending if m.id != id]
            retract = self._retract
        if retract is not None:
            retract(id)

    def _keep(self, message: Message) -> None:
        if message.id is not None:
            self._pending = [m for m in self._pending if m.id != message.id]
        self._pending.append(message)
        while len(self._pending) > _PENDING_LIMIT:
            notices = [m for m in self._pending if not m.is_decision]
            self._pending.remove(notices[0] if notices else self._pending[0])

    def attach(self, show: Listener, retract: Retractor) -> None:
        """Send every message to `show` from now on, starting with those that waited."""
        with self._lock:
            self._show, self._retract = show, retract
            waiting, self._pending = self._pending, []
        for message in waiting:
            show(message)

    def detach(self, show: Listener) -> None:
        """Stop sending to `show` (its window closed); later messages wait again."""
        with self._lock:
            if self._show is show:
                self._show = self._retract = None

    def pending(self) -> list[Message]:
        with self._lock:
            return list(self._pending)


_LOG_LEVELS = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}

#: The process's hub; the functions below are what the rest of the app calls.
hub = MessageHub()
post = hub.post
info = hub.info
warning = hub.warning
error = hub.error
retract = hub.retract
