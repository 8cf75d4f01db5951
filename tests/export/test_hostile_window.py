"""The window flags a hostile authorship block instead of dropping an author in silence."""

from __future__ import annotations

import hashlib

TEXT = "Alice wrote “this” 😀 and the model wrote that, Bob too."


def test_overlapping_claims_are_put_to_the_writer(writing_room, qtbot, tmp_path):
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    block = f"Annotations: 0,{len(TEXT)} SHA-256 {digest}\n@Alice: 0,49\n&Model: 0,49\n@Bob: 5,10\n"
    path = tmp_path / "claims.md"
    path.write_text(TEXT + "\n\n---\n" + block + "...\n", encoding="utf-8")
    room = writing_room
    assert room.session.open_path(path)
    assert room.editor.toPlainText() == TEXT  # the block never becomes body text
    qtbot.waitUntil(
        lambda: (
            "Apply Its Authorship Anyway" in room.window.messages.text
            or "authorship block" in room.window.messages.text
        ),
        timeout=5_000,
    )
    said = room.window.messages.text
    for claimant in ("@Alice", "&Model", "@Bob"):
        assert claimant in said, said
    assert room.session.trust is not None and room.session.trust.needs_decision


def test_a_truncated_block_is_put_to_the_writer(writing_room, qtbot, tmp_path):
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    path = tmp_path / "cut.md"
    path.write_text(
        TEXT + f"\n\n---\nAnnotations: 0,{len(TEXT)} SHA-256 {digest}\n@Alice: 0,", encoding="utf-8"
    )
    room = writing_room
    assert room.session.open_path(path)
    assert room.editor.toPlainText() == TEXT
    qtbot.waitUntil(lambda: "cut off" in room.window.messages.text, timeout=5_000)
