"""AuthoredText and AuthoredDocument against a naive per-character reference."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory.document import GRAVEYARD_SIZE, AuthoredDocument
from memory.events import CLIPBOARD, Author, How, SourceKind
from memory.runs import AuthoredText
from memory.store import Store

ANN = Author(SourceKind.PERSON, "Ann")
MODEL = Author(SourceKind.MODEL, "smol", "ab" * 32)
PIECES = [
    "a",
    "b",
    " ",
    "\n",
    "e\u0301",
    "\U0001f44d\U0001f3fd",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\u4e2d\u6587",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0644\u0627",
    "\u0301",
]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)

Ref = list[tuple[str, int]]


def ref_runs(ref: Ref) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for i, (_, e) in enumerate(ref):
        if out and out[-1][2] == e:
            out[-1] = (out[-1][0], out[-1][1] + 1, e)
        else:
            out.append((i, 1, e))
    return out


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_authored_text_matches_reference(data: st.DataObject) -> None:
    text = AuthoredText()
    ref: Ref = []
    for seq in range(1, data.draw(st.integers(1, 60)) + 1):
        start = data.draw(st.integers(0, len(ref)))
        removed = data.draw(st.integers(0, len(ref) - start))
        inserted = data.draw(st.one_of(st.just(""), texts))
        cuts = sorted(data.draw(st.sets(st.integers(0, len(inserted)), max_size=3)))
        bounds = [0, *cuts, len(inserted)]
        segments = [(b - a, data.draw(st.integers(1, seq))) for a, b in pairwise(bounds)]
        text.replace(start, removed, inserted, segments)
        chars = [
            (ch, e)
            for (a, b), (_, e) in zip(pairwise(bounds), segments, strict=True)
            for ch in inserted[a:b]
        ]
        ref[start : start + removed] = chars
        assert text.text == "".join(c for c, _ in ref)
        assert text.runs() == ref_runs(ref)
    a = data.draw(st.integers(0, len(ref)))
    b = data.draw(st.integers(a, len(ref)))
    assert text.segments(a, b) == [(n, e) for _, n, e in ref_runs(ref[a:b])]
    for i, (_, e) in enumerate(ref):
        assert text.event_at(i) == e
    assert AuthoredText.from_runs(text.text, [(n, e) for _, n, e in text.runs()]).runs() == (
        text.runs()
    )


def test_many_runs_use_blocks_and_stay_merged() -> None:
    text = AuthoredText("x" * 100_000, 1)
    for i in range(5000):
        text.replace((i * 7919) % len(text), 0, "y", [(1, i + 2)])
    assert text.run_count() == len(text.runs())
    runs = text.runs()
    assert all(a[2] != b[2] and a[0] + a[1] == b[0] for a, b in pairwise(runs))
    text.replace(0, len(text), "", [])
    assert text.runs() == [] and text.text == ""


def test_segments_must_cover_inserted_text() -> None:
    with pytest.raises(ValueError):
        AuthoredText().replace(0, 0, "abc", [(2, 1)])
    with pytest.raises(ValueError):
        AuthoredText("abc", 1).replace(2, 5, "", [])


class Reference:
    """The document as a list of (char, event seq), with the graveyard rule spelled out."""

    def __init__(self) -> None:
        self.chars: Ref = []
        self.graveyard: list[dict[str, object]] = []
        self.seq = 0

    def record(self, start: int, removed: int, inserted: str, how: How, segs: Ref | None) -> None:
        self.seq += 1
        if segs is None:
            segs = [(c, self.seq) for c in inserted]
            if how in (How.UNDO, How.REDO) and inserted:
                for g in self.graveyard:
                    gtext = "".join(c for c, _ in g["chars"])  # type: ignore[attr-defined]
                    at = gtext.find(inserted)
                    if at >= 0:
                        segs = list(g["chars"][at : at + len(inserted)])  # type: ignore[index]
                        break
        if removed:
            gone = self.chars[start : start + removed]
            top = self.graveyard[0] if self.graveyard else None
            if top is not None and top["by"] == self.seq - 1 and start + removed == top["pos"]:
                top.update(chars=gone + top["chars"], pos=start, by=self.seq)  # type: ignore[operator]
            elif top is not None and top["by"] == self.seq - 1 and start == top["pos"]:
                top.update(chars=top["chars"] + gone, by=self.seq)  # type: ignore[operator]
            else:
                self.graveyard.insert(0, {"chars": gone, "pos": start, "by": self.seq})
                del self.graveyard[GRAVEYARD_SIZE:]
        self.chars[start : start + removed] = segs


def check(doc: AuthoredDocument, ref: Reference) -> None:
    assert doc.text == "".join(c for c, _ in ref.chars)
    assert [(s.start, s.length, s.event.seq) for s in doc.spans()] == ref_runs(ref.chars)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_document_edit_scripts_match_reference(tmp_path: Path, data: st.DataObject) -> None:
    store = Store(tmp_path / f"doc-{data.draw(st.uuids())}.db")
    doc = AuthoredDocument.create(store, None, "t", data.draw(texts), snapshot_every=7)
    ref = Reference()
    ref.record(0, 0, doc.text, How.IMPORT, None)
    undo: list[tuple[int, str, str]] = []  # (start, removed text, inserted text)
    redo: list[tuple[int, str, str]] = []
    for _ in range(data.draw(st.integers(1, 40))):
        n = len(ref.chars)
        kind = data.draw(
            st.sampled_from(
                ["type", "accept", "delete", "replace", "move", "copy", "paste", "undo", "redo"]
            )
        )
        if kind in ("undo", "redo"):
            stack, other = (undo, redo) if kind == "undo" else (redo, undo)
            if not stack:
                continue
            start, old, new = stack.pop()
            how = How.UNDO if kind == "undo" else How.REDO
            doc.record(start, len(new), old, ANN, how)
            ref.record(start, len(new), old, how, None)
            other.append((start, new, old))
            continue
        if kind == "move" or kind == "copy":
            if n == 0:
                continue
            a = data.draw(st.integers(0, n - 1))
            b = data.draw(st.integers(a + 1, n))
            moved, moved_ref = doc.segments(a, b), ref.chars[a:b]
            piece = doc.text[a:b]
            if kind == "move":
                doc.record(a, b - a, "", ANN, How.MOVE)
                ref.record(a, b - a, "", How.MOVE, None)
                undo.append((a, piece, ""))
            p = data.draw(st.integers(0, len(ref.chars)))
            doc.record(p, 0, piece, ANN, How.MOVE, segments=moved)
            ref.record(p, 0, piece, How.MOVE, list(moved_ref))
            undo.append((p, "", piece))
        else:
            start = data.draw(st.integers(0, n))
            removed = (
                0
                if kind in ("type", "accept", "paste")
                else data.draw(
                    st.integers(0 if kind == "replace" else min(1, n - start), n - start)
                )
            )
            inserted = "" if kind == "delete" else data.draw(texts)
            author, how = {
                "accept": (MODEL, How.SUGGESTION),
                "paste": (CLIPBOARD, How.PASTE),
            }.get(kind, (ANN, How.TYPED))
            gone = doc.text[start : start + removed]
            if doc.record(start, removed, inserted, author, how) is None:
                continue
            ref.record(start, removed, inserted, how, None)
            undo.append((start, gone, inserted))
        redo.clear()
        check(doc, ref)
    check(doc, ref)
    doc.close()
    reopened = AuthoredDocument.open(store, doc.doc_id)
    check(reopened, ref)
    assert reopened.head_hash == doc.head_hash
    assert reopened.ledger.verify()
    store.close()
