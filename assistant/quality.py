"""Is a suggestion worth showing? Checks that turn the small model's junk into nothing.

Each check is a plain function of the suggestion and the text before the cursor, so the
suggestion benchmark (`draftsmith bench suggestions`) measures exactly what the editor
filters. Offering nothing beats offering junk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

#: How far back a suggestion may not repeat a run of words from.
REPEAT_WINDOW_CHARS = 500
REPEAT_RUN_WORDS = 4

_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*")
# A list number or bullet ("2.", "3)", "-", "*", "#"), or a role label ("A:", "User:").
_LIST_OPENING = regex.compile(r"^\s*(?:\d+[.)](?:\s|$)|[-*•+]\s|#+\s|>\s)")
_ROLE_OPENING = regex.compile(
    r"^\s*(?:[A-Z]|Q|A|User|Assistant|System|Human|AI|Bot|Answer|Question|Note|Title|"
    r"Chapter|Step|Example|Output|Input|Response|Prompt|Text|Story|Poem|Author|Narrator|"
    r"\p{Lu}[\p{L}]{0,20})\s*:(?:\s|$)"
)
_MARKUP = regex.compile(r"<[/!]?[a-zA-Z|]|\[/?INST\]|<\|")
_URL = regex.compile(r"https?://|www\.")
_MARKERS = ("**", "__", "*", "_", "`")
_CLOSERS = ")]}\"'”’*_`"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether to offer a suggestion, and if not, why (for the benchmark and logs)."""

    ok: bool
    reason: str = ""


OK = Verdict(True)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def repeats_context(
    suggestion: str, before: str, run: int = REPEAT_RUN_WORDS, window: int = REPEAT_WINDOW_CHARS
) -> bool:
    """Whether the suggestion repeats a run of `run`+ words from the last `window` characters
    (counting runs that start in the text before and continue into the suggestion)."""
    context = words(before[-window:])
    tail = context[-(run - 1) :] if run > 1 else []
    new = words(suggestion)
    if not new:
        return False
    seen = {tuple(context[i : i + run]) for i in range(len(context) - run + 1)}
    joined = tail + new
    for i in range(len(joined) - run + 1):
        gram = tuple(joined[i : i + run])
        if i + run > len(tail) and gram in seen:
            return True
    # Also a run repeated inside the suggestion itself ("the sea, the sea, the sea").
    inner = {tuple(new[i : i + run]) for i in range(len(new) - run + 1)}
    return len(inner) < max(0, len(new) - run + 1)


def marker_counts(text: str) -> dict[str, int]:
    """How many of each Markdown emphasis marker `text` has (** and __ before * and _)."""
    counts: dict[str, int] = {}
    rest = regex.sub(r"`[^`]*`", "", text)  # code spans hide their markers
    for marker in _MARKERS:
        if marker in ("*", "_"):
            # A lone * or _ between letters (snake_case, 2*3) is not emphasis.
            found = len(
                regex.findall(
                    rf"(?<![\p{{L}}\p{{N}}]){regex.escape(marker)}|"
                    rf"{regex.escape(marker)}(?![\p{{L}}\p{{N}}])",
                    rest,
                )
            )
        else:
            found = rest.count(marker)
        counts[marker] = found
        rest = rest.replace(marker, " ")
    return counts


def unbalanced_markdown(suggestion: str, before: str) -> bool:
    """Whether the suggestion opens or closes emphasis that the paragraph does not: the
    markers open at the cursor must be the same before and after the suggestion, or the
    suggestion may only close what is open."""
    paragraph = before.rsplit("\n", 1)[-1]
    open_before = {m: n % 2 for m, n in marker_counts(paragraph).items()}
    after = {m: n % 2 for m, n in marker_counts(paragraph + suggestion).items()}
    for marker, was_open in open_before.items():
        if after[marker] and not was_open:
            return True  # the suggestion leaves emphasis open
    return suggestion.count("`") % 2 == 1 and paragraph.count("`") % 2 == 0


def junk_opening(suggestion: str) -> bool:
    """A list number, bullet, heading or role label ("A:", "User:") at the start."""
    return bool(_LIST_OPENING.match(suggestion) or _ROLE_OPENING.match(suggestion))


def looks_like_markup(suggestion: str) -> bool:
    """Chat or HTML markup, or a URL: the model talking to itself, not writing prose."""
    return bool(_MARKUP.search(suggestion) or _URL.search(suggestion))


def echoes_before(suggestion: str, before: str) -> bool:
    """The suggestion starts by repeating the last words typed ("and" -> " and then")."""
    last = words(before[-60:])
    new = words(suggestion)
    if not last or not new:
        return False
    return any(last[-n:] == new[:n] for n in range(2, min(len(last), len(new), 4) + 1))


def first_word_fragment(suggestion: str) -> str:
    """The letters the suggestion adds to the word before the cursor ("" for none)."""
    match = _WORD.match(suggestion)
    return match.group(0) if match and match.start() == 0 else ""


def judge(
    suggestion: str,
    before: str,
    *,
    known_word: Callable[[str], bool] | None = None,
    after: str = "",
) -> Verdict:
    """Whether `suggestion`, to be shown after `before`, is worth offering."""
    if not suggestion.strip():
        return Verdict(False, "empty")
    if junk_opening(suggestion) and not junk_opening(before.rsplit("\n", 1)[-1] + "x"):
        return Verdict(False, "junk opening")
    if looks_like_markup(suggestion):
        return Verdict(False, "markup")
    if repeats_context(suggestion, before):
        return Verdict(False, "repeat")
    if echoes_before(suggestion, before):
        return Verdict(False, "echo")
    if unbalanced_markdown(suggestion, before):
        return Verdict(False, "unbalanced markdown")
    if suggestion[:1] == " " and before[-1:].isspace():
        return Verdict(False, "double space")
    if suggestion[:1] in ",.;:!?)]}" and before[-1:] in (" ", "\t"):
        return Verdict(False, "space before punctuation")
    if after and after[0] in _CLOSERS and suggestion.rstrip()[-1:] in _CLOSERS:
        return Verdict(False, "closes twice")
    if before[-1:].isalnum():
        partial = _WORD.findall(before[-40:])
        typed = partial[-1] if partial else ""
        fragment = first_word_fragment(suggestion)
        if known_word is not None and typed:
            # A word being typed: the suggestion must finish it into a real word, or the
            # word must already be complete.
            if not known_word(typed + fragment):
                return Verdict(False, "inside a word")
    return OK


def word_known_to(count_tokens: Callable[[str], int], before: str) -> Callable[[str], bool]:
    """A test for "is this a real word?": it appears earlier in the text, or the model's
    vocabulary spells it (with its leading space) in at most two tokens. Garbage splices
    ("lighthouppen") take more."""
    seen = set(words(before[-4000:-1] if len(before) > 1 else ""))

    def known(word: str) -> bool:
        if not word:
            return True
        if word.lower() in seen:
            return True
        if word.isdigit():
            return True
        return count_tokens(" " + word) <= 2 or count_tokens(" " + word.lower()) <= 1

    return known
