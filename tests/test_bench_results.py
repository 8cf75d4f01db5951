"""`python -m benchmarks NAME...` folds the modules it measures into the last run's
results (`benchmarks.__main__.merged`) instead of replacing the whole file."""

from __future__ import annotations

from typing import Any

from benchmarks.__main__ import merged, table


def _target(name: str, value: float, module: str | None, command: str = "") -> dict[str, Any]:
    t: dict[str, Any] = {
        "name": name,
        "value": value,
        "unit": "ms",
        "target": "<= 50 ms",
        "peer": None,
        "peer_value": None,
        "ratio": None,
        "met": value <= 50,
        "command": command or f"make bench (benchmarks/{module}.py)",
    }
    if module is not None:
        t["module"] = module
    return t


def _whole_run() -> dict[str, Any]:
    return {
        "when": "2026-12-03 14:30:00",
        "wall_s": 590.0,
        "seconds": {"keystroke": 50.0, "recall": 48.0, "llama_bench": 265.0},
        "keystroke": {"keys": 600},
        "recall": {"items": 100_000},
        "llama_bench": {"threads": 2},
        "targets": [
            _target("keystroke p50", 3.0, "keystroke"),
            _target("keystroke p99", 5.0, "keystroke"),
            # a file from before targets were tagged: known by its name when measured again
            _target("recall p95", 60.0, None, "make bench (benchmarks/recall.py)"),
            _target("export 1 MB", 1.7, None, "draftsmith export FILE --to html --out OUT"),
            _target("generation", 99.0, "llama_bench"),
        ],
    }


def _rerun(**figures: Any) -> dict[str, Any]:
    return {"when": "2026-12-03 15:00:00", "wall_s": 50.0, **figures}


def test_a_rerun_replaces_only_its_modules() -> None:
    fresh = _rerun(
        seconds={"recall": 47.0},
        recall={"items": 100_000, "again": True},
        targets=[_target("recall p95", 14.0, "recall"), _target("recall first", 900.0, "recall")],
    )
    out = merged(_whole_run(), fresh, ["recall"])
    assert [t["name"] for t in out["targets"]] == [
        "keystroke p50",
        "keystroke p99",
        "recall p95",
        "recall first",
        "export 1 MB",
        "generation",
    ]
    assert [t["value"] for t in out["targets"] if t["name"].startswith("recall")] == [14.0, 900.0]
    assert out["recall"] == {"items": 100_000, "again": True}
    assert out["keystroke"] == {"keys": 600} and out["llama_bench"] == {"threads": 2}
    assert out["seconds"] == {"keystroke": 50.0, "recall": 47.0, "llama_bench": 265.0}
    assert (out["when"], out["wall_s"]) == ("2026-12-03 14:30:00", 590.0)
    assert out["reruns"] == [{"when": "2026-12-03 15:00:00", "modules": ["recall"]}]


def test_an_untagged_target_measured_again_is_replaced_by_name() -> None:
    fresh = _rerun(
        seconds={"cli_peers": 11.0},
        cli_peers={"bytes": 1_000_000},
        targets=[
            _target("export 1 MB", 1.4, "cli_peers", "draftsmith export FILE --to html --out OUT")
        ],
    )
    out = merged(_whole_run(), fresh, ["cli_peers"])
    assert [t["name"] for t in out["targets"]].count("export 1 MB") == 1
    assert next(t for t in out["targets"] if t["name"] == "export 1 MB")["value"] == 1.4


def test_a_module_new_to_the_file_goes_at_the_end_and_the_table_says_when() -> None:
    first = merged(
        _whole_run(),
        _rerun(seconds={"journal": 8.0}, journal={}, targets=[_target("flush", 1.0, "journal")]),
        ["journal"],
    )
    assert first["targets"][-1]["name"] == "flush"
    second = merged(
        first, _rerun(seconds={"keystroke": 40.0}, keystroke={}, targets=[]), ["keystroke"]
    )
    assert [t["name"] for t in second["targets"]][:2] == ["recall p95", "export 1 MB"]
    header = table(second["targets"], second["when"], second["wall_s"], second["reruns"])
    assert (
        "(2026-12-03 14:30:00, whole run 590 s; journal measured again at 2026-12-03 15:00:00; "
        "keystroke measured again at 2026-12-03 15:00:00)"
    ) in header
