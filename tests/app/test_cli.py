"""The `draftsmith` command's tools, run as a writer would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "coauthor" / "sessions"


def draftsmith(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DRAFTSMITH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_doctor_succeeds_with_the_bundled_model(draftsmith_home: Path) -> None:
    result = draftsmith("doctor", home=draftsmith_home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SmolLM2-135M-Instruct" in result.stdout
    assert "tokens/s" in result.stdout


def test_doctor_fails_plainly_on_a_bad_model(draftsmith_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model")
    result = draftsmith("doctor", "--model", str(bad), home=draftsmith_home)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_replay_coauthor_prints_json(draftsmith_home: Path) -> None:
    session = sorted(CORPUS.glob("*.jsonl.gz"))[0]
    result = draftsmith("replay-coauthor", str(session), "--json", "--labels", home=draftsmith_home)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["session_id"] == session.name.split(".")[0]
    assert set(summary["chars"]) == {"prompt", "human", "model"}
    assert 0 <= summary["human_share"] <= 1
    assert len(summary["labels"]) == sum(summary["chars"].values())
    assert set(summary["labels"]) <= {"p", "h", "m"}


def test_export_then_verify_and_catch_a_change(draftsmith_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "essay.md"
    source.write_text("# Essay\n\nA short text to export.\n", encoding="utf-8")
    out = tmp_path / "essay.html"
    result = draftsmith(
        "export", str(source), "--to", "html", "--out", str(out), home=draftsmith_home
    )
    assert result.returncode == 0, result.stderr
    verified = draftsmith("verify", str(out), home=draftsmith_home)
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout
    out.write_text(out.read_text(encoding="utf-8").replace("short", "shorn"), encoding="utf-8")
    tampered = draftsmith("verify", str(out), home=draftsmith_home)
    assert tampered.returncode == 1 and "MISMATCH" in tampered.stdout
