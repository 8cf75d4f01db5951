"""Chat prompts from the templates in `resources/prompts/`, with the writer's words as data.

`fill` puts values into `{name}` placeholders in one pass, so a value that itself
contains "{text}" or "{instruction}" is never expanded again, and `as_data` defuses
chat-control tokens ("<|im_start|>" and the like) in the writer's text, so neither the
selection nor a typed instruction can open a new turn of the conversation.
"""

from __future__ import annotations

import regex

import resources
from assistant.model import ChatMessage

_PLACEHOLDER = regex.compile(r"\{([a-z_]+)\}")
_CONTROL = regex.compile(r"<\|[^|>]{0,40}\|>|</?s>|\[/?INST\]")


def as_data(text: str) -> str:
    """`text` with chat-control tokens broken up (a zero-width space after the "<")."""
    return _CONTROL.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def fill(template: str, **values: str) -> str:
    """The template with each `{name}` replaced by `values[name]`, in a single pass.
    Raises KeyError for a placeholder without a value."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template).strip()


def chat(system_template: str, user_template: str, **values: str) -> list[ChatMessage]:
    """A system turn and a user turn from two template files, the values made data."""
    data = {key: as_data(value) for key, value in values.items()}
    system: ChatMessage = {
        "role": "system",
        "content": fill(resources.read_text(system_template), **data),
    }
    user: ChatMessage = {
        "role": "user",
        "content": fill(resources.read_text(user_template), **data),
    }
    return [system, user]
