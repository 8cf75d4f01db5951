"""HTML exports and reports run nothing: raw HTML is text, no event handlers, no
`javascript:` URLs, a strict Content-Security-Policy on every page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from export_samples import ANA, SMOL, build_record
from hypothesis import given, settings
from hypothesis import strategies as st

from memory.events import How
from memory.provenance import export, verify_file
from memory.provenance.html import CONTENT_SECURITY_POLICY, printable_html, write_html
from memory.provenance.report import printable_report, write_report

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "# Title {onmouseover=alert(1)}",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1) “t”)",
    "[ref][j]\n\n[j]: javascript:alert(1)",
    "<script>alert('“hi” 😀')</script>",
    "![a](x.png){onerror=alert(1)}",
    'para\n{: onclick="x" .o-human #id }',
    "<a href='javascript:alert(1)'>café</a>",
    '<div style="background:url(javascript:x)" onclick="x">z</div>',
    "<iframe src=//evil></iframe><svg onload=alert(1)>",
    "`<img src=x onerror=alert(1)>` and <!-- <script>x</script> -->",
]


class _Elements(HTMLParser):
    """Every start tag with its attributes, and where script elements are."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser.tags


FORBIDDEN = {"iframe", "object", "embed", "form", "base", "link", "math", "frame"}


def assert_runs_nothing(markup: str) -> None:
    for tag, attrs in elements(markup):
        assert tag not in FORBIDDEN, tag
        if tag == "script":
            assert attrs.get("type") == "application/json", attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower().replace(" ", ""), (tag, name)
    if '<article id="draftsmith-text">' in markup:
        article = markup.split('<article id="draftsmith-text">')[1].split("</article>")[0]
        for tag, attrs in elements(article):
            # The writer's text cannot add styles, ids or classes of its own.
            style = attrs.get("style")
            assert style is None or (tag == "span" and style.startswith("background-color")), (
                tag,
                attrs,
            )
            assert tag not in ("script", "svg", "style"), attrs


def hostile_record(piece: str):
    return build_record([("Intro by Ana. ", ANA, How.TYPED), (piece, SMOL, How.SUGGESTION)])


@pytest.mark.parametrize("piece", HOSTILE)
def test_hostile_markdown_runs_nothing_in_html_and_report(piece):
    record = hostile_record(piece)
    for markup in (
        write_html(record, None),
        printable_html(record, None),
        write_report(record, None),
        printable_report(record, None)[0],
    ):
        assert_runs_nothing(markup)


def test_raw_html_is_shown_as_text():
    record = hostile_record("<img src=x onerror=alert(1)> and <script>alert(“1”)</script> 😀")
    page = write_html(record, None)
    article = page.split('<article id="draftsmith-text">')[1].split("</article>")[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in article
    assert "&lt;script&gt;" in article and "😀" in article
    assert not [tag for tag, _ in elements(article) if tag in ("img", "script")]


def test_attribute_lists_are_text_not_attributes():
    record = build_record(
        [
            ("Intro by Ana.\n\n", ANA, How.TYPED),
            ("# Title {onmouseover=alert(1)}\n", SMOL, How.TYPED),
        ]
    )
    article = write_html(record, None).split('<article id="draftsmith-text">')[1]
    heading = [attrs for tag, attrs in elements(article) if tag == "h1"]
    assert heading == [{}]
    assert "{onmouseover=alert(1)}" in article  # the writer's text, shown as it is


def test_javascript_links_lose_their_url_but_keep_their_text():
    record = hostile_record("[x](javascript:alert(1)) and [ok](https://example.org/é)")
    article = write_html(record, None).split('<article id="draftsmith-text">')[1]
    links = [attrs.get("href") for tag, attrs in elements(article) if tag == "a"]
    assert links == [None, "https://example.org/é"]
    assert ">x</span></a>" in article


@pytest.mark.parametrize(
    "make",
    [
        lambda r: write_html(r, None),
        lambda r: write_report(r, None),
        lambda r: printable_html(r, None),
        lambda r: printable_report(r, None)[0],
    ],
)
def test_every_page_has_a_strict_content_security_policy(make):
    markup = make(hostile_record("“quoted” text"))
    metas = [a for t, a in elements(markup) if t == "meta" and a.get("http-equiv")]
    assert metas == [{"http-equiv": "Content-Security-Policy", "content": CONTENT_SECURITY_POLICY}]
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY  # falls back to 'none'


def test_hostile_export_still_verifies(tmp_path):
    record = hostile_record("\n\n".join(HOSTILE))
    path = tmp_path / "hostile.html"
    export(record, "html", path, tmp_path / "keys")
    assert_runs_nothing(path.read_text(encoding="utf-8"))
    result = verify_file(path)
    assert result.ok, result.problems


_MARKUPISH = st.text(
    alphabet=st.sampled_from(list("<>=\"'/(){}[]:#*!` \nabjsvcrtipon&;😀“”é")), max_size=80
)


@settings(max_examples=150, deadline=None)
@given(_MARKUPISH, _MARKUPISH)
def test_no_text_can_add_handlers_or_scripts(first, second):
    record = build_record([(first, ANA, How.TYPED), (second, SMOL, How.SUGGESTION)])
    for markup in (write_html(record, None), printable_html(record, None)):
        assert_runs_nothing(markup)
