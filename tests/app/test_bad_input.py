"""Bad input in text files: other encodings, binary, BOMs, CRLF and mixed newlines, NUL
bytes, huge files and lines, file modes and stale temporary files (issue 11, Bad input)."""

from __future__ import annotations

import codecs
import os
import stat
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import paths
from app.files import (
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    FileFormat,
    FileProblem,
    NotUtf8,
    clean_stale_temporaries,
    encode_text,
    read_document,
    write_text_atomically,
)
from app.settings import Settings
from app.writing_room import WritingRoom
from memory.events import Author, How, SourceKind
from tests.app.test_authorship_editor import kinds
from tests.conftest import type_text
from ui.editor import EditIntent

MODEL = Author(SourceKind.MODEL, "TestModel", "cd" * 32)
WESTERN = "Crème brûlée — “quotes”, ‘apostrophes’ and naïve café… €5\n"


def new_room(qtbot) -> WritingRoom:
    room = WritingRoom(Settings(paths.settings_path()), load_model=False)
    qtbot.addWidget(room.window)
    room.window.set_close_guard(lambda: True)
    room.show()
    return room


def click(room: WritingRoom, fragment: str, label: str) -> None:
    bar = room.window.messages.find_text(fragment)
    assert bar is not None, f"no message with {fragment!r}: {room.window.messages.text}"
    next(b for b in bar.buttons if b.text() == label).click()


# --- encodings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (WESTERN, "cp1252"),
        ("café au lait", "cp1252"),
        ("Он сказал, что придёт завтра утром, но так и не пришёл.", "cp1251"),
    ],
)
def test_a_file_in_another_encoding_names_the_likely_one(tmp_path, text, codec) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(text.encode(codec))
    with pytest.raises(NotUtf8, match="not UTF-8") as caught:
        read_document(path)
    assert caught.value.encoding == codec
    converted = read_document(path, caught.value.encoding)
    assert converted.text == text
    assert converted.format.converted_from == codec
    assert path.read_bytes() == text.encode(codec), "reading never changes the file"


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_a_bom_is_offered_converted_and_can_be_kept(tmp_path, bom) -> None:
    codec = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    raw = bom + "Emoji 👩‍👩‍👧 and “quotes”\r\nsecond line\r\n".encode(codec)
    path = tmp_path / "windows.txt"
    path.write_bytes(raw)
    with pytest.raises(NotUtf8) as caught:
        read_document(path)
    assert caught.value.encoding == codec
    opened = read_document(path, codec)
    assert opened.text == "Emoji 👩‍👩‍👧 and “quotes”\nsecond line\n"
    assert encode_text(opened.text, opened.format.keeping_encoding()) == raw
    as_utf8 = encode_text(opened.text, opened.format.as_utf8())
    assert as_utf8 == "Emoji 👩‍👩‍👧 and “quotes”\r\nsecond line\r\n".encode()


def test_the_window_opens_a_converted_file_and_asks_before_saving(writing_room, tmp_path):
    path = tmp_path / "letter.txt"
    path.write_bytes(WESTERN.encode("cp1252"))
    room = writing_room
    assert not room.session.open_path(path), "not opened without the writer's word"
    assert room.editor.toPlainText() == ""
    click(room, "not UTF-8", "Open Converted from Windows Western (cp1252)")
    assert room.session.path == path and room.editor.toPlainText() == WESTERN
    type_text(room.editor, "Ça va.")
    assert not room.session.save(), "never saved in another encoding silently"
    assert path.read_bytes() == WESTERN.encode("cp1252")
    click(room, "opened converted", "Keep Windows Western (cp1252)")
    assert path.read_bytes() == (WESTERN + "Ça va.").encode("cp1252")
    type_text(room.editor, " 👍")
    assert room.session.save() is False, "cp1252 cannot hold an emoji: a message, no write"
    assert "cannot store" in room.window.messages.text
    assert path.read_bytes() == (WESTERN + "Ça va.").encode("cp1252")
    # The text is encoded a piece at a time as it is written: the half-written
    # temporary file goes with the failure.
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_save_as_utf8_with_the_writers_word(writing_room, tmp_path) -> None:
    path = tmp_path / "letter.md"
    path.write_bytes(WESTERN.encode("cp1252"))
    room = writing_room
    room.session.open_path(path)
    click(room, "not UTF-8", "Open Converted from Windows Western (cp1252)")
    type_text(room.editor, "🙂")
    room.session.save()
    click(room, "opened converted", "Save as UTF-8")
    saved = path.read_text(encoding="utf-8")
    assert saved.startswith(WESTERN + "🙂")
    type_text(room.editor, "!")
    assert room.session.save(), "once UTF-8, saving just saves"


# --- binary, NUL, size ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"GGUF\x03\x00\x00\x00" + b"\x00" * 64,
        os.urandom(4096),
    ],
)
def test_binary_files_are_refused_with_a_message(writing_room, tmp_path, raw) -> None:
    path = tmp_path / "picture.md"
    path.write_bytes(raw)
    type_text(writing_room.editor, "My “unsaved” words 🖋")
    assert not writing_room.session.open_path(path)
    assert writing_room.editor.toPlainText() == "My “unsaved” words 🖋", "nothing typed is lost"
    assert "not text" in writing_room.window.messages.text or "not UTF-8" in (
        writing_room.window.messages.text
    )


def test_nul_bytes_anywhere_are_removed_with_a_notice(writing_room, tmp_path) -> None:
    body = ("Line of “text” ✨\n" * 600).encode()  # past 8,192 bytes
    path = tmp_path / "damaged.md"
    path.write_bytes(b"Start\x00 here\n" + body + b"late\x00NUL\x00\n")
    assert writing_room.session.open_path(path)
    shown = writing_room.editor.toPlainText()
    assert "\x00" not in shown and shown.startswith("Start here\n") and shown.endswith("lateNUL\n")
    assert "3 NUL characters" in writing_room.window.messages.text
    type_text(writing_room.editor, "x")
    assert writing_room.session.save()
    assert b"\x00" not in path.read_bytes()


def test_a_huge_file_is_refused_with_a_message(writing_room, tmp_path) -> None:
    path = tmp_path / "huge.txt"
    line = ("All work and no play makes Jack a dull boy — “quoted”. 🙂\n").encode()
    with path.open("wb") as handle:
        for _ in range((MAX_FILE_BYTES + 1_048_576) // len(line) + 1):
            handle.write(line)
    size_mb = path.stat().st_size / 1_048_576
    assert size_mb > MAX_FILE_BYTES / 1_048_576
    assert not writing_room.session.open_path(path)
    text = writing_room.window.messages.text
    assert f"{size_mb:.0f} MB" in text and f"{MAX_FILE_BYTES // 1_048_576} MB" in text


@pytest.mark.parametrize("megabytes", [5, 1])
def test_a_single_enormous_line_is_refused_with_a_message(writing_room, tmp_path, megabytes):
    path = tmp_path / "one-line.txt"
    path.write_text("word “quoted” " * (megabytes * 1_048_576 // 16), encoding="utf-8")
    assert not writing_room.session.open_path(path)
    text = writing_room.window.messages.text
    if path.stat().st_size > MAX_FILE_BYTES:
        assert "so it was not opened" in text
    else:
        assert f"{MAX_LINE_CHARS:,} characters" in text


def test_a_file_just_under_the_limits_opens(writing_room, qtbot, tmp_path) -> None:
    path = tmp_path / "long-novel.md"
    paragraph = "She said “yes” — and the café 🙂 closed. " * 40 + "\n\n"
    path.write_text(paragraph * (3 * 1_048_576 // len(paragraph.encode())), encoding="utf-8")
    assert writing_room.session.open_path(path)
    qtbot.waitUntil(lambda: not writing_room.session.loading, timeout=60_000)  # in slices
    assert writing_room.editor.toPlainText() == path.read_text(encoding="utf-8")
    # Let the window finish styling the book in idle time before it closes.
    writing_room.session.new_document()
    qtbot.wait(100)


# --- BOM and newlines ----------------------------------------------------------------


def test_a_utf8_bom_is_kept_on_save(writing_room, tmp_path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "“Quoted” start\n".encode())
    assert writing_room.session.open_path(path)
    assert writing_room.editor.toPlainText() == "“Quoted” start\n"
    type_text(writing_room.editor, "more 🙂")
    assert writing_room.session.save()
    assert path.read_bytes() == codecs.BOM_UTF8 + "“Quoted” start\nmore 🙂".encode()


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_files_keep_their_newlines_and_their_authorship(
    writing_room, qtbot, tmp_path, newline
) -> None:
    path = tmp_path / "windows.md"
    path.write_bytes(f"First “line”.{newline}Second 🙂 line.{newline}".encode())
    room = writing_room
    assert room.session.open_path(path)
    assert room.editor.toPlainText() == "First “line”.\nSecond 🙂 line.\n"
    type_text(room.editor, "Ana wrote this. ")
    room.editor.insert_as("The model wrote this.", EditIntent(How.SUGGESTION, author=MODEL))
    assert room.session.save()
    raw = path.read_bytes()
    assert b"Annotations:" in raw
    others = raw.replace(b"\r\n", b"") if newline == "\r\n" else raw.replace(b"\r", b"")
    assert raw.count(newline.encode()) >= 4
    assert b"\n" not in others and b"\r" not in others, "every line break in the file's style"
    before = kinds(room)
    room.shutdown()

    # Another machine: the block alone must still match the text it describes.
    (tmp_path / "home").rename(tmp_path / "old-home")
    other = new_room(qtbot)
    try:
        assert other.session.open_path(path)
        assert other.session.trust is not None and not other.session.trust.needs_decision
        assert "does not match" not in other.window.messages.text
        assert kinds(other) == before
        assert other.session.save() or not other.session.modified
        assert path.read_bytes() == raw, "an unedited save writes the same bytes"
    finally:
        other.shutdown()


def test_mixed_newlines_are_preserved(writing_room, tmp_path) -> None:
    raw = b"one\r\ntwo\nthree\rfour\r\n"
    path = tmp_path / "mixed.txt"
    path.write_bytes(raw)
    assert writing_room.session.open_path(path)
    assert writing_room.editor.toPlainText() == "one\ntwo\nthree\nfour\n"
    type_text(writing_room.editor, "five")
    assert writing_room.session.save()
    assert path.read_bytes() == raw + b"five"


LINE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff") | st.just("\t"),
    max_size=30,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(LINE_TEXT, max_size=8),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=8, max_size=8),
    bom=st.booleans(),
)
def test_any_file_round_trips_byte_for_byte(tmp_path, lines, endings, bom) -> None:
    body = "".join(line + endings[i] for i, line in enumerate(lines))
    raw = (codecs.BOM_UTF8 if bom else b"") + body.encode()
    path = tmp_path / "any.md"
    path.write_bytes(raw)
    opened = read_document(path)
    assert "\r" not in opened.text and opened.text == body.replace("\r\n", "\n").replace("\r", "\n")
    assert opened.format.bom == bom
    assert encode_text(opened.text, opened.format) == raw
    write_text_atomically(path, opened.text, opened.format)
    assert path.read_bytes() == raw


@settings(max_examples=100)
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00")))
def test_editor_text_survives_every_format(text) -> None:
    for fmt in (FileFormat(), FileFormat(bom=True, newline="\r\n"), FileFormat(newline="\r")):
        data = encode_text(text, fmt)
        assert b"\x00" not in data
        body = data[3:] if fmt.bom else data
        assert body.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n") == text


# --- modes and stale temporaries ----------------------------------------------------


def test_an_existing_files_mode_is_kept(writing_room, tmp_path) -> None:
    path = tmp_path / "shared.md"
    path.write_text("Hello “world”\n", encoding="utf-8")
    path.chmod(0o644)
    assert writing_room.session.open_path(path)
    type_text(writing_room.editor, "more")
    assert writing_room.session.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_follow_the_umask(tmp_path, umask, mode) -> None:
    old = os.umask(umask)
    try:
        write_text_atomically(tmp_path / "new.md", "fresh “text” ✍️\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == mode


def test_stale_temporaries_from_a_killed_save_are_cleaned_up(writing_room, tmp_path) -> None:
    path = tmp_path / "draft [1].md"
    path.write_text("Saved “text”\n", encoding="utf-8")
    stale = tmp_path / ".draft [1].md.k1ll3d.tmp"
    stale.write_text("Saved “text” and half of the n", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".draft [1].md.s4v1ng.tmp"
    fresh.write_text("a save in progress", encoding="utf-8")
    unrelated = tmp_path / ".other.md.abc.tmp"
    unrelated.write_text("someone else's", encoding="utf-8")
    os.utime(unrelated, (old, old))

    assert writing_room.session.open_path(path)
    assert not stale.exists(), "a stale temporary is removed when its file opens"
    assert fresh.exists(), "a recent one may be a save in progress (another window)"
    assert unrelated.exists(), "only this file's temporaries"

    os.utime(fresh, (old, old))
    type_text(writing_room.editor, "more")
    assert writing_room.session.save()
    assert not fresh.exists(), "and when it is saved"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".draft")) == []


def test_clean_stale_temporaries_never_raises(tmp_path) -> None:
    assert clean_stale_temporaries(tmp_path / "missing-folder" / "x.md") == []


def test_a_folder_or_missing_file_is_a_plain_problem(tmp_path) -> None:
    with pytest.raises(FileProblem, match="is a folder"):
        read_document(tmp_path)
    with pytest.raises(FileProblem, match="does not exist"):
        read_document(tmp_path / "nope “quoted”.md")


# --- model files ---------------------------------------------------------------------


def _model_message(room: WritingRoom, qtbot, fragment: str) -> None:
    from PySide6.QtWidgets import QLabel

    from app import messages

    def seen() -> bool:
        shown = [label.text() for label in room.window.messages.findChildren(QLabel)]
        return any(fragment in t for t in [m.text for m in messages.hub.pending()] + shown)

    qtbot.waitUntil(seen, timeout=120_000)


@pytest.fixture(scope="module")
def truncated_model(default_model: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "cut-short.gguf"
    data = default_model.read_bytes()
    path.write_bytes(data[: len(data) * 9 // 10])
    return path


def test_a_truncated_gguf_is_named_incomplete_before_loading(truncated_model: Path) -> None:
    from assistant.backend import LlamaBackend, ModelLoadError
    from assistant.model_files import ModelFileError, check_model_file

    with pytest.raises(ModelFileError, match="incomplete: it should be 98 MB but is 89 MB"):
        check_model_file(truncated_model)
    with pytest.raises(ModelLoadError, match="incomplete"):
        LlamaBackend().load(truncated_model)


def test_the_bundled_models_header_accounts_for_every_byte(default_model: Path) -> None:
    from assistant.model_files import read_gguf_layout

    layout = read_gguf_layout(default_model)
    assert layout.data_end == default_model.stat().st_size
    assert layout.architecture == "llama" and layout.block_count > 0 and layout.tensor_count > 0


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (os.urandom(1 << 16), "not a GGUF"),
        ("“Not a model” 🙂 <html>".encode() * 100, "not a GGUF"),
        (b"GGUF\x03\x00\x00\x00" + (1 << 60).to_bytes(8, "little") + bytes(8), "claims"),
        (
            b"GGUF\x03\x00\x00\x00"
            + bytes(8)
            + (1).to_bytes(8, "little")
            + (1 << 40).to_bytes(8, "little")
            + b"k" * 64,
            "past the end",
        ),
        (b"GGUF\x07\x00\x00\x00" + bytes(64), "version 7"),
    ],
    ids=["random", "text", "enormous-count", "long-string", "future-version"],
)
def test_bad_model_files_get_a_plain_reason(tmp_path, raw, words) -> None:
    from assistant.model_files import ModelFileError, check_model_file

    path = tmp_path / "bad.gguf"
    path.write_bytes(raw)
    with pytest.raises(ModelFileError, match=words):
        check_model_file(path)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=512), version=st.sampled_from([1, 2, 3]))
def test_any_gguf_header_is_read_or_refused_plainly(tmp_path_factory, body, version) -> None:
    from assistant.model_files import ModelFileError, read_gguf_layout

    path = tmp_path_factory.mktemp("fuzz") / "fuzz.gguf"
    path.write_bytes(b"GGUF" + version.to_bytes(4, "little") + body)
    try:
        layout = read_gguf_layout(path)
    except ModelFileError:
        return
    assert layout.data_end >= 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=24, max_value=1_200_000))
def test_a_gguf_cut_anywhere_in_its_header_is_refused_plainly(default_model, tmp_path, cut):
    from assistant.model_files import ModelFileError, check_model_file

    with default_model.open("rb") as handle:
        head = handle.read(cut)
    path = tmp_path / "cut.gguf"
    path.write_bytes(head)
    with pytest.raises(ModelFileError):
        check_model_file(path)


def test_a_model_too_big_for_free_memory_is_refused_before_loading(
    default_model: Path, monkeypatch
) -> None:
    from assistant import model_files
    from assistant.backend import LlamaBackend, ModelLoadError

    model_files.check_fits_in_memory(default_model, 2048)  # it fits this machine
    needed = model_files.memory_needed(default_model, 2048)
    assert needed > default_model.stat().st_size
    monkeypatch.setattr(model_files, "available_memory", lambda: 64 * 1024 * 1024)
    with pytest.raises(ModelLoadError, match="needs about .* of memory to run, but only 67 MB"):
        LlamaBackend().load(default_model)


@pytest.mark.model
def test_a_bad_model_leaves_the_editor_and_the_working_model(
    writing_room, qtbot, default_model: Path, truncated_model: Path, monkeypatch
) -> None:
    from app.model_service import ModelState
    from assistant import model_files

    model = writing_room.model
    model.load(default_model)
    qtbot.waitUntil(lambda: model.state is ModelState.READY, timeout=120_000)
    model.load(truncated_model)
    _model_message(writing_room, qtbot, "incomplete")
    monkeypatch.setattr(model_files, "available_memory", lambda: 64 * 1024 * 1024)
    model.load(default_model)
    _model_message(writing_room, qtbot, "of memory to run")
    monkeypatch.undo()
    assert model.state is ModelState.READY, "the model that worked keeps working"
    type_text(writing_room.editor, "Still “typing” ✍️")
    assert writing_room.editor.toPlainText().endswith("Still “typing” ✍️")


# --- chat templates (CVE-2024-34359) --------------------------------------------------

HOSTILE_TEMPLATES = [
    "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch {marker}') }}",
    "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{% if c.__name__ == 'Popen' %}"
    "{{ c(['touch', '{marker}']) }}{% endif %}{% endfor %}",
    "{{ messages.__class__.__mro__[1].__subclasses__() }}{{ lipsum.__globals__ }}",
]


def test_llama_cpp_has_the_sandboxed_template_fix() -> None:
    import llama_cpp
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    version = tuple(int(p) for p in llama_cpp.__version__.split(".")[:3])
    assert version >= (0, 2, 72), "0.2.72 fixed CVE-2024-34359"
    formatter = Jinja2ChatFormatter(
        template="{{ messages[0].content }}", eos_token="", bos_token=""
    )
    assert isinstance(formatter._environment.environment, ImmutableSandboxedEnvironment)


@pytest.mark.parametrize("template", HOSTILE_TEMPLATES)
def test_a_hostile_template_runs_nothing(tmp_path, template) -> None:
    import jinja2
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    marker = tmp_path / "pwned"
    formatter = Jinja2ChatFormatter(
        template=template.replace("{marker}", str(marker)), eos_token="</s>", bos_token="<s>"
    )
    try:
        formatter(messages=[{"role": "user", "content": "Hello “there” 🙂"}])
    except jinja2.TemplateError:
        pass  # refused: the sandbox's SecurityError or an undefined attribute
    assert not marker.exists(), "the template could not run a command"


@pytest.mark.model
def test_a_gguf_with_a_hostile_template_fails_safely_in_chat(default_model, tmp_path) -> None:
    import subprocess
    import sys

    from assistant.backend import LlamaBackend, ModelLoadError
    from assistant.model import ChatMessage

    marker = tmp_path / "pwned"
    template = HOSTILE_TEMPLATES[0].replace("{marker}", str(marker))
    hostile = tmp_path / "hostile.gguf"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gguf.scripts.gguf_new_metadata",
            "--chat-template",
            template,
            str(default_model),
            str(hostile),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    backend = LlamaBackend()
    backend.load(hostile, n_ctx=512)
    try:
        with pytest.raises(ModelLoadError, match="chat template could not be used safely"):
            backend.chat([ChatMessage(role="user", content="Rewrite “this” 🙂")], max_tokens=4)
        assert not marker.exists()
        assert backend.complete("Once upon a time", max_tokens=2).text is not None, (
            "the model itself still works for suggestions"
        )
    finally:
        backend.close()
