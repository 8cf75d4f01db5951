"""Run every benchmark and record the figures (summarised by hand in docs/performance.md)."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

MODULES = ("assistant", "authorship", "editor", "export")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    only = sys.argv[1:] or list(MODULES)
    results: dict[str, object] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    failed = False
    for name in only:
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            results[name] = module.run()
        except Exception:  # noqa: BLE001 - report every benchmark, then fail
            traceback.print_exc()
            results[name] = {"error": traceback.format_exc(limit=3)}
            failed = True
        print(json.dumps(results[name], indent=2), flush=True)
    out = Path(__file__).parent / "results" / "latest.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
