"""The `draftsmith` command: open the window, or run one of the tools.

    draftsmith [FILE] [--model PATH.gguf]
    draftsmith doctor [--model PATH.gguf]
    draftsmith replay-coauthor SESSION.jsonl[.gz] [--json] [--labels]
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
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        args = _tool_parser().parse_args(argv)
        if args.command == "doctor":
            return _doctor(args.model)
        if args.command == "replay-coauthor":
            return _replay(args.session, as_json=args.json, labels=args.labels)
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
