"""The origin vocabulary in resources/origins.json: complete, and read without Qt."""

from __future__ import annotations

import copy

import pytest

import resources
from memory.events import CLIPBOARD, UNKNOWN_EXTERNAL, Author, EditEvent, How, SourceKind
from memory.origins import (
    LABELS,
    ORIGIN_KEYS,
    origin_of,
    origin_of_author,
    parse_vocabulary,
    vocabulary,
)

HEX = "0123456789abcdef"


def test_every_origin_and_every_way_of_editing_has_words_and_colours() -> None:
    words = vocabulary()
    assert tuple(words.origins) == ORIGIN_KEYS
    for key in ORIGIN_KEYS:
        origin = words[key]
        assert origin.label and origin.description and origin.css_class.startswith("o-")
        for theme in ("light", "dark"):
            colours = origin.colours(theme)
            for colour in (colours.background, colours.line):
                if colour is not None:
                    assert len(colour) == 7 and colour[0] == "#" and set(colour[1:]) <= set(HEX)
    assert words["human"].light.background is None  # the writer's own text is not tinted
    assert len({words[key].light.background for key in LABELS if key != "human"}) == 5
    assert len({words[key].dark.background for key in LABELS if key != "human"}) == 5
    for how in How:
        assert words.how(how)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_tints_keep_text_readable_in_both_themes() -> None:
    words = vocabulary()
    for theme in ("light", "dark"):
        text = words.theme(theme).text
        for key in ORIGIN_KEYS:
            background = words[key].colours(theme).background or words.theme(theme).page
            assert _contrast(text, background) >= 7, (theme, key)  # WCAG AAA for body text


def test_origins_of_authors_and_events_use_the_same_keys() -> None:
    ana = Author(SourceKind.PERSON, "Ana")
    model = Author(SourceKind.MODEL, "M", "ab")
    assert origin_of_author(None) == "unknown"
    assert origin_of_author(ana) == origin_of(EditEvent(1, ana, How.TYPED, 0)) == "human"
    assert origin_of_author(model) == "model"
    assert origin_of_author(CLIPBOARD) == origin_of(EditEvent(1, CLIPBOARD, How.PASTE, 0))
    assert origin_of_author(UNKNOWN_EXTERNAL) == "external"
    # Text whose author a file's block names keeps that author's origin when imported.
    assert origin_of(EditEvent(1, model, How.IMPORT, 0)) == "model"
    assert origin_of(EditEvent(1, Author(SourceKind.IMPORT, "a.md"), How.IMPORT, 0)) == "imported"


def test_an_incomplete_vocabulary_is_refused() -> None:
    data = resources.load_json("origins.json")
    missing_origin = copy.deepcopy(data)
    missing_origin["origins"] = [o for o in data["origins"] if o["key"] != "model"]
    with pytest.raises(ValueError, match="model"):
        parse_vocabulary(missing_origin)
    missing_how = copy.deepcopy(data)
    del missing_how["how"]["rewrite"]
    with pytest.raises(ValueError, match="rewrite"):
        parse_vocabulary(missing_how)
    bad_pattern = copy.deepcopy(data)
    bad_pattern["origins"][1]["line_pattern"] = "zigzag"
    with pytest.raises(ValueError, match="line pattern"):
        parse_vocabulary(bad_pattern)
