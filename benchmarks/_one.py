"""Run one benchmark module in its own process: `python -m benchmarks._one NAME OUT.json`.

`make bench` runs every module this way, so that one module's windows, threads and Qt
application never affect the next one's figures, and a crash in one (a segfault in Qt,
say) is reported and the others still run."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main() -> int:
    name, out = sys.argv[1], Path(sys.argv[2])
    module = importlib.import_module(f"benchmarks.{name}")
    figures = module.run()
    out.write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
