"""Reading and writing the writer's files: atomic saves, plain errors, the file's own form.

The editor always holds text with '\\n' newlines and no BOM. What the file looked like
on disk (its encoding, a BOM, CRLF, CR or mixed newlines) is kept in a `FileFormat`
and restored when the text is written back, so a file saved without edits is the same
bytes, and an authorship block (hashed over the editor's text) still matches on reopen.

A file that is not UTF-8 is never guessed at silently: `read_document` raises
`NotUtf8` with the likely encoding, and the writer decides to open it converted. Binary
files, files over `MAX_FILE_BYTES` and lines over `MAX_LINE_CHARS` are refused with a
message; NUL characters are removed with a notice (they are never text).
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from memory.errors import DraftsmithError
from memory.text_pieces import PIECE_CHARS, line_pieces

TEXT_SUFFIXES = (".md", ".markdown", ".txt")

#: The largest file Draftsmith opens: 64 MB, twenty War and Peaces. A long file opens in
#: slices behind a read-only editor (`app.editor_load`), its authorship worked out on a
#: thread (`app.document_session`); a 50 MB manuscript is in in about 10 s, using about
#: 2.3 GB. Bigger files are refused with a message (see README).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The longest single line (paragraph) Draftsmith opens, in characters.
MAX_LINE_CHARS = 200_000
#: A hidden `.NAME.*.tmp` left by an interrupted save is removed once it is this old.
STALE_TEMP_SECONDS = 60.0

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_FOR = {codec: bom for bom, codec in _BOMS}
#: Codecs that write a BOM at each call: a text in these is encoded in one go.
_WHOLE_CODECS = frozenset({"utf-16", "utf-32", "utf-8-sig"})

#: Signatures of common binary formats (a text file never starts like this).
_BINARY_MAGIC = (
    b"\x89PNG",
    b"%PDF-",
    b"PK\x03\x04",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x7fELF",
    b"GGUF",
    b"SQLite format 3\x00",
    b"\xd0\xcf\x11\xe0",  # old Word / Excel
)

_PLAIN_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16 (big-endian)",
    "utf-32-le": "UTF-32",
    "utf-32-be": "UTF-32 (big-endian)",
    "cp1252": "Windows Western (cp1252)",
    "latin-1": "Latin-1 (ISO 8859-1)",
}
_NEWLINE = re.compile(r"\r\n|\r|\n")


class FileProblem(DraftsmithError):
    """A file could not be read or written; the message is for the writer, `reason`
    (when known) the plain cause alone ("the disk is full")."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class NotUtf8(FileProblem):
    """The file is text in another encoding; `encoding` is the likely one (a codec name)."""

    def __init__(self, message: str, encoding: str) -> None:
        super().__init__(message)
        self.encoding = encoding


@dataclass(frozen=True, slots=True)
class FileFormat:
    """How a text file is written on disk, apart from its text.

    `endings` lists each line break in order when the file mixes styles (empty
    otherwise); line breaks beyond that list are written as `newline`, the file's most
    common one. `converted_from` names the encoding the file was converted from when
    the writer opened it converted: saving then needs the writer's word."""

    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    endings: tuple[str, ...] = ()
    converted_from: str = ""

    @property
    def is_plain_utf8(self) -> bool:
        return self.encoding == "utf-8" and not self.converted_from

    def as_utf8(self) -> FileFormat:
        """The same newlines, written as UTF-8 (with the writer's word)."""
        return replace(self, encoding="utf-8", bom=False, converted_from="")

    def keeping_encoding(self) -> FileFormat:
        """The file's own encoding, kept with the writer's word."""
        return replace(self, converted_from="")


UTF8 = FileFormat()


@dataclass(frozen=True, slots=True)
class TextFile:
    """A file as opened: its text for the editor, its format, and notices for the writer."""

    text: str
    format: FileFormat
    notices: tuple[str, ...] = ()


def encoding_name(codec: str) -> str:
    """A codec's name as a writer would recognise it."""
    return _PLAIN_NAMES.get(codec, codec.replace("_", "-").upper())


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is dropped); newlines become '\\n'."""
    return read_document(path).text


def read_document(path: Path, encoding: str | None = None) -> TextFile:
    """Open a text file for the editor.

    `encoding` (a codec name, from `NotUtf8.encoding`) opens a file that is not UTF-8
    converted, with the writer's word. Raises `FileProblem` with a plain message."""
    path = Path(path)
    clean_stale_temporaries(path)
    data = _read_bytes(path)
    notices: list[str] = []
    bom = False
    codec = "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            codec, bom, data = name, True, data[len(mark) :]
            break
    if encoding is None:
        if codec != "utf-8":
            raise NotUtf8(_not_utf8_message(path, codec), codec)
        if _looks_binary(data):
            raise FileProblem(
                f"“{path.name}” looks like a binary file (a picture, a program or a "
                "document format), not text, so it was not opened."
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            guess = guess_encoding(data)
            raise NotUtf8(_not_utf8_message(path, guess), guess) from None
        converted_from = ""
    else:
        codec = codecs.lookup(encoding).name.replace("_", "-")
        codec = {"iso8859-1": "latin-1", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(
            codec, codec
        )
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise FileProblem(
                f"“{path.name}” is not {encoding_name(codec)} text either (a byte at "
                f"position {exc.start} does not fit); nothing was changed."
            ) from None
        converted_from = codec
    # In UTF-8 a NUL byte is a NUL character and nothing else: the bytes are searched
    # (memchr: 2 ms for 50 MB, where the decoded text took 32-40 ms, held the
    # interpreter's lock and so froze the window).
    if (b"\x00" in data) if codec == "utf-8" else ("\x00" in text):
        count = text.count("\x00")
        text = text.replace("\x00", "")
        notices.append(
            f"“{path.name}” held {count} NUL character{'s' if count != 1 else ''} (invisible "
            "bytes that are not text, often from a damaged file); "
            f"{'they were' if count != 1 else 'it was'} removed. Saving writes the file "
            "without them."
        )
    if "\r" in text:
        endings = _NEWLINE.findall(text)
        kinds = set(endings)
        newline = max(kinds, key=endings.count) if kinds else "\n"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    else:  # LF only (or no newline): nothing to count or replace in a long text
        endings, kinds, newline = [], set(), "\n"
    longest = max(map(len, text.split("\n"))) if _may_have_long_line(text) else 0
    if longest > MAX_LINE_CHARS:
        raise FileProblem(
            f"“{path.name}” has a single line of {longest:,} characters; Draftsmith opens "
            f"lines of up to {MAX_LINE_CHARS:,} characters, so it was not opened. Break "
            "it into paragraphs in another editor first."
        )
    fmt = FileFormat(
        encoding=codec,
        bom=bom,
        newline=newline,
        endings=tuple(endings) if len(kinds) > 1 else (),
        converted_from=converted_from,
    )
    return TextFile(text, fmt, tuple(notices))


def _may_have_long_line(text: str, limit: int = MAX_LINE_CHARS) -> bool:
    """Whether a line of `text` may be longer than `limit`: such a line holds a whole
    aligned stretch of `limit // 2` characters with no newline, which a few C-speed
    searches find (splitting a megabyte into its lines to measure them took 40 ms)."""
    step = max(limit // 2, 1)
    return any(text.find("\n", i, i + step) < 0 for i in range(0, len(text) - step + 1, step))


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
        if size > MAX_FILE_BYTES:
            raise FileProblem(
                f"“{path.name}” is {size / 1_048_576:.0f} MB; Draftsmith opens text files of "
                f"up to {MAX_FILE_BYTES // 1_048_576} MB, so it was not opened. Split it into "
                "smaller files."
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FileProblem(f"“{path.name}” does not exist.") from None
    except IsADirectoryError:
        raise FileProblem(f"“{path.name}” is a folder, not a text file.") from None
    except PermissionError:
        raise FileProblem(f"You don't have permission to read “{path.name}”.") from None
    except OSError as exc:
        raise FileProblem(f"“{path.name}” could not be read: {exc.strerror or exc}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(
            f"“{path.name}” is larger than {MAX_FILE_BYTES // 1_048_576} MB, so it was not opened."
        )
    return data


def _looks_binary(data: bytes) -> bool:
    """A known binary signature, or many control bytes early on (NULs alone in text
    are removed with a notice instead)."""
    if data.startswith(_BINARY_MAGIC):
        return True
    head = data[:8192]
    if not head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(head) // 10


def guess_encoding(data: bytes) -> str:
    """The likely encoding (a codec name) of bytes that are not UTF-8.

    `charset-normalizer` ranks the candidates; among those it finds equally likely (a
    short text fits many), Windows Western (cp1252) wins, as the most common source of
    text that is not UTF-8, and so it does when there is no evidence of a language
    at all (a few words). UTF-16 and UTF-32 without a BOM are only considered for
    data with NUL bytes."""
    from charset_normalizer import from_bytes

    sample = data[:65536]
    matches = list(from_bytes(sample))
    wide_ok = b"\x00" in sample
    names: list[str] = []
    evidence = False
    if matches:
        least_chaos = min(m.chaos for m in matches)
        calm = [m for m in matches if m.chaos <= least_chaos + 0.01]
        most_coherent = max(m.coherence for m in calm)
        evidence = most_coherent > 0
        for match in calm:
            if match.coherence >= most_coherent - 0.01:
                name = codecs.lookup(match.encoding).name.replace("_", "-")
                if wide_ok or not name.startswith(("utf-16", "utf-32")):
                    names.append(name)
    if "cp1252" in names or not evidence:
        names.insert(0, "cp1252")
    for codec in [*names, "latin-1"]:
        if codec in ("ascii", "utf-8"):
            continue
        try:
            data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        return {"iso8859-1": "latin-1"}.get(codec, codec)
    return "latin-1"  # decodes any bytes


def _not_utf8_message(path: Path, codec: str) -> str:
    return (
        f"“{path.name}” is not UTF-8 text; it looks like {encoding_name(codec)}. "
        "Draftsmith can open it converted; saving then asks before changing how the file "
        "is stored. Nothing was changed."
    )


def encode_text(text: str, fmt: FileFormat = UTF8) -> bytes:
    """The bytes of editor text (with '\\n' newlines) in a file's format."""
    if fmt.endings:
        lines = text.split("\n")
        out: list[str] = []
        for index, line in enumerate(lines):
            out.append(line)
            if index < len(lines) - 1:
                out.append(fmt.endings[index] if index < len(fmt.endings) else fmt.newline)
        text = "".join(out)
    elif fmt.newline != "\n":
        text = text.replace("\n", fmt.newline)
    try:
        data = text.encode(fmt.encoding)
    except UnicodeEncodeError as exc:
        raise FileProblem(
            f"The text holds “{exc.object[exc.start : exc.end]}”, which "
            f"{encoding_name(fmt.encoding)} cannot store; save it as UTF-8 instead. "
            "Nothing was written."
        ) from None
    return (_BOM_FOR[fmt.encoding] if fmt.bom and fmt.encoding in _BOM_FOR else b"") + data


def encode_text_pieces(
    text: str, fmt: FileFormat = UTF8, size: int = PIECE_CHARS, then: str = ""
) -> Iterator[bytes]:
    """The bytes of `encode_text(text + then, fmt)`, a piece of whole lines of `text` at
    a time (about `size` characters) and `then` (a save's authorship block) after them,
    so a long text is never joined to its block, encoded or its newlines replaced in
    one call holding the interpreter's lock (a save runs on a lane beside the window).
    A file that mixes line endings is encoded whole (its endings go by line number),
    and so is one in a codec that writes a BOM at each call."""
    return encode_pieces((text,), fmt, size, then)


def encode_pieces(
    pieces: Sequence[str], fmt: FileFormat = UTF8, size: int = PIECE_CHARS, then: str = ""
) -> Iterator[bytes]:
    """`encode_text_pieces` of the text the `pieces` make joined (a save's text, as
    the chunks the editor holds it in), never joining them but where the format needs
    the whole text at once."""
    if fmt.endings or codecs.lookup(fmt.encoding).name in _WHOLE_CODECS:
        yield encode_text("".join(pieces) + then, fmt)
        return
    if fmt.bom and fmt.encoding in _BOM_FOR:
        yield _BOM_FOR[fmt.encoding]
    plain = replace(fmt, bom=False)
    for text in pieces:
        for start, end in line_pieces(text, size):
            yield encode_text(text[start:end], plain)
    if then:
        yield encode_text(then, plain)


def write_text_atomically(path: Path, text: str, fmt: FileFormat = UTF8) -> None:
    """Write text (in `fmt`, UTF-8 with '\\n' by default) so that a crash or full disk
    never damages the previous file."""
    write_bytes_atomically(Path(path), encode_text(text, fmt))


def write_bytes_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write bytes (or pieces of them, written in order as they come: a long text
    encoded a piece at a time is never one copy) so that a crash, a full disk or a
    piece that cannot be made never damages the previous file.

    The bytes go to a hidden temporary file in the same folder, are flushed to disk,
    and then replace the target in one rename. An existing file keeps its permissions;
    a new one gets the usual ones (0666 less the umask). A symbolic link is followed, so
    the file it points to is replaced, not the link."""
    path = Path(path)
    folder = path.parent
    try:
        if path.is_symlink():
            path = Path(os.path.realpath(path))
            folder = path.parent
        folder.mkdir(parents=True, exist_ok=True)
        clean_stale_temporaries(path)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        reason = _reason(exc, folder)
        raise FileProblem(
            f"“{path.name}” was not saved because {reason}. The previous version is intact "
            "and your text is still open.",
            reason,
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes | bytearray | memoryview):
                handle.write(data)
            else:
                for piece in data:
                    handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~current_umask()
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise  # a piece that could not be encoded: said as it was raised
        reason = _reason(exc, folder)
        raise FileProblem(
            f"“{path.name}” was not saved because {reason}. The previous version is intact "
            "and your text is still open.",
            reason,
        ) from None
    _sync_folder(folder)


def _reason(exc: OSError, folder: Path) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return f"the folder {folder} is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"you don't have permission to write in {folder}"
    if exc.errno == errno.EIO:
        return "the disk reported an error"
    return str(exc.strerror or exc)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def clean_stale_temporaries(path: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove hidden `.NAME.*.tmp` files beside `path` left by a save that was killed
    part-way (only ones older than `older_than` seconds: a newer one may be a save in
    progress). Returns what was removed; never raises."""
    removed: list[Path] = []
    try:
        candidates = list(Path(path).parent.glob(f".{glob_escape(Path(path).name)}.*.tmp"))
    except OSError:
        return removed
    now = time.time()
    for candidate in candidates:
        try:
            if candidate.is_file() and now - candidate.stat().st_mtime > older_than:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed


def glob_escape(name: str) -> str:
    """A file name with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)
