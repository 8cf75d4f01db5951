"""The writer's key and the signed manifest."""

from __future__ import annotations

import copy
import stat

from export_samples import ANA, SMOL

from memory.provenance.manifest import build_manifest, check_manifest
from memory.provenance.signing import load_or_create_key, verify_signature


def test_key_is_created_once_private_and_reused(tmp_path):
    key = load_or_create_key(tmp_path)
    assert key.path == tmp_path / "keys" / key.path.name
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    again = load_or_create_key(tmp_path)
    assert again.public_key_raw_b64() == key.public_key_raw_b64()
    assert key.public_key_pem().startswith("-----BEGIN PUBLIC KEY-----")


def test_signatures_check_only_the_signed_bytes_and_key(tmp_path):
    key = load_or_create_key(tmp_path)
    other = load_or_create_key(tmp_path / "other")
    signature = key.sign(b"text")
    assert verify_signature(key.public_key_raw_b64(), signature, b"text")
    assert not verify_signature(key.public_key_raw_b64(), signature, b"texT")
    assert not verify_signature(other.public_key_raw_b64(), signature, b"text")
    assert not verify_signature("not base64!", signature, b"text")


def test_manifest_describes_text_authors_models_and_checks(essay, tmp_path):
    key = load_or_create_key(tmp_path)
    manifest = build_manifest(essay, key)
    assert manifest["text"]["code_points"] == len(essay.text)
    assert {a["key"] for a in manifest["authors"]} == {a.key for a in essay.authors()}
    model = next(a for a in manifest["authors"] if a["kind"] == "model")
    assert model["ranges"] and model["grapheme_ranges"]
    assert manifest["models"] == [{"name": SMOL.name, "sha256": SMOL.model_sha256, "key": SMOL.key}]
    result = check_manifest(manifest, essay.text)
    assert result.ok, result.problems
    assert result.signer == key.public_key_raw_b64()


def test_manifest_tampering_is_caught(essay, tmp_path):
    key = load_or_create_key(tmp_path)
    manifest = build_manifest(essay, key)
    changed_text = essay.text.replace("river", "rivet")
    result = check_manifest(manifest, changed_text)
    assert not result.ok and any("character" in p for p in result.problems)

    moved = copy.deepcopy(manifest)
    moved["runs"][1][0] += 1
    result = check_manifest(moved, essay.text)
    assert not result.ok and any("signature" in p for p in result.problems)

    swapped = copy.deepcopy(manifest)
    for author in swapped["authors"]:
        author["name"] = {ANA.name: SMOL.name, SMOL.name: ANA.name}.get(author["name"], "x")
    assert not check_manifest(swapped, essay.text).ok

    forged = copy.deepcopy(manifest)
    forged["signature"] = load_or_create_key(tmp_path / "mallory").sign(b"anything")
    result = check_manifest(forged, essay.text)
    assert not result.ok and "signature" in result.problems[0]

    resigned = copy.deepcopy(moved)
    mallory = load_or_create_key(tmp_path / "mallory")
    resigned["signer"]["public_key"] = mallory.public_key_raw_b64()
    resigned.pop("signature")
    from memory.provenance.manifest import canonical_json

    resigned["signature"] = mallory.sign(canonical_json(resigned))
    result = check_manifest(resigned, essay.text)
    # A re-signed forgery is signed by a different key, and its ranges disagree.
    assert not result.ok and result.signer == mallory.public_key_raw_b64()
