"""The long-term memory's tables, created by one numbered migration in `memory.store`.

Feedback on every suggestion shown, memories (story bible, style rules, refused phrases,
voice passages) with their edit history, an FTS5 index over memories, and the writer's
switches (learning paused, private documents). Embeddings are float32 BLOBs, filled in
the background; this Python's sqlite3 cannot load sqlite-vec, so search is numpy.
"""

from __future__ import annotations

import sqlite3


def create_memory_tables(db: sqlite3.Connection) -> None:
    """Create the memory tables (run once, inside the migration's transaction)."""
    db.execute(
        """CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            writer TEXT NOT NULL,
            doc_key TEXT NOT NULL DEFAULT '',
            project TEXT NOT NULL DEFAULT '',
            context TEXT NOT NULL,
            text TEXT NOT NULL,
            outcome TEXT NOT NULL,
            accepted_chars INTEGER NOT NULL DEFAULT 0,
            rank INTEGER NOT NULL DEFAULT 0,
            model TEXT NOT NULL DEFAULT '',
            settings TEXT NOT NULL DEFAULT '{}',
            logprob REAL,
            embedding BLOB
        )"""
    )
    db.execute("CREATE INDEX feedback_writer_at ON feedback (writer, at)")
    db.execute(
        """CREATE TABLE memories (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            keywords TEXT NOT NULL DEFAULT '',
            scope TEXT NOT NULL DEFAULT 'everywhere',
            scope_ref TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active',
            pinned INTEGER NOT NULL DEFAULT 0,
            evidence TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            embedding BLOB
        )"""
    )
    db.execute("CREATE INDEX memories_kind_status ON memories (kind, status)")
    db.execute(
        """CREATE TABLE memory_history (
            id INTEGER PRIMARY KEY,
            memory_id INTEGER NOT NULL,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            name TEXT NOT NULL,
            keywords TEXT NOT NULL,
            reason TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX memory_history_memory ON memory_history (memory_id)")
    db.execute(
        "CREATE VIRTUAL TABLE memory_fts USING fts5("
        "text, name, keywords, tokenize='porter unicode61')"
    )
    db.execute(
        """CREATE TABLE memory_switches (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE refused_phrases (
            writer TEXT NOT NULL,
            phrase TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (writer, phrase)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE private_documents (
            doc_key TEXT PRIMARY KEY,
            at REAL NOT NULL
        )"""
    )
