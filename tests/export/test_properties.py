"""Property tests: any text cut into any runs survives the annotation round trip and renders
to well-formed HTML with every run's visible text in its own origin."""

from __future__ import annotations

from export_samples import ANA, CLIP, SMOL, build_record
from hypothesis import given, settings
from hypothesis import strategies as st
from test_html import assert_well_formed

from memory.events import How
from memory.provenance.annotations import parse_annotated_markdown, write_annotated_markdown
from memory.provenance.graphemes import GraphemeMap
from memory.provenance.html import render_body

PIECES = st.sampled_from(
    [
        "word ",
        "# ",
        "## Head\n",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "*",
        "**",
        "_",
        "`",
        "[",
        "](",
        ")",
        "> ",
        "---\n",
        "  \n",
        "&amp;",
        "<b>",
        "</b>",
        "é",
        "e\u0301",
        "👩‍👩‍👧",
        "🇵🇹",
        "שלום",
        "\r\n",
        "\\",
        "|",
        "x",
    ]
)
TEXTS = st.lists(st.lists(PIECES, min_size=1, max_size=6).map("".join), max_size=12)
AUTHORS = [ANA, SMOL, CLIP]


def _record(parts: list[str]):
    return build_record([(p, AUTHORS[i % 3], How.TYPED) for i, p in enumerate(parts)])


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_annotations_round_trip_any_text(parts):
    record = _record(parts)
    parsed = parse_annotated_markdown(write_annotated_markdown(record))
    assert parsed.text == record.text and parsed.hash_ok and not parsed.problems
    graphemes = GraphemeMap(record.text)
    owner: dict[int, str] = {}
    for run in record.runs():
        start, length = graphemes.span_to_graphemes(run.start, run.length)
        for g in range(start, start + length):
            owner[g] = run.author.key
    parsed_owner = {
        g: key
        for key, ranges in parsed.author_ranges().items()
        for s, n in ranges
        for g in range(s, s + n)
    }
    assert parsed_owner == owner


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_rendered_html_is_well_formed_for_any_runs(parts):
    body = render_body(_record(parts))
    assert_well_formed(body)
    assert not any(0xF0000 <= ord(c) for c in body)
