"""The brainstorm history's table (store migration 0003); see `memory.brainstorm_history`."""

from __future__ import annotations

import sqlite3


def create_brainstorm_tables(db: sqlite3.Connection) -> None:
    """Migration 0003: one row per brainstorm (request and ideas, as JSON)."""
    db.execute(
        """CREATE TABLE brainstorms (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            about TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            ideas TEXT NOT NULL DEFAULT '[]',
            dismissed TEXT NOT NULL DEFAULT '[]'
        )"""
    )
    db.execute("CREATE INDEX brainstorms_by_doc ON brainstorms (doc_id, at)")
