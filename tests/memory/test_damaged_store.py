"""A damaged library (garbage, truncated, damaged pages, a newer schema) is detected when it
opens, moved aside under a timestamped name and replaced by a fresh one; two processes
writing one library corrupt nothing and lose no event (issue 11, Faults)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.store import DamagedStore, Store, StoreError, open_library

WRITER = Author(SourceKind.PERSON, "Ana “Á” Writer")
REPO = Path(__file__).resolve().parents[2]


def make_library(folder: Path, documents: int = 20) -> Path:
    path = folder / "draftsmith.db"
    store = Store(path)
    for n in range(documents):
        doc = AuthoredDocument.create(
            store, None, f"doc {n}", initial_text="", initial_author=WRITER
        )
        doc.record(0, 0, f"Chapter {n}: “quoted” words 🙂 " * 120, WRITER, How.TYPED)
        doc.flush()
    store.close()
    return path


def damage(path: Path, kind: str) -> None:
    """Damage a library as a disk or a tool might (after its WAL is written back)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = path.read_bytes()
    if kind == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "damaged pages":
        page = 4096
        raw = bytearray(data)
        for offset in range(2 * page, len(raw) - page, 2 * page):
            raw[offset : offset + 64] = os.urandom(64)  # the pages' headers
        path.write_bytes(bytes(raw))
    elif kind == "newer schema":
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 999")
        conn.commit()
        conn.close()
    else:
        raise AssertionError(kind)


KINDS = ["garbage", "truncated", "damaged pages", "newer schema"]


@pytest.mark.parametrize("kind", KINDS)
def test_damage_is_detected_when_the_library_opens(tmp_path, kind) -> None:
    path = make_library(tmp_path)
    damage(path, kind)
    with pytest.raises(DamagedStore):
        Store(path, check=True).close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_library_is_moved_aside_and_a_fresh_one_made(tmp_path, kind) -> None:
    path = make_library(tmp_path)
    damage(path, kind)
    damaged_bytes = path.read_bytes()
    at = time.mktime((2026, 3, 4, 5, 6, 7, 0, 0, -1))
    opened = open_library(path, now=at)
    try:
        assert not opened.in_memory
        assert opened.moved_to == tmp_path / "draftsmith.db.damaged-20260304-050607"
        assert opened.moved_to.read_bytes() == damaged_bytes, "nothing in it is lost"
        assert str(opened.moved_to) in opened.notice, "the writer is told where it is"
        assert "new, empty library" in opened.notice
        if kind == "newer schema":
            assert "newer version" in opened.notice
        store = opened.store
        assert store.documents() == []
        doc = AuthoredDocument.create(
            store, "/tmp/x.md", "x", initial_text="", initial_author=WRITER
        )
        doc.record(0, 0, "A fresh “start” ✨", WRITER, How.TYPED)
        doc.flush()
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        opened.store.close()


def test_a_second_damage_in_the_same_second_gets_its_own_name(tmp_path) -> None:
    at = time.time()
    names = []
    for _ in range(2):
        path = tmp_path / "draftsmith.db"
        path.write_bytes(b"garbage that is not SQLite" * 100)
        opened = open_library(path, now=at)
        opened.store.close()
        assert opened.moved_to is not None
        names.append(opened.moved_to.name)
        path.unlink()
        for companion in tmp_path.glob("draftsmith.db-*"):
            companion.unlink()
    assert names[0] != names[1] and re.fullmatch(r"draftsmith\.db\.damaged-\d{8}-\d{6}-2", names[1])


def test_the_wal_of_a_damaged_library_moves_with_it(tmp_path) -> None:
    path = tmp_path / "draftsmith.db"
    path.write_bytes(os.urandom(8192))
    (tmp_path / "draftsmith.db-wal").write_bytes(b"old wal")
    (tmp_path / "draftsmith.db-shm").write_bytes(b"old shm")
    opened = open_library(path)
    try:
        assert opened.moved_to is not None
        assert Path(f"{opened.moved_to}-wal").read_bytes() == b"old wal"
        assert Path(f"{opened.moved_to}-shm").read_bytes() == b"old shm"
        assert opened.store.documents() == [], "the fresh library does not replay an old WAL"
    finally:
        opened.store.close()


def test_a_healthy_library_opens_as_it_is(tmp_path) -> None:
    path = make_library(tmp_path, documents=3)
    opened = open_library(path)
    try:
        assert opened.notice == "" and opened.moved_to is None and not opened.in_memory
        assert len(opened.store.documents()) == 3
    finally:
        opened.store.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "damaged" in p.name) == []


def test_an_unopenable_library_gives_an_in_memory_one(tmp_path) -> None:
    (tmp_path / "draftsmith.db").mkdir()
    opened = open_library(tmp_path / "draftsmith.db")
    try:
        assert opened.in_memory and opened.store.path == ":memory:"
        assert "for this session only" in opened.notice
        assert (tmp_path / "draftsmith.db").is_dir(), "nothing is moved for a non-damage"
    finally:
        opened.store.close()


def test_a_failed_commit_never_leaves_the_library_stuck(tmp_path) -> None:
    store = Store(tmp_path / "draftsmith.db")
    try:
        doc = AuthoredDocument.create(store, None, "t", initial_text="", initial_author=WRITER)
        doc.flush()
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        doc.record(0, 0, "x" * 20_000, WRITER, How.TYPED)
        with pytest.raises(StoreError, match="full"):
            doc.flush()
        assert not store.db.conn.in_transaction
        store.db.execute("PRAGMA max_page_count = 1073741823")
        doc.record(len(doc.text), 0, " and “more” 🙂", WRITER, How.TYPED)
        assert doc.flush() == 2, "both edits written once space returns"
        assert AuthoredDocument.open(store, doc.doc_id).text == doc.text
        assert doc.ledger.verify()
    finally:
        store.close()


WRITER_CHILD = textwrap.dedent(
    """
    import sys
    from memory.document import AuthoredDocument
    from memory.events import Author, How, SourceKind
    from memory.store import Store
    path, name, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    author = Author(SourceKind.PERSON, name)
    store = Store(path)
    doc = AuthoredDocument.create(store, "/docs/" + name + ".md", name, initial_text="",
                                  initial_author=author)
    for n in range(rounds):
        for k in range(5):
            doc.record(len(doc.text), 0, f"{name} “{n}.{k}” 🙂 ", author, How.TYPED)
        doc.flush()
    print(doc.doc_id, len(doc.text), flush=True)
    store.close()
    """
)


def test_two_processes_writing_one_library_lose_nothing(tmp_path) -> None:
    path = tmp_path / "draftsmith.db"
    Store(path).close()
    rounds = 150
    children = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CHILD, str(path), name, str(rounds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for name in ("Ana", "Bea")
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        doc_id, length = out.split()
        results.append((doc_id, int(length)))
    store = Store(path, check=True)
    try:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for doc_id, length in results:
            doc = AuthoredDocument.open(store, doc_id)
            assert len(doc.text) == length
            assert store.head_seq(doc_id) >= rounds * 5, "every event is there"
            assert doc.ledger.verify()
    finally:
        store.close()
