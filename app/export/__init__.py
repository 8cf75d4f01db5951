"""Exports with provenance that anyone can check (issue #4).

`export(record, fmt, out, key_dir)` writes one format; `verify_file(path)` checks any
exported file against its signed manifest. Free of widgets: PDF uses QtGui only.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.export.manifest import Manifest, VerifyResult, build_manifest, check_manifest
from app.export.record import ProvenanceRecord
from app.export.signing import load_or_create_key_in
from app.export.verify import verify_file

FORMATS = ("markdown", "html", "pdf", "report-html", "report-pdf", "prov")

__all__ = [
    "FORMATS",
    "ProvenanceRecord",
    "VerifyResult",
    "build_manifest",
    "check_manifest",
    "export",
    "verify_file",
]


def export(
    record: ProvenanceRecord,
    fmt: str,
    out: Path,
    key_dir: Path,
    progress: Callable[[float], None] | None = None,
) -> list[Path]:
    """Write `record` as `fmt` to `out`, signed with the writer's key in `key_dir` (the keys
    folder itself, e.g. `app.paths.keys_dir()`; created on first use). Returns the files
    written: Markdown also gets `OUT.manifest.json` beside it. Raises ValueError for an
    unknown format and OSError when the file cannot be written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    report = progress or (lambda fraction: None)
    out = Path(out)
    report(0.0)
    manifest = build_manifest(record, load_or_create_key_in(Path(key_dir)))
    report(0.2)
    written: list[Path] = []
    if fmt == "markdown":
        from app.export.annotations import write_annotated_markdown

        _write(out, write_annotated_markdown(record).encode("utf-8"))
        sidecar = out.with_name(out.name + ".manifest.json")
        _write(sidecar, _json_bytes(manifest))
        written += [out, sidecar]
    elif fmt == "html":
        from app.export.html import write_html

        _write(out, write_html(record, manifest).encode("utf-8"))
        written.append(out)
    elif fmt == "report-html":
        from app.export.report import write_report

        _write(out, write_report(record, manifest).encode("utf-8"))
        written.append(out)
    elif fmt in ("pdf", "report-pdf"):
        from app.export.pdf import html_to_pdf

        images: dict[str, str] = {}
        if fmt == "pdf":
            from app.export.html import printable_html

            page = printable_html(record, manifest)
        else:
            from app.export.report import printable_report

            page, images = printable_report(record, manifest)
        report(0.5)
        _write(out, html_to_pdf(page, title=record.title, svg_images=images))
        written.append(out)
    else:
        from app.export.prov import write_prov

        _write(out, _json_bytes(write_prov(record, manifest)))
        written.append(out)
    report(1.0)
    return written


def _json_bytes(value: Manifest) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    """Write bytes so that a crash never leaves half a file in place of the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
