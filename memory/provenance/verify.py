"""Check an exported file against its signed account: `draftsmith verify FILE`.

Three answers (`VerifyResult.status`): "ok"; "mismatch" (something changed since it was
signed); "cannot-check" (the file carries nothing to check: `draftsmith verify` exits 4).

Where the signature lives:
- HTML: the manifest is embedded (`<script id="draftsmith-manifest">`), with the exact
  Markdown source (`<script id="draftsmith-source">`). The check never renders Markdown
  again (an upgrade of the Markdown library must not fail an honest export): every origin
  span of the page names the run it shows (`data-ds-run`, its first code point), and its
  colour class and tooltip must be the signed account's for that run, and its visible text
  must be text of the signed source from that run on. The summary and the colours are
  Draftsmith's own markup, compared as written.
- Markdown: iA's format has no place for a signature, and an extra line would break it, so
  the manifest sits beside the file (`FILE.manifest.json`, or inside `FILE.prov.json`).
  Without one, who wrote what cannot be checked (anyone can write a block): "cannot-check".
- A sidecar (`*.manifest.json`, `*.prov.json`): checked with the file it sits beside.
- The provenance report carries the signed account but not the text: "cannot-check".
- PDF: not checkable by itself ("cannot-check"); it prints the text hash and key
  fingerprint, and the HTML or Markdown export (or the PROV sidecar) is what `verify`
  checks.
"""

from __future__ import annotations

import html
import json
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import regex

from memory.origins import vocabulary
from memory.provenance.annotations import authorship_annotations, parse_annotated_markdown
from memory.provenance.manifest import (
    FORMAT,
    Manifest,
    VerifyResult,
    cannot_check,
    check_manifest,
    record_from_manifest,
)
from memory.provenance.record import Run

SIDECAR_SUFFIXES = (".manifest.json", ".prov.json")
#: JSON that cannot be read: malformed, or nested too deep to parse.
_BAD_JSON = (json.JSONDecodeError, RecursionError)


def verify_file(path: Path) -> VerifyResult:
    """Whether the file and its signed account of authorship still match."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return cannot_check(f"“{path.name}” could not be read: {error.strerror}.")
    if data.startswith(b"%PDF"):
        return _pdf_result(path)
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return cannot_check(
            f"“{path.name}” is not a Draftsmith export (not UTF-8 text): it carries nothing "
            "to check."
        )
    name = path.name.lower()
    if name.endswith(SIDECAR_SUFFIXES):
        return verify_sidecar(path, content)
    if name.endswith((".html", ".htm")) or content.lstrip().lower().startswith("<!doctype html"):
        return verify_html(content)
    return verify_markdown(path, content)


def _pdf_result(path: Path) -> VerifyResult:
    return cannot_check(
        f"“{path.name}” is a PDF: it shows its text hash and signer but cannot be checked "
        "by itself. Verify the HTML or Markdown export, or the .prov.json sidecar."
    )


def manifest_from_json(value: object) -> Manifest | None:
    """The manifest in a `.manifest.json` file or a PROV-JSON sidecar."""
    if isinstance(value, dict) and value.get("format") == FORMAT:
        return value
    entities = value.get("entity") if isinstance(value, dict) else None
    if isinstance(entities, dict):
        for entity in entities.values():
            embedded = entity.get("draftsmith:manifest") if isinstance(entity, dict) else None
            if isinstance(embedded, str):
                try:
                    return json.loads(embedded)
                except _BAD_JSON:
                    return None
    return None


def find_sidecar(path: Path) -> Path | None:
    for suffix in SIDECAR_SUFFIXES:
        for candidate in (path.with_name(path.name + suffix), path.with_suffix(suffix)):
            if candidate.is_file():
                return candidate
    return None


def _load_manifest(sidecar: Path) -> tuple[Manifest | None, str | None]:
    try:
        return manifest_from_json(json.loads(sidecar.read_text(encoding="utf-8"))), None
    except (OSError, UnicodeDecodeError, *_BAD_JSON) as error:
        return None, f"The sidecar “{sidecar.name}” could not be read ({error})."


def verify_markdown(path: Path, content: str, sidecar: Path | None = None) -> VerifyResult:
    parsed = parse_annotated_markdown(content)
    sidecar = sidecar or find_sidecar(path)
    if sidecar is None:
        result = cannot_check(
            "No signed manifest was found beside the file (FILE.manifest.json or "
            "FILE.prov.json), so who wrote what cannot be checked.",
            checked=["annotation hash"] if parsed.hash_ok else [],
        )
        if not parsed.has_block:
            result.problems.insert(0, "The file has no authorship block.")
        result.problems[:0] = parsed.problems
        return result
    manifest, error = _load_manifest(sidecar)
    if manifest is None:
        return VerifyResult(False, [error or f"“{sidecar.name}” holds no Draftsmith manifest."])
    result = check_manifest(manifest, parsed.text)
    if not parsed.has_block:
        result.problems.append("The file has no authorship block.")
    elif not parsed.hash_ok:
        result.problems.extend(parsed.problems)
    elif "text SHA-256" in result.checked and not result.problems:
        expected = authorship_annotations(record_from_manifest(manifest, parsed.text))
        want = {(a.sigil, a.name, a.identifier): a.ranges for a in expected}
        have = {(a.sigil, a.name, a.identifier): a.ranges for a in parsed.authors}
        for who in sorted(set(want) | set(have)):
            label = f"{who[0]}{who[1]}"
            if who not in have:
                result.problems.append(f"The authorship block leaves out {label}.")
            elif who not in want:
                result.problems.append(
                    f"The authorship block names {label}, who is not in the signed account."
                )
            elif want[who] != have[who]:
                result.problems.append(f"The ranges for {label} differ from the signed account.")
        if want == have:
            result.checked.append("authorship block against the manifest")
    result.ok = not result.problems
    return result


@dataclass(frozen=True, slots=True)
class Shown:
    """A piece of the article's visible text and the origin span around it."""

    text: str
    css_class: str
    title: str
    run: int | None  # the span's `data-ds-run` (the run's first code point); None: no span
    generated: bool  # written by the renderer, not the writer (a footnote's number or ↩)


class _PageReader(HTMLParser):
    """Visible text of a page with the origin and tooltip of the span around it, the
    article's text with its runs, and the contents of its JSON script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.visible: list[tuple[str, str, str]] = []
        self.article: list[Shown] = []
        self.scripts: dict[str, str] = {}
        self.styles: list[str] = []
        self._span_stack: list[tuple[str, str, int | None]] = []
        self._script_id: str | None = None
        self._in_raw = 0
        self._in_style = False
        self._article_depth = 0
        self._footnote_refs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "span":
            run = attributes.get("data-ds-run", "")
            self._span_stack.append(
                (
                    attributes.get("class", ""),
                    attributes.get("title", ""),
                    int(run) if run.isdigit() and len(run) < 19 else None,
                )
            )
        elif tag == "script":
            self._script_id = attributes.get("id", "")
            self.scripts[self._script_id] = ""
            self._in_raw += 1
        elif tag == "style":
            self._in_raw += 1
            self._in_style = True
            self.styles.append("")
        elif tag == "title":
            self._in_raw += 1
        elif tag == "article" and (self._article_depth or attributes.get("id") == _ARTICLE):
            self._article_depth += 1
        elif tag == "a" and _GENERATED_LINKS & set(attributes.get("class", "").split()):
            self._footnote_refs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._span_stack:
            self._span_stack.pop()
        elif tag == "script":
            self._script_id = None
            self._in_raw -= 1
        elif tag in ("style", "title"):
            self._in_raw -= 1
            self._in_style = False
        elif tag == "article" and self._article_depth:
            self._article_depth -= 1
        elif tag == "a" and self._footnote_refs:
            self._footnote_refs -= 1

    def handle_data(self, data: str) -> None:
        if self._script_id is not None:
            self.scripts[self._script_id] += data
        elif self._in_style:
            self.styles[-1] += data
        elif not self._in_raw and data.strip():
            span = self._span_stack[-1] if self._span_stack else ("", "", None)
            self.visible.append((data, span[0], span[1]))
            if self._article_depth:
                self.article.append(Shown(data, *span, generated=self._footnote_refs > 0))


_ARTICLE = "draftsmith-text"
#: Links whose text the Markdown renderer writes (a footnote's number, its way back).
_GENERATED_LINKS = {"footnote-ref", "footnote-backref"}


def read_page(content: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(content)
    reader.close()
    return reader


def verify_html(content: str) -> VerifyResult:
    """Check a page against the text and authorship runs it carries (never re-rendered)."""
    page = read_page(content)
    if "draftsmith-manifest" not in page.scripts:
        return cannot_check(
            "The page carries no Draftsmith account of its text (no embedded manifest), so "
            "there is nothing to check it against."
        )
    try:
        manifest = json.loads(page.scripts["draftsmith-manifest"])
    except _BAD_JSON:
        return VerifyResult(False, ["The page's embedded manifest is damaged (not JSON)."])
    if "draftsmith-source" not in page.scripts:
        # A provenance report: the signed account without the text it describes.
        result = check_manifest(manifest, None)
        if result.checkable:
            return result
        return cannot_check(
            "This page carries the signed account of a text but not the text itself (a "
            "provenance report): verify the exported document it describes (HTML, or "
            "Markdown with its manifest) instead.",
            checked=result.checked,
        )
    try:
        source = json.loads(page.scripts["draftsmith-source"])
    except _BAD_JSON:
        return VerifyResult(False, ["The page's embedded text is damaged (not JSON)."])
    if not isinstance(source, str):
        return VerifyResult(False, ["The page's embedded source is not text."])
    result = check_manifest(manifest, source)
    if "text SHA-256" in result.checked and not result.problems:
        try:
            _check_page(page, content, manifest, source, result)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as error:
            result.problems.append(f"The page's authorship record is malformed ({error}).")
    result.ok = not result.problems
    return result


def _check_page(
    page: _PageReader, content: str, manifest: Manifest, source: str, result: VerifyResult
) -> None:
    """What the page shows against the signed account: the article's spans, the summary
    and the colours (`result.problems` gets the first difference of each)."""
    from memory.provenance.html import export_css, origin_css, summary_html

    record = record_from_manifest(manifest, source)
    runs = {run.start: run for run in record.runs()}
    text_problem = _check_article(page.article, runs, source)
    if text_problem:
        result.problems.append(text_problem)
        return
    result.checked.append("every span of the page against the signed text and runs")
    expected_summary = summary_html(record, manifest)
    if _summary(content) != expected_summary.removesuffix("</header>"):
        result.problems.append("The page's summary (shares, models, times) was changed.")
        return
    if page.styles[:1] != [export_css("page") + origin_css()]:
        result.problems.append(
            "The page's styles (the colour of each origin) differ from Draftsmith's, so "
            "its colours may not show who wrote what."
        )
        return
    result.checked.append("the page's summary and colours")


def _summary(content: str) -> str:
    start = content.find('<header class="ds-summary">')
    return content[start : content.find("</header>", start)] if start >= 0 else ""


def _check_article(shown: list[Shown], runs: dict[int, Run], source: str) -> str | None:
    """The first way the article's visible text departs from the signed runs, or None."""
    from memory.provenance.html import run_title

    words = vocabulary()
    searchable = [_Searchable(source), _Searchable(source, entities=True)]
    for piece in shown:
        quoted = piece.text.strip()[:60]
        if piece.run is None:
            return f"The page shows “{quoted}” outside any span, with no account of who wrote it."
        run = runs.get(piece.run)
        if run is None:
            return f"The page shows “{quoted}” as part of a run the signed account does not have."
        want_class, want_title = words[run.origin].css_class, run_title(run)
        if (piece.css_class, piece.title) != (want_class, want_title):
            return (
                f"The page shows “{quoted}” with origin {piece.css_class or 'none'} "
                f"({piece.title}), but the signed account says {want_class} ({want_title})."
            )
        if piece.generated:
            continue
        if not any(s.contains(piece.text, run.start) for s in searchable):
            return (
                f"The page's text was changed: “{quoted}” is not in the signed text where "
                "its span says it is."
            )
    return None


class _Searchable:
    """A text reduced to its letters, digits and symbols (no spaces, punctuation or
    Markdown syntax), with where each kept character stands in the original. With
    `entities`, HTML entities (`&eacute;`) count as the character they show, as the
    page shows them outside code."""

    def __init__(self, text: str, entities: bool = False) -> None:
        kept: list[str] = []
        self.positions: list[int] = []  # original index of each kept character
        pieces = _ENTITY.finditer(text) if entities else None
        index = 0
        for match in pieces or ():
            self._keep(text[index : match.start()], index, kept)
            for char in html.unescape(match.group()):
                if _counts(char):
                    kept.append(char)
                    self.positions.append(match.start())
            index = match.end()
        self._keep(text[index:], index, kept)
        self.skeleton = "".join(kept)

    def _keep(self, text: str, offset: int, kept: list[str]) -> None:
        for index, char in enumerate(text, offset):
            if _counts(char):
                kept.append(char)
                self.positions.append(index)

    def contains(self, shown: str, start: int) -> bool:
        """Whether the visible `shown` is text of the original from code point `start` on."""
        needle = "".join(char for char in shown if _counts(char))
        if not needle:
            return True
        return self.skeleton.find(needle, bisect_left(self.positions, start)) >= 0


_ENTITY = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _counts(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNS" and char not in "`^|~<>+=$"


#: What belongs to one export rather than to the account it gives: two exports of the
#: same text a second apart differ only in these.
_EXPORT_FIELDS = frozenset({"created", "signature"})


def _account(manifest: Manifest) -> dict[str, object]:
    """A manifest without the fields of the moment it was exported (`_EXPORT_FIELDS`)."""
    return {k: v for k, v in manifest.items() if k not in _EXPORT_FIELDS}


def verify_sidecar(path: Path, content: str) -> VerifyResult:
    try:
        manifest = manifest_from_json(json.loads(content))
    except _BAD_JSON as error:
        return VerifyResult(False, [f"“{path.name}” is not valid JSON ({error})."])
    if manifest is None:
        return VerifyResult(False, [f"“{path.name}” holds no Draftsmith manifest."])
    name = path.name
    for suffix in SIDECAR_SUFFIXES:
        if name.lower().endswith(suffix):
            base = path.with_name(name[: -len(suffix)])
            candidates = [base] + [
                base.with_name(base.name + ext) for ext in (".md", ".markdown", ".txt", ".html")
            ]
            described = next((c for c in candidates if c.is_file()), None)
            if described is not None:
                if described.suffix.lower() in (".html", ".htm"):
                    result = verify_html(described.read_text(encoding="utf-8"))
                    embedded = result.manifest
                    if embedded is not None and _account(embedded) != _account(manifest):
                        result.problems.append(
                            f"“{name}” differs from the account embedded in the page."
                        )
                        result.ok = False
                    elif embedded is not None and embedded != manifest:
                        # The same account, exported at another moment (its own `created`
                        # and signature): its signature must hold on its own.
                        if check_manifest(manifest, None).signer is None:
                            result.problems.append(
                                f"“{name}” tells the page's account, but its signature "
                                "does not match it: it was changed after signing."
                            )
                            result.ok = False
                    return result
                text = described.read_bytes().decode("utf-8-sig", errors="replace")
                return verify_markdown(described, text, sidecar=path)
    return check_manifest(manifest, None)
