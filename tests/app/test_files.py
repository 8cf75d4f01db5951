"""Opening and saving files: UTF-8 round trips, atomic saves, plain errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from app.files import FileProblem, read_text, write_text_atomically

SAMPLES = [
    "",
    "plain ascii\n",
    "Crème brûlée, naïve café — “quotes” and ‘apostrophes’\n",
    "emoji 👩‍👩‍👧‍👦 flags 🇵🇹🇯🇵 and e\u0301 combining\n",
    "中文段落。日本語の文章。한국어 문장.\n",
    "עברית וערבית: مرحبا بالعالم\n",
    "no trailing newline",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_write_then_read_round_trips_exactly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "draft.md"
    write_text_atomically(path, text)
    assert path.read_bytes() == text.encode("utf-8")
    assert read_text(path) == text


def test_crlf_and_bom_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("\ufeffone\r\ntwo\r\n".encode())
    assert read_text(path) == "one\ntwo\n"


def test_non_utf8_file_is_refused_with_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("café".encode("latin-1"))
    with pytest.raises(FileProblem, match="not UTF-8"):
        read_text(path)
    assert path.read_bytes() == "café".encode("latin-1")


def test_binary_and_missing_files_are_refused(tmp_path: Path) -> None:
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\x00\x00")
    with pytest.raises(FileProblem, match="binary"):
        read_text(binary)
    with pytest.raises(FileProblem, match="does not exist"):
        read_text(tmp_path / "nope.md")


def test_failed_save_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "keep.md"
    write_text_atomically(path, "the previous version\n")

    def disk_full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(FileProblem, match="disk is full"):
        write_text_atomically(path, "the new version that does not fit\n")
    assert path.read_text(encoding="utf-8") == "the previous version\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.md"], "temporary file left behind"


def test_nul_characters_are_found_in_utf8_bytes_and_in_converted_text(tmp_path: Path) -> None:
    from app.files import read_document

    utf8 = tmp_path / "damaged.md"
    utf8.write_bytes("“Start”\x00 here\n".encode())
    opened = read_document(utf8)
    assert opened.text == "“Start” here\n" and "1 NUL character" in opened.notices[0]
    # UTF-16 has a NUL byte in every ASCII character: only a NUL character counts.
    utf16 = tmp_path / "letters.txt"
    utf16.write_bytes("“Dear” Ann\nyours\n".encode("utf-16-le"))
    assert read_document(utf16, "utf-16-le").notices == ()
    utf16.write_bytes("“Dear”\x00 Ann\n".encode("utf-16-le"))
    converted = read_document(utf16, "utf-16-le")
    assert converted.text == "“Dear” Ann\n" and "1 NUL character" in converted.notices[0]


def test_a_piece_that_cannot_be_made_mid_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path,
) -> None:
    """A save writes its text a piece at a time as the pieces are encoded: when one
    fails after others were written, the previous file stays whole, the temporary goes,
    and the failure comes out as it was raised."""
    from app.files import write_bytes_atomically

    path = tmp_path / "book.md"
    path.write_bytes(b"the saved version\n")

    def pieces():
        yield b"a first piece\n" * 1000
        raise FileProblem("cannot store this")

    with pytest.raises(FileProblem, match="cannot store"):
        write_bytes_atomically(path, pieces())
    assert path.read_bytes() == b"the saved version\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.md"]
    write_bytes_atomically(path, iter([b"new ", b"text\n"]))
    assert path.read_bytes() == b"new text\n"
