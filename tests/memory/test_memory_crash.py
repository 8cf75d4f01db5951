"""Kill -9 while writing: reopening the store recovers all but the last second."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from memory.document import AuthoredDocument, recoverable
from memory.store import Store

ROOT = Path(__file__).resolve().parents[2]
ALPHABET = "abc \u00e9\U0001f600\u4e2d\n"

CHILD = textwrap.dedent(
    f"""
    import sys, time
    from memory.document import AuthoredDocument
    from memory.events import Author, How, SourceKind
    from memory.store import Store

    alphabet = {ALPHABET!r}
    writer = Author(SourceKind.PERSON, "Ann")
    store = Store(sys.argv[1])
    doc = AuthoredDocument.create(store, None, "crash")
    print("doc", doc.doc_id, flush=True)
    last_flush = time.monotonic()
    i = 0
    while True:  # the editor: one record per keystroke, a flush every second
        doc.record(len(doc), 0, alphabet[i % len(alphabet)], writer, How.TYPED)
        i += 1
        now = time.monotonic()
        if i % 20 == 0:
            print("typed", i, now, flush=True)
        if now - last_flush >= 1.0:
            doc.flush()
            last_flush = time.monotonic()
            print("flushed", doc.head_seq, last_flush, flush=True)
        time.sleep(0.001)
    """
)


def test_sigkill_loses_at_most_the_last_second(tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    lines: list[list[str]] = []
    try:
        deadline = time.monotonic() + 30
        while sum(1 for line in lines if line[0] == "flushed") < 2:
            assert time.monotonic() < deadline, "the child never flushed"
            lines.append(child.stdout.readline().split())
        time.sleep(0.6)  # die somewhere between two flushes
    finally:
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
    lines += [line.split() for line in rest.splitlines() if line.strip()]
    doc_id = lines[0][1]
    flushed = [
        (int(n), float(t)) for kind, n, t in (x for x in lines if len(x) == 3) if kind == "flushed"
    ]
    typed = [
        (int(n), float(t)) for kind, n, t in (x for x in lines if len(x) == 3) if kind == "typed"
    ]
    last_flushed_seq, last_flush_time = flushed[-1]
    last_typed_time = typed[-1][1]

    store = Store(db)
    doc = AuthoredDocument.open(store, doc_id)
    assert doc.head_seq >= last_flushed_seq
    assert last_typed_time - last_flush_time <= 1.5  # what was lost: under about a second
    assert doc.text == "".join(ALPHABET[i % len(ALPHABET)] for i in range(doc.head_seq))
    assert {s.event.author.name for s in doc.spans()} == {"Ann"}
    assert [s.event.seq for s in doc.spans()] == list(range(1, doc.head_seq + 1))
    assert doc.ledger.verify()
    assert [d.id for d in store.documents_with_unsaved_changes()] == [doc_id]
    assert recoverable(store, doc_id, "")
    store.close()
