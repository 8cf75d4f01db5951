"""The provenance engine: exports with an account of authorship that anyone can check.

Qt-free and usable from a plain script. `export(record, fmt, out, key_dir)` writes one
format; `verify_file(path)` checks any exported file against its signed manifest;
`record_for(document, title, app_version)` makes the record of an open document, and
`trust.file_authorship(...)` the record of a file on disk by the one trust rule.

PDF needs a renderer from outside the engine (the app passes its QtGui `html_to_pdf`):
`export(..., render_pdf=html_to_pdf)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from memory.atomic_files import write_atomically, write_atomically_from
from memory.errors import DraftsmithError
from memory.provenance.build import record_for, record_from_annotations
from memory.provenance.record import ProvenanceRecord

if TYPE_CHECKING:
    from memory.provenance.manifest import Manifest, VerifyResult, build_manifest, check_manifest
    from memory.provenance.verify import verify_file

#: Loaded on first use: signing imports `cryptography` (50 ms), which opening a file in
#: the window never needs (`tests/app/test_startup_open.py` keeps it off the start-up path).
_LAZY = {
    "Manifest": "memory.provenance.manifest",
    "VerifyResult": "memory.provenance.manifest",
    "build_manifest": "memory.provenance.manifest",
    "check_manifest": "memory.provenance.manifest",
    "verify_file": "memory.provenance.verify",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


FORMATS = ("markdown", "html", "pdf", "report-html", "report-pdf", "prov")
PDF_FORMATS = ("pdf", "report-pdf")

__all__ = [
    "FORMATS",
    "PDF_FORMATS",
    "PdfRenderer",
    "ProvenanceRecord",
    "VerifyResult",
    "build_manifest",
    "check_manifest",
    "export",
    "record_for",
    "record_from_annotations",
    "verify_file",
]


class PdfRenderer(Protocol):
    """Lays out HTML on pages: `svg_images` maps an `<img src>` name to SVG text."""

    def __call__(
        self, html: str, title: str = "", svg_images: dict[str, str] | None = None
    ) -> bytes: ...


class NoPdfRenderer(DraftsmithError, ValueError):
    """A PDF was asked for where no PDF renderer is available."""


def export(
    record: ProvenanceRecord,
    fmt: str,
    out: Path,
    key_dir: Path,
    progress: Callable[[float], None] | None = None,
    render_pdf: PdfRenderer | None = None,
) -> list[Path]:
    """Write `record` as `fmt` to `out`, signed with the writer's key in `key_dir` (the keys
    folder itself; created on first use). Returns the files written: Markdown also gets
    `OUT.manifest.json` beside it. Raises ValueError for an unknown format,
    `NoPdfRenderer` for a PDF format without `render_pdf`, OSError when a file cannot be
    written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt in PDF_FORMATS and render_pdf is None:
        raise NoPdfRenderer(
            f"A {fmt} export needs a PDF renderer (the Draftsmith app has one); "
            "export HTML instead, or pass render_pdf."
        )
    report = progress or (lambda fraction: None)
    out = Path(out)
    report(0.0)
    from memory.provenance.manifest import build_manifest
    from memory.provenance.signing import load_or_create_key_in

    manifest = build_manifest(record, load_or_create_key_in(Path(key_dir)))
    report(0.2)
    written: list[Path] = []
    if fmt == "markdown":
        from memory.provenance.annotations import write_annotated_markdown

        write_atomically(out, write_annotated_markdown(record).encode("utf-8"))
        sidecar = out.with_name(out.name + ".manifest.json")
        write_atomically(sidecar, _json_bytes(manifest))
        written += [out, sidecar]
    elif fmt == "html":
        from memory.provenance.html import write_html_to

        write_streamed(out, lambda write: write_html_to(record, manifest, write))
        written.append(out)
    elif fmt == "report-html":
        from memory.provenance.report import write_report

        write_atomically(out, write_report(record, manifest).encode("utf-8"))
        written.append(out)
    elif fmt in PDF_FORMATS and render_pdf is not None:
        images: dict[str, str] = {}
        if fmt == "pdf":
            from memory.provenance.html import printable_html

            page = printable_html(record, manifest)
        else:
            from memory.provenance.report import printable_report

            page, images = printable_report(record, manifest)
        report(0.5)
        write_atomically(out, render_pdf(page, title=record.title, svg_images=images))
        written.append(out)
    else:
        from memory.provenance.prov import write_prov

        write_atomically(out, _json_bytes(write_prov(record, manifest)))
        written.append(out)
    report(1.0)
    return written


def write_streamed(path: Path, produce: Callable[[Callable[[str], object]], None]) -> None:
    """What `produce` hands its `write` a piece at a time, as UTF-8, written to `path`
    as `write_atomically` writes (a temporary file beside it, flushed, renamed over the
    old one), so a long export is never held whole in memory."""
    write_atomically_from(path, lambda write: produce(lambda piece: write(piece.encode("utf-8"))))


def _json_bytes(value: Manifest) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
