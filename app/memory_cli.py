"""The memory tools of the `draftsmith` command.

    draftsmith memory list [--json]
    draftsmith memory add TEXT [--kind K] [--scope S] [--name NAME] [--keywords A,B]
    draftsmith memory forget ID | --all
    draftsmith memory export FILE
    draftsmith stats [--json]
    draftsmith bench personalization --corpus DIR [--json] [--sessions N]

Imports of the memory engine (numpy, sqlite-utils) happen inside the commands, so
`app.cli` stays light.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

MEMORY_COMMANDS = ("memory", "stats", "bench")


def add_parsers(tools: Any) -> None:
    """Add `memory`, `stats` and `bench` to the tool subparsers of `app.cli`."""
    from memory.memory_kinds import KINDS, SCOPES  # not memory.memories: no numpy here

    memory = tools.add_parser("memory", help="list, add, forget or export what was learned")
    actions = memory.add_subparsers(dest="memory_command", required=True)
    listing = actions.add_parser("list", help="everything remembered, with its evidence")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    add = actions.add_parser("add", help="remember something")
    add.add_argument("text")
    add.add_argument("--kind", choices=KINDS, default="note")
    add.add_argument("--scope", choices=SCOPES, default="everywhere")
    add.add_argument("--scope-ref", default="", help="the project folder or document id")
    add.add_argument("--name", default="", help="a name that recalls it (lorebook style)")
    add.add_argument("--keywords", default="", help="comma-separated words that recall it")
    add.add_argument("--pin", action="store_true", help="put it in every prompt")
    forget = actions.add_parser("forget", help="forget one memory, or everything")
    forget.add_argument("id", nargs="?", type=int)
    forget.add_argument("--all", action="store_true", help="forget everything learned")
    export = actions.add_parser("export", help="write everything remembered as JSON")
    export.add_argument("file", type=Path)
    stats = tools.add_parser("stats", help="how often suggestions were kept, over time")
    stats.add_argument("--json", action="store_true", help="print a JSON object")
    bench = tools.add_parser("bench", help="benchmarks")
    which = bench.add_subparsers(dest="bench_command", required=True)
    personal = which.add_parser(
        "personalization", help="rank CoAuthor suggestions with each writer's memory"
    )
    personal.add_argument("--corpus", required=True, type=Path)
    personal.add_argument("--json", action="store_true", help="print a JSON object")
    personal.add_argument("--sessions", type=int, help="stop after this many sessions")


def run(args: argparse.Namespace) -> int:
    """Run a memory, stats or bench command; the exit status."""
    if args.command == "bench":
        return _bench(args.corpus, as_json=args.json, sessions=args.sessions)
    from app import paths
    from memory.errors import DraftsmithError
    from memory.memories import MemoryStore

    try:
        paths.database_path().parent.mkdir(parents=True, exist_ok=True)
        store = MemoryStore(paths.database_path())
    except (DraftsmithError, OSError) as exc:
        print(f"draftsmith: the memory cannot be opened: {exc}", file=sys.stderr)
        return 1
    try:
        if args.command == "stats":
            return _stats(store, as_json=args.json)
        return _memory(store, args)
    except (DraftsmithError, OSError) as exc:
        print(f"draftsmith: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _memory(store: Any, args: argparse.Namespace) -> int:
    command = args.memory_command
    if command == "list":
        items = [store.get(m.id) for m in store.memories(status=None)]
        if args.json:
            print(json.dumps([m.to_json() for m in items], ensure_ascii=False))
            return 0
        if not items:
            print("Nothing remembered yet.")
        for m in items:
            flags = "".join(
                [" pinned" if m.pinned else "", f" {m.status}" if m.status != "active" else ""]
            )
            scope = m.scope if not m.scope_ref else f"{m.scope} {m.scope_ref}"
            print(f"{m.id:>5}  {m.kind:<9} [{scope}]{flags}  {m.label}")
            for ev in m.evidence:
                print(f"       evidence: {_evidence(ev)}")
            for change in m.history:
                print(f"       was ({change.reason}): {change.text}")
        return 0
    if command == "add":
        try:
            memory = store.add(
                args.text,
                args.kind,
                name=args.name,
                keywords=args.keywords,
                scope=args.scope,
                scope_ref=args.scope_ref,
                pinned=args.pin,
            )
        except ValueError as exc:
            print(f"draftsmith: {exc}", file=sys.stderr)
            return 2
        print(f"remembered {memory.id}: {memory.label}")
        return 0
    if command == "forget":
        if args.all:
            store.forget_all()
            print("Forgot everything: memories, feedback and voice samples.")
            return 0
        if args.id is None:
            print("draftsmith: give a memory ID, or --all", file=sys.stderr)
            return 2
        try:
            store.forget(args.id)
        except KeyError:
            print(f"draftsmith: there is no memory {args.id}", file=sys.stderr)
            return 1
        print(f"forgot {args.id}")
        return 0
    if command == "export":
        from app.files import write_text_atomically

        data = store.export()
        write_text_atomically(args.file, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        print(f"wrote {args.file} ({len(data['memories'])} memories)")
        return 0
    return 2


def _evidence(ev: dict[str, Any]) -> str:
    kind = ev.get("kind", "")
    if kind == "typed":
        return "typed by the writer"
    if kind == "span":
        return f"text in {ev.get('doc', '')} at {ev.get('start')}–{ev.get('end')}"
    if kind == "suggestions":
        return f"refused {ev.get('refused', '?')} times in suggestions"
    return json.dumps(ev, ensure_ascii=False)


def _stats(store: Any, *, as_json: bool) -> int:
    from memory.feedback import stats

    summary = stats(store)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(
        f"{summary['suggestions']} suggestions shown, {summary['kept']} kept "
        f"({summary['acceptance_rate']:.0%})."
    )
    for period in summary["periods"]:
        print(
            f"  {period['start']}: {period['kept']}/{period['shown']} kept "
            f"({period['acceptance_rate']:.0%})"
        )
    rewritten = summary["rewritten"]
    if rewritten["measured"]:
        print(
            f"Of {rewritten['measured']} kept suggestions measured, {rewritten['rewritten']} "
            f"were rewritten later: {rewritten['changed_chars']} of their "
            f"{rewritten['model_chars']} characters changed ({rewritten['changed_share']:.0%})."
        )
    return 0


def _bench(corpus: Path, *, as_json: bool, sessions: int | None) -> int:
    if not (corpus / "metadata.csv").is_file() or not (corpus / "sessions").is_dir():
        print(f"draftsmith: {corpus} needs a metadata.csv and a sessions/ folder", file=sys.stderr)
        return 2
    import numpy as np

    from memory.embedder import Embedder, EmbedderError
    from memory.personalization_bench import METHODS, run_benchmark

    embedder = Embedder()

    def embed(texts: Any) -> Any:
        return np.asarray(embedder.embed(list(texts)), dtype=np.float32)

    def progress(line: str) -> None:
        print(line, file=sys.stderr)

    try:
        result = run_benchmark(corpus, embed, max_sessions=sessions, progress=progress)
    except EmbedderError as exc:
        print(f"draftsmith: {exc}", file=sys.stderr)
        return 1
    finally:
        embedder.close()
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{result['sessions']} sessions, {result['picks']} picks, {result['seconds']} s")
    for writer, figures in [*result["writers"].items(), ("overall", result["overall"])]:
        line = "  ".join(
            f"{m} top1 {figures[m]['top1']:.3f} mrr {figures[m]['mrr']:.3f}" for m in METHODS
        )
        print(f"{writer:<10} {line}")
    return 0
