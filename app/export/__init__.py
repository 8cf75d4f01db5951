"""Exports from the app: the engine's `memory.provenance.export` with the app's PDF
renderer (QtGui, imported only when a PDF is asked for)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from memory import provenance
from memory.provenance import FORMATS, ProvenanceRecord

__all__ = ["FORMATS", "export"]


def export(
    record: ProvenanceRecord,
    fmt: str,
    out: Path,
    key_dir: Path,
    progress: Callable[[float], None] | None = None,
) -> list[Path]:
    """`memory.provenance.export`, able to write PDF (see there for what it returns and
    raises)."""
    render_pdf = None
    if fmt in provenance.PDF_FORMATS:
        from app.export.pdf import html_to_pdf

        render_pdf = html_to_pdf
    return provenance.export(record, fmt, out, key_dir, progress, render_pdf)
