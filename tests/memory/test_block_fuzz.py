"""Hostile and damaged authorship blocks and manifests: flagged with a message or refused,
never a crash, never an author dropped in silence, never markup in an export."""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "export"))
from export_samples import ANA, SMOL, build_record  # noqa: E402

from memory.events import Author, How, SourceKind  # noqa: E402
from memory.provenance import export, verify_file  # noqa: E402
from memory.provenance.annotations import (  # noqa: E402
    MAX_AUTHORS,
    parse_annotated_markdown,
)
from memory.provenance.build import record_from_annotations  # noqa: E402
from memory.provenance.html import write_html  # noqa: E402
from memory.provenance.manifest import build_manifest, check_manifest  # noqa: E402
from memory.provenance.report import write_report  # noqa: E402
from memory.provenance.signing import load_or_create_key_in  # noqa: E402
from memory.provenance.trust import BlockChoice, BlockState, Source, decide  # noqa: E402
from memory.provenance.verify import verify_html  # noqa: E402

FILE = Author(SourceKind.IMPORT, "notes.md")
TEXT = "Alice wrote “this” 😀 and the model wrote that, Bob too."


def with_block(text: str, author_lines: list[str], closed: bool = True) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = [f"Annotations: 0,{len(text)} SHA-256 {digest}", *author_lines]
    return (
        text + "\n\n---\n" + "".join(f"{line}  \n" for line in lines) + ("...\n" if closed else "")
    )


def owners(decision) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _start, length, author in decision.runs:
        counts[author.name] = counts.get(author.name, 0) + length
    return counts


def test_overlapping_claims_are_flagged_and_never_drop_an_author_silently():
    content = with_block(TEXT, ["@Alice: 0,49", "&Model <model>: 0,49", "@Bob: 5,10"])
    parsed = parse_annotated_markdown(content)
    assert parsed.needs_review and parsed.contested == [(0, 49)]
    said = " ".join(parsed.problems)
    for name in ("@Alice", "&Model", "@Bob"):
        assert name in said
    asked = decide(parsed.text, parsed, None, imported=FILE)
    assert asked.needs_decision and asked.block is BlockState.NEEDS_REVIEW
    kept = decide(parsed.text, parsed, None, imported=FILE, choice=BlockChoice.KEEP)
    # Nobody is credited with text two authors claim: it stays the file's, and the
    # decision still names every claimant.
    assert owners(kept) == {"notes.md": len(TEXT)}
    assert all(name in " ".join(kept.problems) for name in ("Alice", "Model", "Bob"))


def test_overlap_leaves_the_uncontested_parts_to_their_author():
    content = with_block(TEXT, ["@Alice: 0,20", "&Model <model>: 15,20"])
    parsed = parse_annotated_markdown(content)
    kept = decide(parsed.text, parsed, None, imported=FILE, choice=BlockChoice.KEEP)
    assert owners(kept) == {"Alice": 15, "Model": 15, "notes.md": len(TEXT) - 30}


def test_an_overlapping_block_cannot_be_exported_without_the_writers_word(tmp_path):
    from app.cli import NEEDS_DECISION, main

    path = tmp_path / "notes.md"
    path.write_text(with_block(TEXT, ["@Alice: 0,49", "&Model: 0,49", "@Bob: 5,10"]))
    assert main(["export", str(path), "--to", "html", "--out", str(tmp_path / "x.html")]) == (
        NEEDS_DECISION
    )


def test_a_truncated_block_is_flagged_not_read_as_text():
    whole = with_block(TEXT, ["@Alice: 0,20", "&Model <model>: 20,30"])
    cut = whole[: whole.index("&Model") + 5]  # the copy stopped in the middle of a line
    for content in (cut, with_block(TEXT, ["@Alice: 0,20"], closed=False)):
        parsed = parse_annotated_markdown(content)
        assert parsed.has_block and parsed.truncated and parsed.needs_review
        assert parsed.text == TEXT  # the block's lines never become body text
        assert "cut off" in parsed.problems[0]
        assert decide(parsed.text, parsed, None, imported=FILE).needs_decision


def test_markup_in_author_names_is_refused_or_escaped():
    content = with_block(
        TEXT,
        [
            "@<script>alert(1)</script>: 0,5",
            "@Bob \\<img src=x onerror=alert(1)\\>: 5,10",
            "@Eve\u202e: 15,3",
        ],
    )
    parsed = parse_annotated_markdown(content)
    assert [a.name for a in parsed.authors] == ["Bob <img src=x onerror=alert(1)>"]
    assert any("no name" in p for p in parsed.problems)
    assert any("control characters" in p for p in parsed.problems)
    record = record_from_annotations(parsed.text, parsed, "notes", 1_763_000_000.0, "0.1")
    for markup in (write_html(record, None), write_report(record, None)):
        assert "<img" not in markup and "<script>alert" not in markup
        assert "&lt;img src=x onerror=alert(1)&gt;" in markup


@pytest.mark.parametrize(
    "ranges",
    ["-5,3", "0,-3", "9" * 5000, "1," + "9" * 40, "3.5,2", "1e9,2", "0,99999", "END,1"],
)
def test_bad_numbers_are_flagged_never_a_crash(ranges):
    ranges = ranges.replace("END", str(len(TEXT)))
    parsed = parse_annotated_markdown(with_block(TEXT, [f"@Alice: 0,3 {ranges}"]))
    assert parsed.problems and parsed.needs_review
    assert parsed.code_point_ranges()["person:Alice"][0] == (0, 3)
    kept = decide(parsed.text, parsed, None, imported=FILE, choice=BlockChoice.KEEP)
    assert owners(kept)["Alice"] == 3


def test_an_enormous_hash_line_is_flagged():
    content = TEXT + f"\n\n---\nAnnotations: {'9' * 5000},1 SHA-256 {'a' * 64}\n@A: 0\n...\n"
    parsed = parse_annotated_markdown(content)
    assert parsed.has_block and parsed.needs_review


def test_thousands_of_authors_are_capped_with_a_message():
    lines = [f"@Writer {n}: {n % len(TEXT)}" for n in range(MAX_AUTHORS + 500)]
    parsed = parse_annotated_markdown(with_block(TEXT, lines))
    assert len(parsed.authors) == MAX_AUTHORS
    assert any(f"more than {MAX_AUTHORS:,} authors" in p for p in parsed.problems)
    decide(parsed.text, parsed, None, imported=FILE, choice=BlockChoice.KEEP)


_BLOCK_CHARS = st.sampled_from(
    list("@&<>\\:,- 0123456789\n\t.abcAB") + ["---", "...", "Annotations:", "😀", "“", "\u0301"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40), st.lists(_BLOCK_CHARS, max_size=80), st.booleans())
def test_fuzzed_blocks_never_crash(text, block_pieces, closed):
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    content = (
        text
        + "\n\n---\n"
        + f"Annotations: 0,{len(text)} SHA-256 {digest}\n"
        + "".join(block_pieces)
        + ("\n...\n" if closed else "")
    )
    parsed = parse_annotated_markdown(content)
    if parsed.has_block:
        ranges = parsed.code_point_ranges()
        for spans in ranges.values():
            for start, length in spans:
                assert 0 <= start and start + length <= len(parsed.text)
        for choice in BlockChoice:
            decision = decide(parsed.text, parsed, None, imported=FILE, choice=choice)
            covered = sum(length for _s, length, _a in decision.runs)
            assert decision.needs_decision or covered == len(parsed.text)
            if decision.source is Source.ANNOTATIONS:
                record = record_from_annotations(parsed.text, parsed, "t", 0.0, "0")
                article = write_html(record, None).split("<article")[1].split("</article>")[0]
                assert "<script" not in article


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_fuzzed_whole_files_never_crash(content):
    parsed = parse_annotated_markdown(content + "\n...\n")
    parsed.code_point_ranges()
    parsed.invalid_ranges()


# Manifests: a real signed one, then hostile values anywhere in it.

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    record = build_record(
        [("Ana’s “words” 😀 ", ANA, How.TYPED), ("and the model’s.", SMOL, How.SUGGESTION)]
    )
    key = load_or_create_key_in(tmp_path_factory.mktemp("keys"))
    return record, key, build_manifest(record, key)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _replace(value, path, new):
    if not path:
        return new
    value = copy.deepcopy(value)
    target = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_manifests_are_refused_never_a_crash(signed, data):
    record, key, manifest = signed
    paths = list(_paths(manifest))
    path = data.draw(st.sampled_from(paths))
    hostile = _replace(manifest, path, data.draw(_JSON))
    resign = data.draw(st.booleans())  # a forger can sign anything with their own key
    if resign and isinstance(hostile, dict):
        hostile.pop("signature", None)
        from memory.provenance.manifest import canonical_json

        try:
            hostile["signature"] = key.sign(canonical_json(hostile))
        except (TypeError, ValueError):
            pass
    result = check_manifest(hostile, record.text)
    if hostile != manifest:
        assert result.problems or result.ok
    page = write_html(record, manifest)
    payload = json.dumps(hostile, allow_nan=True).replace("<", "\\u003c")
    start = page.index('id="draftsmith-manifest">') + len('id="draftsmith-manifest">')
    end = page.index("</script>", start)
    result = verify_html(page[:start] + payload + page[end:])
    assert result.ok or result.problems


def test_a_deeply_nested_or_huge_manifest_is_refused(tmp_path, signed):
    record, _key, _manifest = signed
    export(record, "html", tmp_path / "doc.html", tmp_path / "keys")
    page = (tmp_path / "doc.html").read_text(encoding="utf-8")
    start = page.index('id="draftsmith-manifest">') + len('id="draftsmith-manifest">')
    end = page.index("</script>", start)
    for payload in ("[" * 100_000 + "]" * 100_000, '{"format": "draftsmith-manifest"}'):
        (tmp_path / "bad.html").write_text(page[:start] + payload + page[end:])
        result = verify_file(tmp_path / "bad.html")
        assert not result.ok and result.problems
    sidecar = tmp_path / "doc.md.manifest.json"
    (tmp_path / "doc.md").write_text(TEXT)
    for payload in ("[" * 100_000, '{"entity": [1, 2]}', "null", '{"entity": {"e": 5}}'):
        sidecar.write_text(payload)
        assert not verify_file(sidecar).ok
        assert not verify_file(tmp_path / "doc.md").ok
