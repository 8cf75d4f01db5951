"""The signed manifest: a checkable account of a text and who wrote each part of it.

It holds the SHA-256 of the exact text (UTF-8), every run of authorship (code points and
grapheme clusters), the events those runs came from, the models with their file hashes,
the ledger head, the app version and time, and the signer's public key. The signature is
Ed25519 over the manifest's canonical JSON (sorted keys, no spaces, UTF-8) without the
`signature` field.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from memory.events import AttributedSpan, Author, EditEvent, How, SourceKind
from memory.provenance.graphemes import GraphemeMap
from memory.provenance.record import ProvenanceRecord
from memory.provenance.signing import SigningKey, fingerprint, verify_signature
from memory.provenance.text_hash import sha256_hex, utf8_length

FORMAT = "draftsmith-manifest"
VERSION = 1

Manifest = dict[str, Any]


@dataclass(slots=True)
class VerifyResult:
    """The outcome of a check. `ok` only when everything matched and the signature holds;
    `problems` say what failed in plain words; `checked` says what was compared.
    `checkable` is False for a file that carries nothing to check (a report, a PDF, a
    Markdown file without its manifest): not a pass, and not a change either."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    signer: str | None = None  # the signer's public key (base64), when a manifest was signed
    checked: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    checkable: bool = True

    @property
    def signer_fingerprint(self) -> str | None:
        return fingerprint(self.signer) if self.signer else None

    @property
    def status(self) -> str:
        """ "ok", "mismatch" (something changed) or "cannot-check" (nothing to check)."""
        if self.ok:
            return "ok"
        return "mismatch" if self.checkable else "cannot-check"


def cannot_check(reason: str, checked: list[str] | None = None) -> VerifyResult:
    """The result for a file that carries nothing to check it against."""
    return VerifyResult(False, [reason], checked=list(checked or []), checkable=False)


def canonical_json(value: object) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def text_sha256(text: str) -> str:
    return sha256_hex(text)


def build_manifest(
    record: ProvenanceRecord, key: SigningKey, created: float | None = None
) -> Manifest:
    """A signed manifest for `record`."""
    manifest = unsigned_manifest(record, created)
    manifest["signer"] = {
        "algorithm": "Ed25519",
        "public_key": key.public_key_raw_b64(),
        "fingerprint": fingerprint(key.public_key_raw_b64()),
    }
    manifest["signature"] = key.sign(canonical_json(manifest))
    return manifest


def unsigned_manifest(record: ProvenanceRecord, created: float | None = None) -> Manifest:
    text = record.text
    graphemes = GraphemeMap(text)
    runs = [run for run in record.runs() if run.event is not None]
    events = {run.event.seq: run.event for run in runs if run.event}
    times = record.event_times()
    stamp = datetime.fromtimestamp(time.time() if created is None else created, UTC)
    return {
        "format": FORMAT,
        "version": VERSION,
        "title": record.title,
        "app_version": record.app_version,
        "created": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "text": {
            "sha256": text_sha256(text),
            "code_points": len(text),
            "graphemes": graphemes.count,
            "utf8_bytes": utf8_length(text),
        },
        "ledger_head": record.ledger_head,
        "authors": _authors(record, graphemes),
        "models": [
            {"name": m.name, "sha256": m.model_sha256, "key": m.key} for m in record.models()
        ],
        "events": [
            {"seq": e.seq, "author": e.author.key, "how": e.how.value, "at": e.at}
            for e in sorted(events.values(), key=lambda e: e.seq)
        ],
        "runs": [[run.start, run.length, run.event.seq] for run in runs if run.event],
        # model events the writer deleted some of: their text reads "model, edited"
        "edited_models": sorted(seq for seq in record.edited if seq in events),
        "timeline": {
            "event_count": len(record.events),
            "first_event_at": times[0] if times else None,
            "last_event_at": times[1] if times else None,
        },
    }


def _authors(record: ProvenanceRecord, graphemes: GraphemeMap) -> list[dict[str, Any]]:
    result: dict[Author, dict[str, Any]] = {}
    for run in record.runs():
        author = run.author
        if author is None:
            continue
        entry = result.setdefault(
            author,
            {
                "key": author.key,
                "name": author.name,
                "kind": author.kind.value,
                "model_sha256": author.model_sha256,
                "ranges": [],
                "grapheme_ranges": [],
                "characters": 0,
            },
        )
        _append_range(entry["ranges"], run.start, run.length)
        g_start, g_length = graphemes.span_to_graphemes(run.start, run.length)
        if g_length:
            _append_range(entry["grapheme_ranges"], g_start, g_length)
        entry["characters"] += run.length
    return list(result.values())


def _append_range(ranges: list[list[int]], start: int, length: int) -> None:
    if ranges and ranges[-1][0] + ranges[-1][1] == start:
        ranges[-1][1] += length
    else:
        ranges.append([start, length])


def record_from_manifest(manifest: Manifest, text: str) -> ProvenanceRecord:
    """The record a manifest describes, for re-rendering an export to compare with it."""
    authors = {
        a["key"]: Author(SourceKind(a["kind"]), a["name"], a.get("model_sha256", ""))
        for a in manifest["authors"]
    }
    events = {
        e["seq"]: EditEvent(e["seq"], authors[e["author"]], How(e["how"]), e["at"])
        for e in manifest["events"]
    }
    spans = [AttributedSpan(start, length, events[seq]) for start, length, seq in manifest["runs"]]
    return ProvenanceRecord(
        manifest.get("title", ""),
        text,
        spans,
        sorted(events.values(), key=lambda e: e.seq),
        manifest.get("ledger_head", ""),
        manifest.get("app_version", ""),
        frozenset(int(seq) for seq in manifest.get("edited_models", [])),
    )


def check_manifest(manifest: Manifest, text: str | None) -> VerifyResult:
    """Check the signature, then that `text` is the text the manifest describes and that its
    authorship ranges agree with one another and with the text (None: text not at hand)."""
    result = VerifyResult(ok=False, manifest=manifest)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        result.problems.append("This is not a Draftsmith manifest.")
        return result
    signer = manifest.get("signer") or {}
    public_key = signer.get("public_key") if isinstance(signer, dict) else None
    signature = manifest.get("signature")
    if not public_key or not signature:
        result.problems.append("The manifest is not signed.")
    else:
        unsigned = {k: v for k, v in manifest.items() if k != "signature"}
        if verify_signature(public_key, signature, canonical_json(unsigned)):
            result.signer = public_key
            result.checked.append(f"Ed25519 signature by key {fingerprint(public_key)}")
        else:
            result.problems.append(
                "The signature does not match the manifest: it was changed after signing, "
                "or signed by another key."
            )
    if text is None:
        # Nothing to compare with: not a change, unless the signature already failed.
        result.checkable = bool(result.problems)
        result.problems.append("The text this manifest describes was not found.")
        return result
    declared = manifest.get("text")
    if not isinstance(declared, dict) or declared.get("sha256") != text_sha256(text):
        result.problems.append(
            "The text differs from the signed text (its SHA-256 does not match): at least one "
            "character was changed, added or removed."
        )
    else:
        result.checked.append("text SHA-256")
    try:
        if not result.problems:
            _check_authorship(manifest, text, result)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as error:
        result.problems.append(f"The authorship record is malformed ({error}).")
    result.ok = not result.problems
    return result


def _check_authorship(manifest: Manifest, text: str, result: VerifyResult) -> None:
    record = record_from_manifest(manifest, text)
    position = 0
    for start, length, _seq in manifest["runs"]:
        if start < position or length <= 0 or start + length > len(text):
            result.problems.append(
                f"Authorship run {start},{length} overlaps another or lies outside the text."
            )
            return
        position = start + length
    expected = _authors(record, GraphemeMap(text))
    actual = manifest["authors"]
    if expected != actual:
        result.problems.append(
            "The authors' ranges do not agree with the authorship runs in the manifest."
        )
    else:
        result.checked.append("authorship ranges (code points and grapheme clusters)")
