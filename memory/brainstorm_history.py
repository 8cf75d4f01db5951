"""The brainstorm panel's history: every request and its ideas, per document, kept in
the store so the panel shows them again when the document is reopened."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from memory.store import Store


@dataclass(frozen=True, slots=True)
class BrainstormEntry:
    """One past brainstorm: what was asked and the ideas that are still listed."""

    id: int
    doc_id: str
    at: float
    kind: str
    about: str
    model: str
    ideas: tuple[str, ...]
    dismissed: tuple[str, ...]

    @property
    def shown(self) -> tuple[str, ...]:
        gone = set(self.dismissed)
        return tuple(i for i in self.ideas if i not in gone)


def add_brainstorm(store: Store, doc_id: str, kind: str, about: str, model: str) -> int:
    """Start a history entry for a new request; its ideas are added as they arrive."""
    with store.transaction():
        cursor = store.db.execute(
            "INSERT INTO brainstorms (doc_id, at, kind, about, model) VALUES (?, ?, ?, ?, ?)",
            [doc_id, time.time(), kind, about, model],
        )
        return int(cursor.lastrowid or 0)


def set_ideas(store: Store, entry_id: int, ideas: list[str], dismissed: list[str]) -> None:
    with store.transaction():
        store.db.execute(
            "UPDATE brainstorms SET ideas = ?, dismissed = ? WHERE id = ?",
            [
                json.dumps(ideas, ensure_ascii=False),
                json.dumps(dismissed, ensure_ascii=False),
                entry_id,
            ],
        )


def history(store: Store, doc_id: str, limit: int = 50) -> list[BrainstormEntry]:
    """A document's brainstorms, newest first."""
    with store.guard():
        rows = store.db.execute(
            "SELECT id, doc_id, at, kind, about, model, ideas, dismissed FROM brainstorms "
            "WHERE doc_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            [doc_id, limit],
        ).fetchall()
    return [
        BrainstormEntry(
            int(r[0]),
            r[1],
            float(r[2]),
            r[3],
            r[4],
            r[5],
            tuple(json.loads(r[6])),
            tuple(json.loads(r[7])),
        )
        for r in rows
    ]
