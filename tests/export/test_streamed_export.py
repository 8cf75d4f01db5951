"""A long text's HTML export in pieces is the whole text's export, character for character.

`memory.provenance.html.iter_render_runs` cuts the Markdown at top-level block boundaries
and converts the pieces one by one with one reused python-markdown instance; here every
cut it may make (pieces as short as it allows) is held to the one conversion of the
whole text, on varied Markdown: headings, loose and tight lists with continuations,
quotes, fenced and indented code with blank lines inside, reference links defined
before and after their use, tables, definition lists, footnotes and abbreviations
(which keep the text whole), curly quotes, emoji and accents.
"""

from __future__ import annotations

import hashlib
import json

from export_samples import ANA, CLIP, SMOL, build_record
from hypothesis import given, settings
from hypothesis import strategies as st

from memory.events import How
from memory.provenance import export, verify_file
from memory.provenance.html import (
    iter_render_runs,
    page,
    piece_bounds,
    render_runs_whole,
    run_attributes,
    script_json,
    summary_html,
    write_html,
)
from memory.provenance.manifest import build_manifest
from memory.provenance.record import ProvenanceRecord
from memory.provenance.signing import load_or_create_key_in
from memory.provenance.text_hash import sha256_hex, utf8_length

WORDS = st.sampled_from(
    [
        "the",
        "river",
        "café",
        "“quoted”",
        "don’t",
        "🙂",
        "👩‍👩‍👧",
        "*em*",
        "**strong**",
        "`code`",
        "[link][r1]",
        "[later]",
        "[Up][R1]",
        "<b>",
        "&amp;",
        "a_b",
        "x",
        "1.",
        "-",
    ]
)
LINE = st.lists(WORDS, min_size=1, max_size=7).map(" ".join)


def _lines(prefix: str, n: int = 3) -> st.SearchStrategy[str]:
    return st.lists(LINE, min_size=1, max_size=n).map(lambda ls: "\n".join(prefix + x for x in ls))


BLOCKS = st.one_of(
    _lines(""),
    LINE.map(lambda x: "# " + x),
    LINE.map(lambda x: "### " + x),
    st.lists(LINE, min_size=1, max_size=4).map(lambda ls: "\n".join("- " + x for x in ls)),
    st.lists(LINE, min_size=1, max_size=4).map(lambda ls: "\n\n".join("1. " + x for x in ls)),
    LINE.map(lambda x: "- " + x + "\n\n    " + x),
    _lines("> "),
    st.lists(LINE, max_size=4).map(lambda ls: "```\n" + "\n\n".join(ls) + "\n\n- in code\n```"),
    st.lists(LINE, max_size=3).map(lambda ls: "~~~python\n" + "\n".join(ls) + "\n~~~"),
    _lines("    "),
    st.just("[r1]: https://example.com/one"),
    st.just('[later]: https://example.com/later "Later"'),
    st.just("[r1]: https://example.com/redefined"),
    st.just("| a | b |\n| --- | --- |\n| “c” | d |"),
    LINE.map(lambda x: "Term\n: " + x),
    LINE.map(lambda x: "Term\n\n: " + x),
    st.just("---"),
    LINE.map(lambda x: x + "\n===="),
    st.just("```\nnever closed"),
    st.just("    "),
)
SEPARATORS = st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\n\t\n", "\n"])
DOCUMENTS = st.lists(st.tuples(BLOCKS, SEPARATORS), min_size=1, max_size=14).map(
    lambda blocks: "".join(b + s for b, s in blocks)
)
AUTHORS = [ANA, SMOL, CLIP]


def _record(text: str, cuts: list[int]) -> ProvenanceRecord:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    parts = [text[a:b] for a, b in zip(points, points[1:], strict=False) if b > a]
    hows = (How.TYPED, How.SUGGESTION, How.PASTE)
    return build_record([(p, AUTHORS[i % 3], hows[i % 3]) for i, p in enumerate(parts)])


def _pieces(record: ProvenanceRecord, size: int) -> str:
    return "".join(iter_render_runs(record.text, record.runs(), run_attributes, size))


def _whole(record: ProvenanceRecord) -> str:
    return render_runs_whole(record.text, record.runs(), run_attributes)


@settings(max_examples=200, deadline=None)
@given(DOCUMENTS, st.lists(st.integers(0, 10_000), max_size=12), st.integers(1, 80))
def test_pieces_render_as_the_whole(text, cuts, size):
    record = _record(text, cuts)
    assert _pieces(record, size) == _whole(record)


@settings(max_examples=60, deadline=None)
@given(DOCUMENTS, st.integers(1, 40))
def test_pieces_without_runs_render_as_the_whole(text, size):
    assert "".join(iter_render_runs(text, [], run_attributes, size)) == render_runs_whole(
        text, [], run_attributes
    )


def _chapters(n: int) -> str:
    chapter = (
        "# Chapter {n}\n\nShe said “yes” — and the café 🙂 closed. See [the map][r{n}].\n\n"
        "- one\n- two\n\n- three, loose\n\n"
        "```\ncode line\n\n# not a heading\n```\n\n"
        "> a quote\n\n> that goes on\n\n"
        "[r{n}]: https://example.com/{n}\n\n"
        "Term\n\n: its meaning\n\n"
        "A last paragraph, with [a link defined later][late].\n\n"
    )
    return "".join(chapter.format(n=k) for k in range(n)) + "[late]: https://example.com/z\n"


def test_a_long_text_is_cut_into_many_pieces_and_renders_as_the_whole():
    text = _chapters(40)
    bounds = piece_bounds(text, 200)
    assert len(bounds) > 30  # cut between chapters and inside them
    record = _record(text, list(range(7, len(text), 97)))
    assert _pieces(record, 200) == _whole(record)
    assert 'href="https://example.com/z"' in _whole(record)  # the later definition found


def test_footnotes_and_abbreviations_keep_the_text_whole():
    body = _chapters(5)
    for text in (
        body + "A note.[^1]\n\n[^1]: The note’s text.\n",
        body + "The HTML page.\n\n*[HTML]: Hyper Text Markup Language\n",
        body.replace("\n", "\r\n"),
        body + "```\tpython\nx\n```\n",
    ):
        assert piece_bounds(text, 100) == [0, len(text)]
        record = _record(text, [3, 300, 900])
        assert _pieces(record, 100) == _whole(record)


def test_the_streamed_page_is_the_page_built_whole(tmp_path):
    record = _record(_chapters(30), list(range(11, 9_000, 131)))
    manifest = build_manifest(record, load_or_create_key_in(tmp_path / "keys"))
    footer = (
        '<footer class="ds-verify">Exported by Draftsmith '
        f"{record.app_version}. This page carries a signed account of its text "
        "(the <code>draftsmith-manifest</code> element); <code>draftsmith verify FILE</code> "
        "checks that text and account still match.</footer>"
    )
    body = (
        summary_html(record, manifest)
        + f'\n<article id="draftsmith-text">\n{_whole(record)}\n</article>\n'
        + footer
        + "\n"
        + script_json("draftsmith-manifest", manifest)
        + "\n"
        + script_json("draftsmith-source", record.text)
    )
    assert write_html(record, manifest) == page(record.title, body)


def test_a_text_longer_than_a_piece_exports_and_verifies(tmp_path, monkeypatch):
    import memory.provenance.html as html_module

    monkeypatch.setattr(html_module, "PIECE_CHARS", 512)
    record = _record(_chapters(60), list(range(5, 20_000, 211)))
    out = tmp_path / "book.html"
    export(record, "html", out, tmp_path / "keys")
    result = verify_file(out)
    assert result.ok, result.problems
    assert not list(tmp_path.glob(".book.html.*.tmp"))
    page_text = out.read_text(encoding="utf-8")
    start = page_text.index('id="draftsmith-source">') + len('id="draftsmith-source">')
    assert json.loads(page_text[start : page_text.index("</script>", start)]) == record.text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='ab“”🙂é\n\r<>&"\\\x00\x1f', max_size=300), st.integers(0, 300))
def test_text_hash_and_length_as_one_encoding(text, start):
    import memory.provenance.text_hash as text_hash

    for chunk in (1, 7, 1 << 20):
        text_hash._CHUNK = chunk
        try:
            end = max(start, len(text) - 3)
            whole = hashlib.sha256(text[start:end].encode("utf-8")).hexdigest()
            assert sha256_hex(text, start, end) == whole
            assert sha256_hex(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
            assert utf8_length(text) == len(text.encode("utf-8"))
        finally:
            text_hash._CHUNK = 1 << 20


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet='ab“”🙂<>&"\\\n\x00\u2028', max_size=200), st.integers(1, 9))
def test_the_embedded_source_in_chunks_is_one_json_string(text, chunk):
    import memory.provenance.html as html_module

    saved = html_module._JSON_CHUNK
    html_module._JSON_CHUNK = chunk
    try:
        assert "".join(html_module._script_json_text("s", text)) == script_json("s", text)
    finally:
        html_module._JSON_CHUNK = saved
