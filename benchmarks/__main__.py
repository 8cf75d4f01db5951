"""`make bench`: run every benchmark, record the figures and the targets, regenerate the
table in docs/performance.md.

Each module's `run()` returns its figures; a module that compares with a peer or a goal
adds a list `targets` (see `benchmarks.stats.target`). All targets are gathered into
`benchmarks/results/latest.json` (`targets`), and the table between the marker comments
in `docs/performance.md` is rewritten from them. `python -m benchmarks keystroke export`
runs only the named modules and folds them into the last run's file (`merged`): their
figures and targets replace the ones they had, every other module's stay, and the run is
listed under `reruns`; the table says which modules were measured again, and when.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

# In the order they run; llama_bench last, since it may have to build llama-bench first.
MODULES = (
    "keystroke",
    "startup",
    "authorship",
    "export",
    "gui_stalls",
    "cli_peers",
    "assistant",
    "suggestion_latency",
    "recall",
    "rss",
    "big_files",
    "llama_bench",
)
OPTIONAL = ("journal",)  # run when present (another area's benchmark)
ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START = "<!-- bench:targets:start (written by make bench; do not edit by hand) -->"
END = "<!-- bench:targets:end -->"


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def table(
    targets: list[dict[str, Any]],
    when: str,
    wall_s: float,
    reruns: list[dict[str, Any]] | None = None,
) -> str:
    again = "".join(
        f"; {', '.join(r['modules'])} measured again at {r['when']}" for r in reruns or []
    )
    lines = [
        START,
        f"Generated from `benchmarks/results/latest.json` ({when}, whole run {wall_s:.0f} s"
        f"{again}).",
        "",
        "| figure | value | target | peer | peer value | ratio | met | command |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in targets:
        ratio = "-" if t["ratio"] is None else f"{t['ratio']:.2f}×"
        lines.append(
            f"| {t['name']} | {_number(t['value'])} {t['unit']} | {t['target']} | "
            f"{t['peer'] or '-'} | {_number(t['peer_value'])} | {ratio} | "
            f"{'yes' if t['met'] else '**no**'} | `{t['command']}` |"
        )
    lines.append(END)
    return "\n".join(lines)


def write_table(text: str, doc: Path = DOC) -> None:
    content = doc.read_text(encoding="utf-8")
    if START in content and END in content:
        before = content[: content.index(START)]
        after = content[content.index(END) + len(END) :]
        content = before + text + after
    else:
        content = content.rstrip() + "\n\n## Targets (`make bench`)\n\n" + text + "\n"
    doc.write_text(content, encoding="utf-8")


def merged(previous: dict[str, Any], fresh: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The last run's results with the modules `names` measured again in `fresh`: their
    figures, seconds and targets replace the ones they had (each target where the
    module's were, a new module's at the end); every other module's stay as they were,
    and `reruns` says which modules were measured again, and when."""
    out = dict(previous)
    for name in names:
        out[name] = fresh[name]
    out["seconds"] = {**previous.get("seconds", {}), **fresh["seconds"]}
    out["reruns"] = [*previous.get("reruns", []), {"when": fresh["when"], "modules": names}]
    measured_again = {t["name"]: t["module"] for t in fresh["targets"]}
    targets: list[dict[str, Any]] = []
    placed: set[str] = set()
    for old in previous.get("targets", []):
        # a target measured again is known by its name (files before `module` was kept)
        module = measured_again.get(old["name"]) or old.get("module", "")
        if module not in names:
            targets.append(old)
        elif module not in placed:
            targets.extend(t for t in fresh["targets"] if t["module"] == module)
            placed.add(module)
    targets.extend(t for t in fresh["targets"] if t["module"] not in placed)
    out["targets"] = targets
    return out


def _previous(path: Path) -> dict[str, Any] | None:
    """The results file of the last run, or None when there is none to fold into."""
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return previous if isinstance(previous, dict) and "targets" in previous else None


def _run_alone(name: str) -> Any:
    """One module's figures, measured in a process of its own (see `benchmarks._one`)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "figures.json"
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks._one", name, str(out)], cwd=ROOT, check=False
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"benchmarks.{name} exited with status {done.returncode}")
        return json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    here = Path(__file__).parent
    named = sys.argv[1:]
    only = named or [
        *MODULES[:-1],
        *(name for name in OPTIONAL if (here / f"{name}.py").exists()),
        MODULES[-1],
    ]
    began = time.perf_counter()
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "seconds": {},
    }
    targets: list[dict[str, Any]] = []
    failed = False
    for name in only:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            figures = _run_alone(name)
            found = figures.pop("targets", []) if isinstance(figures, dict) else []
            targets.extend({**t, "module": name} for t in found)
            results[name] = figures
        except Exception:  # noqa: BLE001 - report every benchmark, then fail
            traceback.print_exc()
            results[name] = {"error": traceback.format_exc(limit=3)}
            failed = True
        results["seconds"][name] = round(time.perf_counter() - started, 1)
        print(json.dumps(results[name], indent=2), flush=True)
    wall = time.perf_counter() - began
    results["wall_s"] = round(wall, 1)
    results["targets"] = targets
    out = here / "results" / "latest.json"
    previous = _previous(out) if named else None
    if previous is not None:  # some modules again: the others' figures stay
        results = merged(previous, results, only)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_table(
        table(results["targets"], results["when"], results["wall_s"], results.get("reruns"))
    )
    print(f"written to {out} and {DOC} ({wall:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
