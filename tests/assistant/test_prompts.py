"""Prompts stay a stable prefix while the writer types, and stay within budget."""

from __future__ import annotations

import random

import pytest

from assistant.prompts import CHARS_PER_TOKEN, build_continuation_prompt, window_start

SHORT = "The old lighthouse keeper climbed the stairs every night."


def _novel(paragraphs: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = "the sea wind keeper light stairs night ship rope harbour quiet old grey".split()
    out = []
    for _ in range(paragraphs):
        sentences = [
            " ".join(rng.choice(words) for _ in range(rng.randint(5, 14))).capitalize() + "."
            for _ in range(rng.randint(2, 6))
        ]
        out.append(" ".join(sentences))
    return "\n\n".join(out)


def test_short_text_is_the_whole_prompt() -> None:
    prompt = build_continuation_prompt(SHORT)
    assert prompt.text == SHORT
    assert prompt.window_start == 0


def test_trailing_spaces_are_left_out_and_reported() -> None:
    prompt = build_continuation_prompt(SHORT + "  ")
    assert prompt.text == SHORT
    assert prompt.trailing_whitespace == "  "


@pytest.mark.parametrize("text", [SHORT, SHORT + " ", SHORT + " He", _novel(40), _novel(400)])
@pytest.mark.parametrize("typed", ["a", " ", "e", ".", "\n"])
def test_typing_extends_the_previous_prompt(text: str, typed: str) -> None:
    before = build_continuation_prompt(text, max_prompt_tokens=512)
    after = build_continuation_prompt(text + typed, max_prompt_tokens=512)
    assert after.text.startswith(before.text)


def test_window_moves_rarely_while_typing() -> None:
    text = _novel(200)
    budget = 512
    starts = set()
    moves = 0
    previous = None
    typed = "Another sentence about the quiet harbour and its keeper. " * 40
    for i in range(0, len(typed), 3):
        start = build_continuation_prompt(text + typed[:i], max_prompt_tokens=budget).window_start
        starts.add(start)
        if previous is not None and start != previous:
            moves += 1
        previous = start
    # about 2300 characters typed against a 2048-character window moving in 512-char steps
    assert moves <= len(typed) // (budget * CHARS_PER_TOKEN // 4) + 1
    assert len(starts) == moves + 1


def test_huge_text_is_bounded_and_starts_at_a_paragraph() -> None:
    text = _novel(3000)
    assert len(text) > 500_000
    prompt = build_continuation_prompt(text, max_prompt_tokens=1024)
    assert len(prompt.text) <= 1024 * CHARS_PER_TOKEN
    assert len(prompt.text) >= 1024 * CHARS_PER_TOKEN // 2
    assert text[prompt.window_start - 2 : prompt.window_start] == "\n\n"
    assert text.endswith(prompt.text)


def test_text_without_breaks_still_bounded() -> None:
    text = "x" * 100_000
    start = window_start(text, 4000)
    assert 0 < len(text) - start <= 4000


def test_preamble_comes_first() -> None:
    prompt = build_continuation_prompt(SHORT, preamble="A story.\n\n")
    assert prompt.text == "A story.\n\n" + SHORT


def test_the_shipped_template_is_the_text_itself() -> None:
    """SmolLM2-135M continues raw text best: the shipped preamble is empty, so the prompt
    is exactly the window over the writer's text (the bytes the KV cache reuses)."""
    import resources
    from assistant.prompts import CONTINUATION_TEMPLATE, continuation_preamble

    assert resources.read_text(CONTINUATION_TEMPLATE) == "{document}\n"
    assert continuation_preamble() == ""
    assert build_continuation_prompt(SHORT).text == SHORT


@pytest.mark.parametrize(
    ("template", "preamble"),
    [
        ("{document}", ""),
        ("{document}\n", ""),
        ("A story.\n\n{document}\n", "A story.\n\n"),
        ("Notes {braces} stay.\n{document}", "Notes {braces} stay.\n"),
    ],
)
def test_template_preamble(template: str, preamble: str) -> None:
    from assistant.prompts import template_preamble

    assert template_preamble(template) == preamble


@pytest.mark.parametrize(
    "template", ["", "no placeholder\n", "{document} then more\n", "{document}{document}"]
)
def test_a_template_must_end_with_the_document(template: str) -> None:
    from assistant.prompts import template_preamble

    with pytest.raises(ValueError, match="must end with"):
        template_preamble(template)


@pytest.mark.parametrize("typed", ["a", " ", "\n"])
def test_a_preamble_keeps_the_prefix_property(typed: str) -> None:
    text = _novel(400)
    preamble = "Continue the story.\n\n"
    before = build_continuation_prompt(text, max_prompt_tokens=512, preamble=preamble)
    after = build_continuation_prompt(text + typed, max_prompt_tokens=512, preamble=preamble)
    assert before.text.startswith(preamble)
    assert after.text.startswith(before.text)
