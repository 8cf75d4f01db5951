"""`draftsmith export FOLDER --to FORMAT`: a whole project as one file with provenance,
and `draftsmith project FOLDER [--json]`: its chapters in order."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.version import app_version

NEEDS_DECISION = 3  # as `draftsmith export FILE`: a block awaits the writer's review


def add_parsers(tools: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    project = tools.add_parser("project", help="list a project folder's chapters in order")
    project.add_argument("folder", type=Path)
    project.add_argument("--json", action="store_true", help="print JSON")


def list_chapters(folder: Path, *, as_json: bool) -> int:
    from app.project import Project
    from memory.errors import DraftsmithError

    try:
        project = Project.open(folder)
    except DraftsmithError as exc:
        print(f"draftsmith: {exc}", file=sys.stderr)
        return 1
    if as_json:
        chapters = [{"name": p.name, "path": str(p)} for p in project]
        print(json.dumps({"title": project.title, "chapters": chapters}, indent=2))
        return 0
    print(project.title)
    for n, chapter in enumerate(project, start=1):
        print(f"{n:3d}. {chapter.name}")
    return 0


def export_folder(folder: Path, fmt: str, out: Path, choice: str, *, as_json: bool) -> int:
    """Export every chapter of the project at `folder` as one `fmt` file at `out`."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app import paths
    from app.export import export
    from app.project import Project, project_record
    from memory.errors import DraftsmithError
    from memory.provenance.trust import BlockChoice
    from memory.store import Store

    def report(ok: bool, written: list[Path], problems: list[str]) -> None:
        if as_json:
            print(
                json.dumps(
                    {"ok": ok, "written": [str(p) for p in written], "problems": problems},
                    indent=2,
                )
            )

    try:
        project = Project.open(folder)
        try:
            store: Store | None = Store(paths.database_path())
        except DraftsmithError:
            store = None
        try:
            found = project_record(
                project, store, app_version=app_version(), choice=BlockChoice(choice)
            )
        finally:
            if store is not None:
                store.close()
        if found.record is None:
            problems = [f"{name}: {p}" for name, items in found.needs_review for p in items]
            print(
                f"draftsmith: {len(found.needs_review)} chapter(s) of {project.title} have an "
                "authorship block that needs your review, so nothing was exported:",
                file=sys.stderr,
            )
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            print("Run again with --authorship keep or --authorship ignore.", file=sys.stderr)
            report(False, [], problems)
            return NEEDS_DECISION
        written = export(found.record, fmt, out, paths.keys_dir())
    except (DraftsmithError, OSError, ValueError) as exc:
        print(f"draftsmith: could not export {folder}: {exc}", file=sys.stderr)
        report(False, [], [str(exc)])
        return 1
    report(True, written, list(found.notes))
    if not as_json:
        for note in found.notes:
            print(f"authorship: {note}")
        for path in written:
            print(f"wrote {path}")
    return 0
