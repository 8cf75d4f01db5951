"""The `draftsmith` command: open the window, or run one of the tools.

    draftsmith [FILE] [--model PATH.gguf]
    draftsmith doctor [--model PATH.gguf] | [--server URL --server-model NAME]
    draftsmith models [--json]
    draftsmith replay-coauthor SESSION.jsonl[.gz] [--json] [--labels]
    draftsmith export FILE --to FORMAT --out PATH [--authorship keep|ignore] [--json]
    draftsmith verify FILE [--json]
    draftsmith brainstorm FILE --kind next|titles|names|arguments|questions [--about TEXT]
    [--json]
    draftsmith bench suggestions [--json] [--contexts N]
    draftsmith recover --list [--json] | ID --out FILE | ID --discard
    draftsmith --version

Exit status: 0 done, 1 failed (or, for verify, a mismatch), 2 bad arguments, 3 the
file's authorship block needs the writer's decision (`--authorship keep` applies its
valid ranges, `--authorship ignore` treats its text as imported), 4 (verify) the file
carries nothing to check it against.

Nothing heavy (llama_cpp, torch, sentence-transformers) is imported here, so the
window appears at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cowriter_cli import COWRITER_COMMANDS
from app.cowriter_cli import add_parsers as add_cowriter_parsers
from app.cowriter_cli import handles as cowriter_handles
from app.memory_cli import MEMORY_COMMANDS
from app.memory_cli import add_parsers as add_memory_parsers
from app.models_cli import MODELS_COMMANDS
from app.models_cli import add_parsers as add_models_parsers
from app.recover_cli import RECOVER_COMMANDS
from app.recover_cli import add_parsers as add_recover_parsers
from app.version import app_version

if TYPE_CHECKING:
    from memory.provenance.trust import BlockChoice

COMMANDS = (
    "doctor",
    "replay-coauthor",
    "export",
    "verify",
    *MEMORY_COMMANDS,
    *COWRITER_COMMANDS,
    *MODELS_COMMANDS,
    *RECOVER_COMMANDS,
    "project",
    "manuscript",
)
EXPORT_FORMATS = ("markdown", "html", "pdf", "report-html", "report-pdf", "prov")
#: The exit status of a command stopped because the writer must decide about a block.
NEEDS_DECISION = 3
#: `verify`'s exit status for a file that carries nothing to check (not a change).
CANNOT_CHECK = 4
VERIFY_EPILOG = (
    "exit status: 0 the file matches its signed account; 1 it does not (something changed "
    "since it was signed, or the signature is not valid); 4 it cannot be checked: it "
    "carries nothing to check it against (a provenance report, a PDF, a Markdown file "
    "without its FILE.manifest.json); 2 bad arguments."
)


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="draftsmith",
        description="A private writing room with a local co-writer. "
        f"Tools: {', '.join(COMMANDS)} (see `draftsmith TOOL --help`).",
    )
    parser.add_argument(
        "file", nargs="?", type=Path, help="a Markdown or text file, or a project folder, to open"
    )
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
    from app.models_cli import add_doctor_arguments

    add_doctor_arguments(doctor)
    replay = tools.add_parser(
        "replay-coauthor", help="replay a CoAuthor session through the authorship engine"
    )
    replay.add_argument("session", type=Path)
    replay.add_argument("--json", action="store_true", help="print a JSON object")
    replay.add_argument("--labels", action="store_true", help="include one label per character")
    export = tools.add_parser(
        "export", help="export a document, or a project folder's chapters, with authorship"
    )
    export.add_argument("file", type=Path, help="a document, or a project folder")
    export.add_argument(
        "--to",
        required=True,
        dest="fmt",
        choices=EXPORT_FORMATS,
    )
    export.add_argument("--out", required=True, type=Path)
    export.add_argument(
        "--authorship",
        choices=("ask", "keep", "ignore"),
        default="ask",
        help="for a file whose authorship block needs review: keep its valid ranges (the "
        "rest is imported text) or ignore it (all imported); by default, stop (status 3)",
    )
    export.add_argument("--json", action="store_true", help="print a JSON object")
    verify = tools.add_parser(
        "verify", help="check an export against its signed manifest", epilog=VERIFY_EPILOG
    )
    verify.add_argument("file", type=Path)
    verify.add_argument("--json", action="store_true", help="print a JSON object")
    add_memory_parsers(tools)
    add_cowriter_parsers(tools)
    add_models_parsers(tools)
    add_recover_parsers(tools)
    from app.project_cli import add_parsers as add_project_parsers

    add_project_parsers(tools)
    from app.manuscript_cli import add_parsers as add_manuscript_parsers

    add_manuscript_parsers(tools)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        args = _tool_parser().parse_args(argv)
        if args.command == "doctor":
            from app.models_cli import run_server_doctor

            server_status = run_server_doctor(args)
            return _doctor(args.model) if server_status is None else server_status
        if args.command in MODELS_COMMANDS:
            from app.models_cli import run as run_models_command

            return run_models_command(args)
        if args.command in RECOVER_COMMANDS:
            from app.recover_cli import run as run_recover_command

            return run_recover_command(args)
        if args.command == "replay-coauthor":
            return _replay(args.session, as_json=args.json, labels=args.labels)
        if args.command == "manuscript":
            from app.manuscript_cli import run as run_manuscript

            return run_manuscript(args)
        if args.command == "project":
            from app.project_cli import list_chapters

            return list_chapters(args.folder, as_json=args.json)
        if args.command == "export" and args.file.is_dir():
            from app.project_cli import export_folder

            return export_folder(args.file, args.fmt, args.out, args.authorship, as_json=args.json)
        if args.command == "export":
            from memory.provenance.trust import BlockChoice

            choice = BlockChoice(args.authorship)
            return _export(args.file, args.fmt, args.out, choice, as_json=args.json)
        if args.command == "verify":
            return _verify(args.file, as_json=args.json)
        if cowriter_handles(args):
            from app.cowriter_cli import run as run_cowriter_command

            return run_cowriter_command(args)
        if args.command in MEMORY_COMMANDS:
            from app.memory_cli import run as run_memory_command

            return run_memory_command(args)
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


def _export(file: Path, fmt: str, out: Path, choice: BlockChoice, *, as_json: bool) -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app import paths
    from app.export import export
    from app.files import read_text
    from memory.errors import DraftsmithError
    from memory.provenance.trust import file_authorship
    from memory.store import Store

    def failed(message: str, authorship: dict[str, object] | None = None) -> int:
        print(f"draftsmith: could not export {file}: {message}", file=sys.stderr)
        if as_json:
            _print_json(
                {"ok": False, "written": [], "problems": [message], "authorship": authorship}
            )
        return 1

    try:
        content = [read_text(file)]  # handed over below, not kept: a long text is not held twice
        try:
            store: Store | None = Store(paths.database_path())
        except DraftsmithError as unusable:
            store = None  # no ledger to consult: the file speaks for itself
            print(
                f"draftsmith: note: {unusable} The export uses only what {file.name} itself "
                "says about its authorship.",
                file=sys.stderr,
            )
        try:
            found = file_authorship(
                file, content.pop(), store, app_version=app_version(), choice=choice
            )
        finally:
            if store is not None:
                store.close()
    except (DraftsmithError, OSError, ValueError) as exc:
        return failed(str(exc))
    decision = found.decision
    if found.record is None:
        print(
            f"draftsmith: {file.name} has an authorship block that needs your review, "
            "so it was not exported:",
            file=sys.stderr,
        )
        for problem in decision.problems:
            print(f"  {problem}", file=sys.stderr)
        print(
            "Run again with --authorship keep to apply its valid ranges (the rest is "
            "imported text), or --authorship ignore to treat all of it as imported.",
            file=sys.stderr,
        )
        if as_json:
            _print_json(
                {
                    "ok": False,
                    "written": [],
                    "problems": list(decision.problems),
                    "authorship": decision.to_json(),
                }
            )
        return NEEDS_DECISION
    try:
        written = export(found.record, fmt, out, paths.keys_dir())
    except (DraftsmithError, OSError, ValueError) as exc:
        return failed(str(exc), decision.to_json())
    if as_json:
        _print_json(
            {
                "ok": True,
                "written": [str(path) for path in written],
                "problems": list(decision.problems),
                "authorship": decision.to_json(),
            }
        )
        return 0
    for note in decision.notes:
        print(f"authorship: {note}")
    for path in written:
        print(f"wrote {path}")
    return 0


def _verify(file: Path, *, as_json: bool) -> int:
    from memory.provenance import verify_file

    result = verify_file(file)
    status = {"ok": 0, "mismatch": 1, "cannot-check": CANNOT_CHECK}[result.status]
    if as_json:
        _print_json(
            {
                "file": str(file),
                "ok": result.ok,
                "status": result.status,
                "signer_fingerprint": result.signer_fingerprint,
                "checked": result.checked,
                "problems": result.problems,
            }
        )
        return status
    if result.ok:
        print(f"OK: {file.name} matches its signed authorship account.")
        if result.signer_fingerprint:
            print(f"Signed by key {result.signer_fingerprint}.")
    elif result.checkable:
        print(f"MISMATCH: {file.name} does not match its authorship account.")
    else:
        print(f"CANNOT BE CHECKED: {file.name} carries nothing to check it against.")
    for line in result.checked:
        print(f"  checked: {line}")
    for problem in result.problems:
        print(f"  problem: {problem}")
    return status


def _print_json(value: dict[str, object]) -> None:
    print(json.dumps(value, ensure_ascii=False))


if __name__ == "__main__":
    raise SystemExit(main())
