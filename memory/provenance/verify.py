"""Check an exported file against its signed account: `draftsmith verify FILE`.

Where the signature lives:
- HTML: the manifest is embedded (`<script id="draftsmith-manifest">`), with the exact
  Markdown source (`<script id="draftsmith-source">`); the visible page is re-rendered
  from them and compared, so an edit to the page's text, colours or tooltips shows.
- Markdown: iA's format has no place for a signature, and an extra line would break it, so
  the manifest sits beside the file (`FILE.manifest.json`, or inside `FILE.prov.json`).
  Without one, only the annotation hash can be checked, which proves nothing about who
  wrote what: anyone can write a block. That is reported as a failure, not a pass.
- A sidecar (`*.manifest.json`, `*.prov.json`): checked with the file it sits beside.
- PDF: not checkable by itself; it prints the text hash and key fingerprint, and the
  HTML or Markdown export (or the PROV sidecar) is what `verify` checks.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from memory.provenance.annotations import authorship_annotations, parse_annotated_markdown
from memory.provenance.manifest import (
    FORMAT,
    Manifest,
    VerifyResult,
    check_manifest,
    record_from_manifest,
)

SIDECAR_SUFFIXES = (".manifest.json", ".prov.json")


def verify_file(path: Path) -> VerifyResult:
    """Whether the file and its signed account of authorship still match."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return VerifyResult(False, [f"“{path.name}” could not be read: {error.strerror}."])
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith(b"%PDF"):
            return _pdf_result(path)
        return VerifyResult(False, [f"“{path.name}” is not UTF-8 text."])
    name = path.name.lower()
    if name.endswith(SIDECAR_SUFFIXES):
        return verify_sidecar(path, content)
    if name.endswith((".html", ".htm")) or content.lstrip().lower().startswith("<!doctype html"):
        return verify_html(content)
    return verify_markdown(path, content)


def _pdf_result(path: Path) -> VerifyResult:
    return VerifyResult(
        False,
        [
            f"“{path.name}” is a PDF: it shows its text hash and signer but cannot be checked "
            "by itself. Verify the HTML or Markdown export, or the .prov.json sidecar."
        ],
    )


def manifest_from_json(value: object) -> Manifest | None:
    """The manifest in a `.manifest.json` file or a PROV-JSON sidecar."""
    if isinstance(value, dict) and value.get("format") == FORMAT:
        return value
    if isinstance(value, dict):
        for entity in (value.get("entity") or {}).values():
            embedded = entity.get("draftsmith:manifest") if isinstance(entity, dict) else None
            if isinstance(embedded, str):
                try:
                    return json.loads(embedded)
                except json.JSONDecodeError:
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
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"The sidecar “{sidecar.name}” could not be read ({error})."


def verify_markdown(path: Path, content: str, sidecar: Path | None = None) -> VerifyResult:
    parsed = parse_annotated_markdown(content)
    sidecar = sidecar or find_sidecar(path)
    if sidecar is None:
        problems = list(parsed.problems)
        if not parsed.has_block:
            problems.append("The file has no authorship block.")
        problems.append(
            "No signed manifest was found beside the file (FILE.manifest.json or "
            "FILE.prov.json), so who wrote what cannot be checked."
        )
        checked = ["annotation hash"] if parsed.hash_ok else []
        return VerifyResult(False, problems, checked=checked)
    manifest, error = _load_manifest(sidecar)
    if manifest is None:
        return VerifyResult(False, [error or f"“{sidecar.name}” holds no Draftsmith manifest."])
    result = check_manifest(manifest, parsed.text)
    if not parsed.has_block:
        result.problems.append("The file has no authorship block.")
    elif not parsed.hash_ok:
        result.problems.extend(parsed.problems)
    elif "text SHA-256" in result.checked:
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


class _PageReader(HTMLParser):
    """Visible text of a page with the origin and tooltip of the span around it, and the
    contents of its JSON script elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.visible: list[tuple[str, str, str]] = []
        self.scripts: dict[str, str] = {}
        self._span_stack: list[tuple[str, str]] = []
        self._script_id: str | None = None
        self._in_raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "span":
            self._span_stack.append((attributes.get("class", ""), attributes.get("title", "")))
        elif tag == "script":
            self._script_id = attributes.get("id", "")
            self.scripts[self._script_id] = ""
            self._in_raw += 1
        elif tag in ("style", "title"):
            self._in_raw += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._span_stack:
            self._span_stack.pop()
        elif tag == "script":
            self._script_id = None
            self._in_raw -= 1
        elif tag in ("style", "title"):
            self._in_raw -= 1

    def handle_data(self, data: str) -> None:
        if self._script_id is not None:
            self.scripts[self._script_id] += data
        elif not self._in_raw and data.strip():
            span = self._span_stack[-1] if self._span_stack else ("", "")
            self.visible.append((data, *span))


def read_page(content: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(content)
    reader.close()
    return reader


def verify_html(content: str) -> VerifyResult:
    from memory.provenance.html import write_html

    page = read_page(content)
    try:
        manifest = json.loads(page.scripts["draftsmith-manifest"])
        source = json.loads(page.scripts["draftsmith-source"])
    except (KeyError, json.JSONDecodeError):
        return VerifyResult(False, ["The page carries no Draftsmith manifest and source."])
    if not isinstance(source, str):
        return VerifyResult(False, ["The page's embedded source is not text."])
    result = check_manifest(manifest, source)
    if "text SHA-256" in result.checked and not result.problems:
        regenerated = write_html(record_from_manifest(manifest, source), manifest)
        expected = read_page(regenerated)
        if expected.visible != page.visible:
            result.problems.append(_first_difference(expected.visible, page.visible))
        elif _summary(regenerated) != _summary(content):
            result.problems.append("The page's summary (shares, models, times) was changed.")
        elif regenerated != content:
            result.problems.append(
                "The page's markup or styles differ from what its signed source renders to "
                "(edited by hand, or exported by another version of Draftsmith)."
            )
        else:
            result.checked.append("the whole page, re-rendered from the signed source")
    result.ok = not result.problems
    return result


def _summary(content: str) -> str:
    start = content.find('<header class="ds-summary">')
    return content[start : content.find("</header>", start)] if start >= 0 else ""


def _first_difference(
    expected: list[tuple[str, str, str]], actual: list[tuple[str, str, str]]
) -> str:
    for want, have in zip(expected, actual, strict=False):
        if want != have:
            if want[0] != have[0]:
                return (
                    f"The page's text was changed: “{have[0][:60]}” where the signed text "
                    f"reads “{want[0][:60]}”."
                )
            return (
                f"The page shows “{have[0][:60]}” with origin {have[1] or 'none'} "
                f"({have[2]}), but the signed account says {want[1]} ({want[2]})."
            )
    return "The page has text that is not in the signed account, or lacks some of it."


def verify_sidecar(path: Path, content: str) -> VerifyResult:
    try:
        manifest = manifest_from_json(json.loads(content))
    except json.JSONDecodeError as error:
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
                    if result.manifest is not None and result.manifest != manifest:
                        result.problems.append(
                            f"“{name}” differs from the account embedded in the page."
                        )
                        result.ok = False
                    return result
                text = described.read_bytes().decode("utf-8-sig", errors="replace")
                return verify_markdown(described, text, sidecar=path)
    return check_manifest(manifest, None)
