"""export() then verify_file(): every format, and every kind of tampering."""

from __future__ import annotations

import json

import pytest
from export_samples import ANA, SMOL, build_record

from memory.events import How
from memory.origins import vocabulary
from memory.provenance import FORMATS, export, verify_file
from memory.provenance.manifest import canonical_json
from memory.provenance.signing import load_or_create_key_in


@pytest.fixture
def keys(tmp_path):
    return tmp_path / "keys"


def test_markdown_export_verifies_with_its_sidecar(essay, tmp_path, keys):
    progress: list[float] = []
    written = export(essay, "markdown", tmp_path / "essay.md", keys, progress.append)
    assert [p.name for p in written] == ["essay.md", "essay.md.manifest.json"]
    assert progress[0] == 0.0 and progress[-1] == 1.0
    result = verify_file(tmp_path / "essay.md")
    assert result.ok, result.problems
    assert "authorship block against the manifest" in result.checked


def _exported_markdown(essay, tmp_path, keys):
    export(essay, "markdown", tmp_path / "essay.md", keys)
    path = tmp_path / "essay.md"
    return path, path.read_text(encoding="utf-8")


def test_markdown_one_changed_character_fails(essay, tmp_path, keys):
    path, content = _exported_markdown(essay, tmp_path, keys)
    path.write_text(content.replace("river", "rivet", 1), encoding="utf-8")
    result = verify_file(path)
    assert not result.ok
    assert any("character" in p for p in result.problems)


def test_markdown_one_changed_range_fails(essay, tmp_path, keys):
    path, content = _exported_markdown(essay, tmp_path, keys)
    lines = content.split("\n")
    n = next(i for i, line in enumerate(lines) if line.startswith("&SmolLM2"))
    first = lines[n].split(": ", 1)[1].split()[0]
    start, length = first.split(",")
    lines[n] = lines[n].replace(first, f"{start},{int(length) + 1}", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    result = verify_file(path)
    assert not result.ok
    assert any("ranges for &SmolLM2" in p for p in result.problems)


def test_markdown_swapped_author_fails(essay, tmp_path, keys):
    path, content = _exported_markdown(essay, tmp_path, keys)
    content = content.replace("@Ana Lima:", "@Ben Okafor:")
    path.write_text(content, encoding="utf-8")
    result = verify_file(path)
    assert not result.ok
    assert any("Ben Okafor" in p for p in result.problems)


def test_markdown_forged_signature_fails(essay, tmp_path, keys):
    path, content = _exported_markdown(essay, tmp_path, keys)
    sidecar = tmp_path / "essay.md.manifest.json"
    manifest = json.loads(sidecar.read_text())
    # Mallory claims the model's text as Ana's, in block and manifest, and signs with her key.
    manifest["signature"] = load_or_create_key_in(tmp_path / "mallory").sign(b"forged")
    sidecar.write_text(json.dumps(manifest))
    result = verify_file(path)
    assert not result.ok
    assert any("signature" in p for p in result.problems)


def test_markdown_without_sidecar_is_not_a_pass(essay, tmp_path, keys):
    path, _ = _exported_markdown(essay, tmp_path, keys)
    (tmp_path / "essay.md.manifest.json").unlink()
    result = verify_file(path)
    assert not result.ok and result.checked == ["annotation hash"]
    assert any("No signed manifest" in p for p in result.problems)


def test_html_export_verifies(essay, tmp_path, keys):
    export(essay, "html", tmp_path / "essay.html", keys)
    result = verify_file(tmp_path / "essay.html")
    assert result.ok, result.problems


def _exported_html(essay, tmp_path, keys):
    path = tmp_path / "essay.html"
    export(essay, "html", path, keys)
    return path, path.read_text(encoding="utf-8")


def test_html_changed_visible_character_fails(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    path.write_text(content.replace(">ran quietly", ">ran quietlx", 1), encoding="utf-8")
    result = verify_file(path)
    assert not result.ok and "text was changed" in result.problems[0]


def test_html_changed_source_character_fails(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    head, source = content.split('id="draftsmith-source">')
    path.write_text(head + 'id="draftsmith-source">' + source.replace("river", "rivet"))
    result = verify_file(path)
    assert not result.ok and any("character" in p for p in result.problems)


def test_html_changed_origin_fails(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    tampered = content.replace('<span class="o-model" title', '<span class="o-human" title', 1)
    path.write_text(tampered, encoding="utf-8")
    result = verify_file(path)
    assert not result.ok and "origin" in result.problems[0]


def test_html_changed_summary_fails(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    path.write_text(
        content.replace(
            'class="sharebar"><span style="width:',
            'class="sharebar"><span style="width:1',
        )
    )
    result = verify_file(path)
    assert not result.ok and "summary" in result.problems[0]


def test_html_changed_colours_fail(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    model = vocabulary()["model"].light.background
    assert f".o-model{{background:{model}" in content
    path.write_text(content.replace(f".o-model{{background:{model}", ".o-model{background:#ffffff"))
    result = verify_file(path)
    assert not result.ok and "styles" in result.problems[0]


def test_html_swapped_author_fails(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    path.write_text(content.replace('title="Ana Lima', 'title="Ben Okafor', 1))
    assert not verify_file(path).ok


def test_html_changed_range_in_manifest_fails(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    start = content.index('id="draftsmith-manifest">') + len('id="draftsmith-manifest">')
    end = content.index("</script>", start)
    manifest = json.loads(content[start:end])
    manifest["runs"][0][1] -= 1
    manifest["runs"][1][0] -= 1
    manifest["runs"][1][1] += 1
    forged = json.dumps(manifest).replace("<", "\\u003c")
    path.write_text(content[:start] + forged + content[end:], encoding="utf-8")
    result = verify_file(path)
    assert not result.ok and any("signature" in p for p in result.problems)


def test_html_resigned_by_another_key_reports_that_key(essay, tmp_path, keys):
    path, content = _exported_html(essay, tmp_path, keys)
    start = content.index('id="draftsmith-manifest">') + len('id="draftsmith-manifest">')
    end = content.index("</script>", start)
    manifest = json.loads(content[start:end])
    mallory = load_or_create_key_in(tmp_path / "mallory")
    manifest.pop("signature")
    manifest["signer"]["public_key"] = mallory.public_key_raw_b64()
    manifest["signature"] = mallory.sign(canonical_json(manifest))
    path.write_text(content[:start] + json.dumps(manifest).replace("<", "\\u003c") + content[end:])
    result = verify_file(path)
    original = load_or_create_key_in(keys).public_key_raw_b64()
    assert result.signer is not None and result.signer != original


def test_unknown_format_is_refused(essay, tmp_path, keys):
    with pytest.raises(ValueError, match="unknown export format"):
        export(essay, "docx", tmp_path / "x.docx", keys)
    assert "docx" not in FORMATS


def test_empty_document_exports_and_verifies(tmp_path, keys):
    record = build_record([])
    export(record, "markdown", tmp_path / "empty.md", keys)
    export(record, "html", tmp_path / "empty.html", keys)
    assert verify_file(tmp_path / "empty.md").ok
    assert verify_file(tmp_path / "empty.html").ok


def test_unicode_document_round_trips_through_markdown(tmp_path, keys):
    record = build_record(
        [
            ("Olá 👩🏽‍💻 ", ANA, How.TYPED),
            ("e\u0301 שלום 🇯🇵", SMOL, How.SUGGESTION),
            ("!\n", ANA, How.TYPED),
        ]
    )
    export(record, "markdown", tmp_path / "u.md", keys)
    result = verify_file(tmp_path / "u.md")
    assert result.ok, result.problems
