"""The structure the architecture promises: no import circles among first-party modules
(imports inside functions count), and the layer contract (also `make lint`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from tests.start_up_child import run_start

PACKAGES = ("app", "ui", "assistant", "memory", "resources")
ROOT = Path(__file__).resolve().parents[1]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if m.split(".")[0] in PACKAGES)
    edges = {
        m: sorted(
            n
            for n in graph.find_modules_directly_imported_by(m)
            if n.split(".")[0] in PACKAGES and n != m
        )
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, [])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, []))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circles_among_first_party_modules() -> None:
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert _cycles(graph) == []


def test_the_layer_contract_holds() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_start_up_and_the_cli_do_not_import_numpy_or_sqlite_utils(tmp_path: Path) -> None:
    """`import app.cli`, building the tool parser, and opening the window on a file (to its
    first paint) leave numpy, sqlite-utils and httpx2 unimported (0.2-0.3 s each; they
    load when the memory or a server first needs them, behind the window),
    and cryptography (signing, 50 ms, loaded by the first export) too;
    `tests/app/test_startup_open.py` checks more of the window's path.
    So does the very first start, which creates the library: its migrations are plain
    SQL on the connection (sqlite-utils and numpy cost the first start 0.1-0.15 s)."""
    draft = tmp_path / "draft.md"
    draft.write_text("The keeper climbed \u201cslowly\u201d \U0001f56f.\n", encoding="utf-8")
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "import app.cli\n"
        "app.cli._tool_parser()\n"
        "heavy = ('numpy', 'sqlite_utils', 'httpx2', 'cryptography')\n"
        "print('cli', sorted(m for m in heavy if m in sys.modules))\n"
        "from app.main import open_window\n"
        "qt, room = open_window(Path(sys.argv[1]), model_path=None, load_model=True)\n"
        "room.window.repaint()\n"
        "qt.processEvents()\n"
        "print('window', sorted(m for m in heavy if m in sys.modules), flush=True)\n"
        "room.shutdown()\n"
        "os._exit(0)\n"
    )
    home = tmp_path / "home"
    for start in ("the first start, creating the library", "a start like every later one"):
        stdout = run_start(code, draft, home)
        lines = [line for line in stdout.splitlines() if line.startswith(("cli", "window"))]
        assert lines == ["cli []", "window []"], (start, stdout)
