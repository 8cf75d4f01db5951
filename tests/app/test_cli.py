"""The `draftsmith` command's tools, run as a writer would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory.events import How
from memory.provenance import NoPdfRenderer, export
from memory.provenance.annotations import write_annotated_markdown
from tests.export.export_samples import ANA, SMOL, build_record

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


def module_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`python -m app.cli ...`, as a script rather than through `python -m app`."""
    env = {**os.environ, "DRAFTSMITH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _exported(tmp_path: Path, home: Path) -> Path:
    source = tmp_path / "essay.md"
    source.write_text("# Essay\n\nA short text to export.\n", encoding="utf-8")
    out = tmp_path / "essay.html"
    result = draftsmith("export", str(source), "--to", "html", "--out", str(out), home=home)
    assert result.returncode == 0, result.stderr
    return out


def test_python_m_app_cli_verify_works_like_draftsmith_verify(
    draftsmith_home: Path, tmp_path: Path
) -> None:
    out = _exported(tmp_path, draftsmith_home)
    as_module = module_cli("verify", str(out), home=draftsmith_home)
    as_tool = draftsmith("verify", str(out), home=draftsmith_home)
    assert as_module.returncode == as_tool.returncode == 0, as_module.stderr
    assert as_module.stdout == as_tool.stdout and as_module.stdout.startswith("OK")
    version = module_cli("--version", home=draftsmith_home)
    assert version.returncode == 0 and version.stdout.startswith("draftsmith ")


def test_export_and_verify_print_json(draftsmith_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "essay.md"
    source.write_text("A short text to export.\n", encoding="utf-8")
    out = tmp_path / "essay.md.html"
    exported = draftsmith(
        "export", str(source), "--to", "html", "--out", str(out), "--json", home=draftsmith_home
    )
    assert exported.returncode == 0, exported.stderr
    summary = json.loads(exported.stdout)
    assert summary["ok"] is True and summary["written"] == [str(out)]
    assert summary["problems"] == [] and summary["authorship"]["source"] == "imported"
    verified = json.loads(draftsmith("verify", str(out), "--json", home=draftsmith_home).stdout)
    assert verified["ok"] is True and verified["problems"] == []
    assert "text SHA-256" in verified["checked"] and verified["signer_fingerprint"]
    out.write_text(out.read_text(encoding="utf-8").replace("short", "shorn"), encoding="utf-8")
    tampered = draftsmith("verify", str(out), "--json", home=draftsmith_home)
    assert tampered.returncode == 1
    assert json.loads(tampered.stdout)["ok"] is False and json.loads(tampered.stdout)["problems"]


def _block_with_a_range_beyond_the_text(tmp_path: Path) -> Path:
    """A Markdown file whose block gives Ben a range past the end of the annotated text."""
    record = build_record([("Ana wrote this. ", ANA, How.TYPED), ("Model text.", SMOL, How.TYPED)])
    content = write_annotated_markdown(record).replace("&SmolLM2", "@Ben: 20,40  \n&SmolLM2")
    path = tmp_path / "beyond.md"
    path.write_text(content, encoding="utf-8")
    return path


def test_export_stops_on_a_block_that_needs_review(draftsmith_home: Path, tmp_path: Path) -> None:
    source = _block_with_a_range_beyond_the_text(tmp_path)
    out = tmp_path / "beyond.html"
    args = ("export", str(source), "--to", "html", "--out", str(out))
    result = draftsmith(*args, home=draftsmith_home)
    assert result.returncode == 3
    assert "Range 20,40 of @Ben lies outside the annotated text." in result.stderr
    assert "--authorship keep" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()

    kept = draftsmith(*args, "--authorship", "keep", home=draftsmith_home)
    assert kept.returncode == 0, kept.stderr
    assert "valid ranges of the file's authorship block were applied" in kept.stdout
    assert "1 range outside the text was left out" in kept.stdout
    assert verify_ok(out, draftsmith_home)
    page = out.read_text(encoding="utf-8")
    assert 'class="o-model"' in page and "Ben" not in page.split('id="draftsmith-source"')[0]

    ignored = draftsmith(*args, "--authorship", "ignore", "--json", home=draftsmith_home)
    assert ignored.returncode == 0, ignored.stderr
    summary = json.loads(ignored.stdout)
    assert summary["authorship"]["source"] == "imported"
    assert summary["authorship"]["choice"] == "ignore"
    assert summary["problems"] == ["Range 20,40 of @Ben lies outside the annotated text."]
    assert 'class="o-model"' not in out.read_text(encoding="utf-8")


def verify_ok(path: Path, home: Path) -> bool:
    return draftsmith("verify", str(path), home=home).returncode == 0


def test_pdf_without_a_renderer_is_refused_plainly(tmp_path: Path) -> None:
    record = build_record([("Text.", ANA, How.TYPED)])
    with pytest.raises(NoPdfRenderer, match="PDF renderer"):
        export(record, "pdf", tmp_path / "x.pdf", tmp_path / "keys")
    assert not (tmp_path / "x.pdf").exists()
