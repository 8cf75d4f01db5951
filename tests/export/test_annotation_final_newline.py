"""Opening a file with its authorship block maps a long text once: whether the hash
range leaves out the final newline is decided from the declared hash first. The text
the parse gives back must be exactly what the grapheme rule says, for every text."""

from __future__ import annotations

import hashlib

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from memory.provenance.annotations import annotate_text, parse_annotated_markdown
from memory.provenance.graphemes import GraphemeMap

PIECES = ["a", "Z", " ", "\n", "\r\n", "\r", "\u201c", "\u201d", "\u00e9", "e\u0301",
          "\U0001f44d", "\U0001f469\u200d\U0001f4bb", "\U0001f1eb\U0001f1f7", "\u1100\u1161",
          "#", "*"]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _expected_text(full_text: str, end: int) -> str:
    """The rule as first written: the whole text, less a final newline cluster that the
    hash range (0, end) leaves out."""
    graphemes = GraphemeMap(full_text)
    if end == graphemes.count - 1 and graphemes.cluster(end) in ("\n", "\r\n"):
        return full_text[: graphemes.to_index(end)]
    return full_text


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_block_draftsmith_writes_gives_its_text_back(text: str) -> None:
    assume(not text.endswith("\r"))  # a lone final CR joins the block's newline (as ever)
    parsed = parse_annotated_markdown(annotate_text(text, []))
    assert parsed.has_block
    assert parsed.text == text
    assert parsed.hash_ok


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(-2, 2), st.sampled_from(["shorter", "whole", "other"]))
def test_any_hash_line_gives_the_text_the_grapheme_rule_gives(
    text: str, offset: int, digest_of: str
) -> None:
    full_text = text + "\n"  # what comes before the block's `---` line, less its newline
    count = GraphemeMap(full_text).count
    end = max(0, count - 1 + offset)
    shorter = full_text[:-2] if full_text.endswith("\r\n") else full_text[:-1]
    hashed = {"shorter": shorter, "whole": full_text, "other": "something else"}[digest_of]
    digest = hashlib.sha256(hashed.encode("utf-8")).hexdigest()
    content = f"{full_text}\n---\nAnnotations: 0,{end} SHA-256 {digest}\n...\n"
    parsed = parse_annotated_markdown(content)
    assert parsed.has_block
    assert parsed.text == _expected_text(full_text, end)
    assert parsed.annotated_end == end
