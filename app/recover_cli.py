"""`draftsmith recover`: unsaved work a crash left in the journal, without a window.

    draftsmith recover --list [--json]
    draftsmith recover ID --out FILE [--json]
    draftsmith recover ID --discard [--json]

`--list` shows every document whose journal holds work its file does not (as
`vim -r` does), untitled ones included; `--json` prints a list of objects with `id`,
`title`, `path` (or null), `first_line`, `saved_at` (ISO 8601, the last journaled
edit), `unsaved_characters` and `file_changed`. `ID` is an id from the list or a
unique start of one. `--out` writes the recovered text with its authorship block (a
Markdown file `draftsmith verify` and the window understand); `--discard` drops the
unsaved work, as the window's Discard does. A document open in a running Draftsmith
is left alone. Exit status: 0 done, 1 failed (unknown id, unusable database, open
elsewhere, unwritable file), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

RECOVER_COMMANDS = ("recover",)


def add_parsers(tools: Any) -> None:
    recover = tools.add_parser(
        "recover", help="list, write out or discard unsaved work left by a crash"
    )
    recover.add_argument("id", nargs="?", help="a document id from --list (or its start)")
    recover.add_argument("--list", action="store_true", help="list what can be recovered")
    recover.add_argument("--out", type=Path, help="write the recovered text to FILE")
    recover.add_argument("--discard", action="store_true", help="drop the unsaved work")
    recover.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from app import paths
    from memory.errors import DraftsmithError
    from memory.store import Store

    chosen = [bool(args.list), args.out is not None, bool(args.discard)]
    if sum(chosen) != 1 or args.list == bool(args.id):
        print(
            "draftsmith recover: use --list, or an ID with --out FILE or --discard",
            file=sys.stderr,
        )
        return 2
    try:
        store = Store(paths.database_path())
    except DraftsmithError as exc:
        print(f"draftsmith recover: {exc}", file=sys.stderr)
        return 1
    try:
        if args.list:
            return _list(store, as_json=args.json)
        return _one(store, args.id, args.out, discard=args.discard, as_json=args.json)
    except (DraftsmithError, OSError) as exc:
        print(f"draftsmith recover: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _list(store: Any, *, as_json: bool) -> int:
    from memory.recovery import recoverable_documents

    found = recoverable_documents(store)
    if as_json:
        print(json.dumps([item.to_json() for item in found], ensure_ascii=False))
        return 0
    if not found:
        print("Nothing to recover: every document's journal matches its last save.")
        return 0
    for item in found:
        fields = item.to_json()
        where = item.path or "(untitled)"
        print(f"{item.id}  {fields['saved_at']}  {item.unsaved_characters} unsaved  {where}")
        if item.first_line:
            print(f"    {item.first_line}")
        if item.file_changed:
            print("    the file also changed outside Draftsmith")
    return 0


def _one(store: Any, given: str, out: Path | None, *, discard: bool, as_json: bool) -> int:
    from app import paths
    from app.files import write_text_atomically
    from app.settings import Settings
    from app.version import app_version
    from memory import recovery
    from memory.document import AuthoredDocument
    from memory.events import Author, SourceKind
    from memory.provenance import record_for
    from memory.provenance.annotations import write_annotated_markdown

    def failed(message: str) -> int:
        print(f"draftsmith recover: {message}", file=sys.stderr)
        if as_json:
            print(json.dumps({"ok": False, "id": given, "problem": message}, ensure_ascii=False))
        return 1

    try:
        doc_id = recovery.resolve_id(store, given)
    except KeyError:
        return failed(f"no document {given!r} (see `draftsmith recover --list`)")
    if recovery.is_open_elsewhere(store, doc_id):
        return failed("that document is open in a running Draftsmith window; use it there")
    document = AuthoredDocument.open(store, doc_id)
    item = recovery.describe(store, doc_id)
    if discard:
        if not store.document_info(doc_id).has_unsaved_changes:
            return failed("that document has no unsaved work to discard")
        writer = Author(SourceKind.PERSON, Settings(paths.settings_path()).writer_name)
        recovery.discard(document, writer)
        result: dict[str, object] = {"ok": True, "id": doc_id, "discarded": True}
        message = f"Discarded the unsaved work of {item.title}."
    else:
        assert out is not None
        title = Path(item.path).stem if item.path else item.title
        write_text_atomically(
            out, write_annotated_markdown(record_for(document, title, app_version()))
        )
        result = {"ok": True, "id": doc_id, "written": str(out)}
        message = f"wrote {out}"
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(message)
    return 0
