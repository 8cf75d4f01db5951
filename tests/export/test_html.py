"""HTML: origin spans survive Markdown rendering, and the page is well-formed."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from export_samples import ANA, CLIP, SMOL, build_record

from memory.events import How
from memory.provenance.html import render_body, write_html
from memory.provenance.verify import read_page

VOID = {"br", "hr", "img", "meta", "input", "link", "col", "area", "base", "wbr", "source"}


class _Nesting(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def assert_well_formed(markup: str) -> None:
    checker = _Nesting()
    checker.feed(markup)
    checker.close()
    assert not checker.errors, checker.errors[:3]
    assert not checker.stack, checker.stack


def origins_of_text(markup: str) -> list[tuple[str, str]]:
    return [(text, cls) for text, cls, _ in read_page(markup).visible]


def test_heading_list_and_emphasis_crossing_runs():
    record = build_record(
        [
            ("# The ", ANA, How.TYPED),
            ("river\n\nIt ran **quie", SMOL, How.SUGGESTION),
            ("tly** on\n\n- one\n- t", ANA, How.TYPED),
            ("wo\n\n1. first\n2. second *it", CLIP, How.PASTE),
            ("alic*\n", ANA, How.TYPED),
        ]
    )
    body = render_body(record)
    assert_well_formed(body)
    assert body.startswith("<h1>") and "<ul>" in body and "<ol>" in body
    assert "<strong>" in body and "<em>" in body
    pieces = origins_of_text(body)
    # "quie|tly": the writer finished the model's word, so that model run reads as edited.
    assert ("The ", "o-human") in pieces and ("river", "o-model-edited") in pieces
    assert ("quie", "o-model-edited") in pieces and ("tly", "o-human") in pieces
    assert ("t", "o-human") in pieces and ("wo", "o-pasted") in pieces
    assert ("it", "o-pasted") in pieces and ("alic", "o-human") in pieces
    assert "#" not in "".join(t for t, _ in pieces)  # markers never broke the heading


def test_run_boundary_inside_syntax_keeps_the_markdown_meaning():
    record = build_record(
        [
            ("A *", ANA, How.TYPED),
            ("*bold** [link](http://example.org/a", SMOL, How.SUGGESTION),
            ("b) and &am", ANA, How.TYPED),
            ("p; `co", CLIP, How.PASTE),
            ("de`\n\n> quote\n>", ANA, How.TYPED),
            (" more\n\n---\n\nend  \nnext\n", SMOL, How.SUGGESTION),
        ]
    )
    body = render_body(record)
    assert_well_formed(body)
    assert '<a href="http://example.org/ab">' in body
    assert "<strong>" in body and "&amp;" in body and "<code>" in body
    assert "<blockquote>" in body and "<hr" in body and "<br" in body
    assert "\U000f0000" not in body and "\U000f0001" not in body


def test_code_blocks_and_tables_stay_well_formed():
    record = build_record(
        [
            ("| a | b |\n|---|---|\n| 1 ", ANA, How.TYPED),
            ("| 2 |\n\n```\ncode <x>\n", SMOL, How.SUGGESTION),
            ("more code\n```\n\nText with <b>html", ANA, How.TYPED),
            ("</b> done.\n", SMOL, How.SUGGESTION),
        ]
    )
    body = render_body(record)
    assert_well_formed(body)
    assert "<table>" in body and "<pre><code>" in body
    assert "&lt;x&gt;" in body
    assert "&lt;b&gt;" in body and "<b>" not in body  # raw HTML is shown, never run


def test_writer_text_with_private_use_characters_is_kept():
    record = build_record([("odd \U000f0001 char", ANA, How.TYPED), (" x", SMOL, How.TYPED)])
    assert "odd \U000f0001 char" in "".join(t for t, _ in origins_of_text(render_body(record)))


@pytest.mark.parametrize("text", ["", "plain", "😀\n", "# only heading\n"])
def test_small_documents(text):
    record = build_record([(text, ANA, How.TYPED)] if text else [])
    page = write_html(record, None)
    assert_well_formed(page)


def test_page_has_summary_legend_models_and_embedded_source(essay):
    page = write_html(essay, None)
    assert_well_formed(page)
    assert "Written by a language model" in page and "Typed by the writer" in page
    assert SMOL.model_sha256 in page and SMOL.name in page
    source = page.split('id="draftsmith-source">')[1].split("</script>")[0]
    assert json.loads(source) == essay.text
    assert "Written from" in page


def test_every_visible_character_of_the_text_is_in_an_origin_span(essay):
    body = render_body(essay)
    for text, cls in origins_of_text(body):
        assert cls.startswith("o-"), text
    assert ("followed it", "o-model") in origins_of_text(body)
    assert ("we ", "o-human") in origins_of_text(body)
    assert ANA.name in body and CLIP.name in body
