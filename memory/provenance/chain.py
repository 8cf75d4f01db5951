"""An export signs only what the ledger's hash chain proves.

Every ledger entry's hash covers the one before it (`memory.ledger`), so an edit to a
stored event (its author changed with `sqlite3`, an entry removed) breaks the chain from
there on. Before a manifest is signed, and in `draftsmith doctor`, the chain is
recomputed; a broken one is refused in plain words that say where it breaks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from memory.document import AuthoredDocument
from memory.errors import DraftsmithError
from memory.ledger import Ledger, LedgerError
from memory.provenance.build import record_for
from memory.provenance.record import ProvenanceRecord
from memory.store import Store


class BrokenHistory(DraftsmithError):
    """The ledger's hash chain does not check out: Draftsmith will not sign for it."""


def check_chain(ledger: Ledger, title: str = "") -> None:
    """Recompute the ledger's hash chain; raise `BrokenHistory` saying where it breaks."""
    try:
        ledger.verify()
    except LedgerError as error:
        which = f"“{title}”" if title else "this document"
        raise BrokenHistory(
            f"Draftsmith will not sign an export of {which}: {error}, so its record of who "
            "wrote what can no longer be trusted. Nothing was exported. The text itself "
            "is safe; run `draftsmith doctor` for details."
        ) from error


def signed_record_for(document: AuthoredDocument, title: str, app_version: str) -> ProvenanceRecord:
    """The export record of an open document, once its hash chain checks out."""
    check_chain(document.ledger, title)
    return record_for(document, title, app_version)


def broken_histories(store: Store) -> list[str]:
    """Every document of the library whose hash chain does not check out, in plain words
    (empty when all of them do)."""
    problems: list[str] = []
    for info in store.documents():
        name = info.path or info.title or info.id
        try:
            Ledger(store, info.id).verify()
        except LedgerError as error:
            problems.append(f"The edit history of “{name}” does not check out: {error}.")
    return problems


def integrity_problems(path: Path) -> list[str]:
    """SQLite's `PRAGMA integrity_check` of the library file, read-only (empty: sound).
    A file that is not a database at all is a problem too."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return [f"The library {path} cannot be opened: {error}."]
    try:
        rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as error:
        return [f"The library {path} is damaged or is not a Draftsmith library ({error})."]
    finally:
        connection.close()
    if rows == ["ok"]:
        return []
    shown = "; ".join(rows[:5]) + (f"; … {len(rows) - 5} more" if len(rows) > 5 else "")
    return [f"The library {path} is damaged: SQLite's integrity check says {shown}."]
