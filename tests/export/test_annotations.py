"""iA Writer Markdown Annotations: round trips, files written by hand from the spec, tampering."""

from __future__ import annotations

import hashlib

import pytest
from export_samples import ANA, BEN, CLIP, SMOL, build_record

from memory.events import How, SourceKind
from memory.provenance.annotations import parse_annotated_markdown, write_annotated_markdown
from memory.provenance.graphemes import GraphemeMap

SPEC_SAMPLE = (
    "Markdown Annotations embed authorship in text while preserving its readability and "
    "portability.\n"
    "\n"
    "---\n"
    "Annotations: 0,95 SHA-256 1132bf5e376a605f5beed4b204456114  \n"
    "@Human: 0,20 33,4 45,6 62,4  \n"
    "&AI: 20,13 37,8 51,11 66,29  \n"
    "...\n"
)


def test_the_specs_own_example_is_read_as_ia_writer_wrote_it():
    parsed = parse_annotated_markdown(SPEC_SAMPLE)
    assert parsed.text == (
        "Markdown Annotations embed authorship in text while preserving its readability and "
        "portability."
    )
    assert parsed.has_block and parsed.hash_ok and not parsed.needs_review
    assert [(a.sigil, a.name) for a in parsed.authors] == [("@", "Human"), ("&", "AI")]
    assert parsed.authors[0].ranges == ((0, 20), (33, 4), (45, 6), (62, 4))
    assert parsed.authors[1].kind is SourceKind.MODEL
    assert parsed.text[0:20] == "Markdown Annotations"


def test_hand_written_block_with_identifiers_lone_indexes_and_continuations():
    text = "Hi 👋🏽 there"
    digest = hashlib.sha256(text.encode()).hexdigest()[:40]
    content = (
        f"{text}\n---\n"
        f"Anmerkungen : 0,10   SHA-256   {digest}\n"
        "@Anton Sotkov <anton@ia.net>, 2024: 0,3 4\n"
        "&Claude\\: v3: 5,5\n"
        "  6,1\n"
        "...\n\n"
    )
    parsed = parse_annotated_markdown(content)
    assert parsed.text == text and parsed.hash_ok
    anton, claude = parsed.authors
    assert (anton.name, anton.identifier, anton.session) == ("Anton Sotkov", "anton@ia.net", "2024")
    assert anton.ranges == ((0, 3), (4, 1))
    assert claude.name == "Claude: v3" and claude.ranges == ((5, 5), (6, 1))


def test_round_trip_keeps_text_and_authorship(essay):
    content = write_annotated_markdown(essay)
    assert content.startswith(essay.text)
    parsed = parse_annotated_markdown(content)
    assert parsed.text == essay.text and parsed.hash_ok and not parsed.problems
    authors = {a.as_author() for a in parsed.authors}
    assert authors == {ANA, SMOL, CLIP}
    expected = {}
    for run in essay.runs():
        expected.setdefault(run.author.key, []).append((run.start, run.length))
    got = parsed.code_point_ranges()
    for key, ranges in expected.items():
        assert sum(n for _, n in got[key]) == sum(n for _, n in ranges)
        for start, length in ranges:
            assert any(s <= start and start + length <= s + n for s, n in got[key])


@pytest.mark.parametrize(
    "pieces",
    [
        ["e\u0301t\u00e9 ", "👨‍👩‍👧‍👦 family", " 🇵🇹 flag\n"],
        ["مرحبا ", "بالعالم", "\n"],
        ["a", "b"],
        ["line one\r\n", "line two\r\n"],
        ["ends with two newlines\n\n"],
        ["\n"],
    ],
)
def test_round_trip_unicode_in_grapheme_clusters(pieces):
    authors = [ANA, SMOL, BEN]
    record = build_record([(p, authors[i % 3], How.TYPED) for i, p in enumerate(pieces)])
    parsed = parse_annotated_markdown(write_annotated_markdown(record))
    assert parsed.text == record.text and parsed.hash_ok
    graphemes = GraphemeMap(record.text)
    position = 0
    for i, piece in enumerate(pieces):
        key = authors[i % 3].key
        g = graphemes.span_to_graphemes(position, len(piece))
        assert any(s <= g[0] and g[0] + g[1] <= s + n for s, n in parsed.author_ranges()[key])
        position += len(piece)


def test_grapheme_ranges_count_clusters_not_code_points():
    record = build_record([("👩‍👩‍👧", ANA, How.TYPED), ("e\u0301", SMOL, How.SUGGESTION)])
    content = write_annotated_markdown(record)
    assert "Annotations: 0,2 SHA-256" in content
    assert "@Ana Lima: 0  \n" in content
    assert "&SmolLM2-135M-Instruct <model sha256=" + "ab" * 32 + ">: 1  \n" in content


def test_empty_document_round_trips():
    record = build_record([])
    content = write_annotated_markdown(record)
    parsed = parse_annotated_markdown(content)
    assert parsed.text == "" and parsed.hash_ok and parsed.authors == []


def test_one_changed_character_is_reported_not_guessed(essay):
    content = write_annotated_markdown(essay).replace("river", "rivet", 1)
    parsed = parse_annotated_markdown(content)
    assert parsed.text.startswith("# A walk\n\nThe rivet")
    assert not parsed.hash_ok and parsed.needs_review
    assert "does not match" in parsed.problems[0]


def test_text_appended_by_another_tool_keeps_annotations_valid(essay):
    content = write_annotated_markdown(essay)
    block = content.index("\n---\n")
    content = content[:block] + "P.S. added elsewhere\n" + content[block:]
    parsed = parse_annotated_markdown(content)
    assert parsed.hash_ok and parsed.text.endswith("P.S. added elsewhere\n")


def test_missing_hash_line_needs_review():
    parsed = parse_annotated_markdown("Text\n\n---\n@Ana: 0,4\n...\n")
    assert parsed.has_block and not parsed.hash_ok and parsed.needs_review
    assert parsed.text == "Text\n" and parsed.authors[0].ranges == ((0, 4),)


def test_plain_markdown_without_block_is_all_text():
    content = "---\ntitle: x\n---\n\nBody with a rule\n\n---\n\nmore\n"
    parsed = parse_annotated_markdown(content)
    assert parsed.text == content and not parsed.has_block and not parsed.needs_review


def test_names_with_special_characters_survive():
    odd = type(ANA)(SourceKind.PERSON, "Dr. A: B <x>, jr \\")
    record = build_record([("hello", odd, How.TYPED), (" world", CLIP, How.PASTE)])
    parsed = parse_annotated_markdown(write_annotated_markdown(record))
    assert [a.as_author() for a in parsed.authors] == [odd, CLIP]


@pytest.mark.parametrize("text", ["", "plain", "e\u0301👩‍👩‍👧🇵🇹\r\nשלום\n", "a\u0308\u0301b👍🏽 c"])
def test_bulk_grapheme_map_agrees_with_memory_positions(text):
    from memory import positions

    graphemes = GraphemeMap(text)
    assert graphemes.count == positions.grapheme_count(text)
    for index in range(len(text) + 1):
        assert graphemes.to_grapheme(index) == positions.index_to_grapheme(text, index)
    for g in range(graphemes.count + 1):
        assert graphemes.to_index(g) == positions.grapheme_to_index(text, g)
