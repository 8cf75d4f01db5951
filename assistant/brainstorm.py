"""Ideas for the writer: what happens next, titles, names, arguments, questions.

One chat turn (the model's own template, `resources/prompts/brainstorm_*.txt`) asks for
a list; each line that completes is parsed into an idea (`parse_idea`), so ideas stream
in one by one. Echoes of the writer's text, talk ("Here are some ideas:") and
duplicates are dropped. Nothing here imports Qt; `draftsmith brainstorm` and the panel
both call `brainstorm`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import regex

from assistant.chat_prompts import chat
from assistant.model import ChatMessage, LanguageModel

SYSTEM_TEMPLATE = "prompts/brainstorm_system.txt"
USER_TEMPLATE = "prompts/brainstorm_user.txt"
MORE_TEMPLATE = "prompts/brainstorm_more.txt"

#: kind -> (the panel's label, the request; {n} ideas, {about} what they are about).
KINDS: dict[str, tuple[str, str]] = {
    "next": ("What happens next", "List {n} different things that could happen next{about}."),
    "titles": ("Titles", "List {n} possible titles for this text{about}."),
    "names": ("Names", "List {n} names for {about_or_default}. Names only."),
    "arguments": (
        "Arguments and counter-arguments",
        "List {n} arguments for and against the main point of this text{about}. "
        "Start each with For: or Against:.",
    ),
    "questions": ("Questions to answer", "List {n} questions this text should answer{about}."),
    "free": ("Free request", "{about_or_default} List {n} ideas."),
}
DEFAULT_COUNT = 5
#: How much of the document goes into the prompt (the end of it, where the writer is).
TEXT_CHARS = 3000
MAX_IDEA_CHARS = 240

_NUMBERING = regex.compile(r"^\s*(?:\d+[.)]|[-*•+]|#+)\s*")
_TALK = regex.compile(
    r"^(?:here (?:are|is)|sure|certainly|of course|okay|i hope|these (?:ideas|titles|names)|"
    r"let me know|feel free)\b|:\s*$",
    regex.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class BrainstormRequest:
    """What the writer asked for: a kind, what about, about which text, how many."""

    kind: str
    text: str
    about: str = ""
    count: int = DEFAULT_COUNT
    like: str = ""  # "more like this": an idea to vary
    avoid: tuple[str, ...] = ()  # ideas already listed

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown brainstorm kind {self.kind!r}; one of {', '.join(KINDS)}")


@dataclass
class BrainstormResult:
    ideas: list[str] = field(default_factory=list)
    interrupted: bool = False  # stopped before the model finished (cancel or make way)


def request_text(request: BrainstormRequest) -> str:
    """The instruction for the model, in words."""
    _label, pattern = KINDS[request.kind]
    about = request.about.strip()
    default = {"names": "a character or a place in this text", "free": "Ideas for this text."}
    text = (
        pattern.replace("{n}", str(request.count))
        .replace("{about_or_default}", about or default.get(request.kind, "this text"))
        .replace("{about}", f", about: {about}" if about else "")
    )
    if request.avoid:
        text += " Not these: " + "; ".join(request.avoid) + "."
    return text


def brainstorm_messages(request: BrainstormRequest) -> list[ChatMessage]:
    text = request.text[-TEXT_CHARS:].strip()
    if request.like:
        return chat(
            SYSTEM_TEMPLATE,
            MORE_TEMPLATE,
            request=request_text(request),
            idea=request.like,
            text=text,
        )
    return chat(SYSTEM_TEMPLATE, USER_TEMPLATE, request=request_text(request), text=text)


def parse_idea(line: str, source: str) -> str:
    """One idea from one line of the model's list ("" when the line is not an idea)."""
    idea = _NUMBERING.sub("", line.strip()).strip()
    idea = regex.sub(r"^\*\*(.+?)\*\*:?", r"\1", idea).strip()
    if len(idea) >= 2 and idea[0] in "\"“'" and idea[-1] in "\"”'":
        idea = idea[1:-1].strip()
    if not idea or _TALK.search(idea) or len(idea) < 2:
        return ""
    if idea.lower() in source.lower() and len(idea) > 25:
        return ""  # the model quoting the text back
    return idea[:MAX_IDEA_CHARS].rstrip()


def _key(idea: str) -> str:
    return regex.sub(r"[\W_]+", " ", idea.lower()).strip()


def brainstorm(
    model: LanguageModel,
    request: BrainstormRequest,
    *,
    temperature: float = 0.8,
    seed: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_idea: Callable[[str], None] | None = None,
    on_token: Callable[[str], None] | None = None,
    known: Sequence[str] = (),
) -> BrainstormResult:
    """Ask for ideas; each new, distinct idea goes to `on_idea` as soon as its line ends."""
    result = BrainstormResult()
    seen = {_key(i) for i in (*known, *request.avoid)}
    pending = [""]
    enough = False

    def take(line: str) -> None:
        nonlocal enough
        idea = parse_idea(line, request.text)
        key = _key(idea)
        if idea and key and key not in seen:
            seen.add(key)
            result.ideas.append(idea)
            if on_idea is not None:
                on_idea(idea)
            enough = len(result.ideas) >= request.count

    def token(piece: str) -> None:
        if on_token is not None:
            on_token(piece)
        pending[0] += piece
        *lines, pending[0] = pending[0].split("\n")
        for line in lines:
            take(line)

    def stop() -> bool:
        return enough or (should_stop is not None and should_stop())

    generation = model.chat(
        brainstorm_messages(request),
        max_tokens=min(48 * request.count + 32, 512),
        temperature=temperature,
        seed=seed,
        should_stop=stop,
        on_token=token,
    )
    if not generation.cancelled or enough:
        take(pending[0])
    result.interrupted = generation.cancelled and not enough
    return result
