"""The `draftsmith` command: open the window, or run one of the tools.

    draftsmith [FILE] [--model PATH.gguf]
    draftsmith doctor [--model PATH.gguf]
    draftsmith replay-coauthor SESSION.jsonl[.gz] [--json] [--labels]
    draftsmith export FILE --to FORMAT --out PATH
    draftsmith verify FILE
    draftsmith --version

Nothing heavy (llama_cpp, torch, sentence-transformers) is imported here, so the
window appears at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

COMMANDS = ("doctor", "replay-coauthor", "export", "verify")


def app_version() -> str:
    try:
        return version("draftsmith")
    except PackageNotFoundError:
        return "0+unknown"


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="draftsmith",
        description="A private writing room with a local co-writer. "
        f"Tools: {', '.join(COMMANDS)} (see `draftsmith TOOL --help`).",
    )
    parser.add_argument("file", nargs="?", type=Path, help="a Markdown or text file to open")
    parser.add_argument("--model", type=Path, help="a GGUF model file to use")
    parser.add_argument("--no-model", action="store_true", help="start without loading a model")
    parser.add_argument("--version", action="version", version=f"draftsmith {app_version()}")
    return parser


def _tool_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="draftsmith")
    parser.add_argument("--version", action="version", version=f"draftsmith {app_version()}")
    tools = parser.add_subparsers(dest="command", required=True)
    doctor = tools.add_parser("doctor", help="check the installation, the model and the embedder")
    doctor.add_argument("--model", type=Path, help="a GGUF model file to check instead")
    replay = tools.add_parser(
        "replay-coauthor", help="replay a CoAuthor session through the authorship engine"
    )
    replay.add_argument("session", type=Path)
    replay.add_argument("--json", action="store_true", help="print a JSON object")
    replay.add_argument("--labels", action="store_true", help="include one label per character")
    export = tools.add_parser("export", help="export a document with its authorship")
    export.add_argument("file", type=Path)
    export.add_argument(
        "--to",
        required=True,
        dest="fmt",
        choices=("markdown", "html", "pdf", "report-html", "report-pdf", "prov"),
    )
    export.add_argument("--out", required=True, type=Path)
    verify = tools.add_parser("verify", help="check an export against its signed manifest")
    verify.add_argument("file", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        args = _tool_parser().parse_args(argv)
        if args.command == "doctor":
            return _doctor(args.model)
        if args.command == "replay-coauthor":
            return _replay(args.session, as_json=args.json, labels=args.labels)
        if args.command == "export":
            return _export(args.file, args.fmt, args.out)
        if args.command == "verify":
            return _verify(args.file)
        return 2
    args = _window_parser().parse_args(argv)
    from app.main import run_window

    return run_window(args.file, model_path=args.model, load_model=not args.no_model)


def _doctor(model: Path | None) -> int:
    from app import paths
    from app.doctor import run_doctor

    return run_doctor(model, paths.data_dir(), sys.stdout)


def _replay(session: Path, *, as_json: bool, labels: bool) -> int:
    from memory.coauthor import replay_session

    try:
        result = replay_session(session)
    except (OSError, ValueError) as exc:
        print(f"draftsmith: could not replay {session}: {exc}", file=sys.stderr)
        return 1
    summary = result.to_json(with_labels=labels)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            if key != "labels":
                print(f"{key}: {value}")
        if labels:
            print(f"labels: {summary['labels']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _export(file: Path, fmt: str, out: Path) -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app import paths
    from app.export import export
    from app.files import FileProblem
    from app.provenance import record_for_file

    try:
        record = record_for_file(file)
        written = export(record, fmt, out, paths.keys_dir())
    except (FileProblem, OSError, ValueError) as exc:
        print(f"draftsmith: could not export {file}: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


def _verify(file: Path) -> int:
    from app.export import verify_file

    result = verify_file(file)
    if result.ok:
        print(f"OK: {file.name} matches its signed authorship account.")
        if result.signer_fingerprint:
            print(f"Signed by key {result.signer_fingerprint}.")
    else:
        print(f"MISMATCH: {file.name} does not match its authorship account.")
    for line in result.checked:
        print(f"  checked: {line}")
    for problem in result.problems:
        print(f"  problem: {problem}")
    return 0 if result.ok else 1
