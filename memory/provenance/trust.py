"""The one rule for what a file's authorship is when it is opened.

Four things may speak for a file: Draftsmith's own ledger (when it edited the file), the
recovery journal (work the ledger holds that never reached the file), the file's iA
authorship block, and nothing at all (text written elsewhere). The window and every
command that reads a file's authorship ask `decide()`, in this order:

1. The ledger's text is the file's text: the ledger wins (it knows every edit).
2. The ledger's last save is the file's text and it holds newer work (a crash after
   typing): that work comes back with its history, before any block is consulted (the
   ledger wrote the block, so a block Draftsmith saved never hides unsaved work).
3. The file carries a block the writer can trust (or chose to keep): the block wins
   over a ledger that is otherwise stale. What no valid range claims is imported text.
4. The ledger is stale otherwise: the file changed outside Draftsmith; unchanged
   stretches keep their authors and the changes are an unknown author's.
5. Nothing else is known: the whole text is imported from the file.

A block that needs review (its text changed after it was written, or a range lies
outside the text) is never applied by guesswork: until the writer chooses (`KEEP` its
valid ranges, or `IGNORE` it), the decision says `needs_decision` and falls through
to rules 4-5. The decision is plain data; `open_document` applies it to the store (the
window), `record_for_decision` turns it into an export record without writing (tools).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from memory.document import AuthoredDocument, text_sha256
from memory.events import Author, EditEvent, SourceKind
from memory.ledger import GENESIS_HASH
from memory.provenance.annotations import ParsedAnnotations, parse_annotated_markdown
from memory.provenance.build import (
    AuthorRun,
    annotated_runs,
    record_for,
    record_from_runs,
    record_of_state,
    unclaimed_characters,
)
from memory.provenance.chain import check_chain
from memory.provenance.record import ProvenanceRecord
from memory.runs import AuthoredText
from memory.store import Store

#: Files whose authorship block is read (other files are plain text, block and all).
MARKDOWN_SUFFIXES = (".md", ".markdown")


class Source(StrEnum):
    """Where the authorship of an opened file comes from."""

    LEDGER = "ledger"  # Draftsmith's ledger, whose text is the file's
    ANNOTATIONS = "annotations"  # the file's own authorship block
    RECOVERY = "recovery"  # the ledger's unsaved work, newer than the file
    EXTERNAL = "external"  # the ledger, with the file's outside changes reconciled
    IMPORTED = "imported"  # nothing: the text is imported from the file


class BlockChoice(StrEnum):
    """The writer's choice about a block that needs review."""

    ASK = "ask"  # not chosen yet: the block is not applied, the writer must decide
    KEEP = "keep"  # apply its valid ranges; the rest is imported text
    IGNORE = "ignore"  # treat the file as if it had no block


class BlockState(StrEnum):
    NONE = "none"  # no authorship block (or not a Markdown file)
    VALID = "valid"  # a block whose hash matches and whose ranges lie in the text
    NEEDS_REVIEW = "needs-review"  # a block with problems: the writer must choose


@dataclass(frozen=True, slots=True)
class SavedState:
    """The ledger as of the file's last save: its text, runs, events and chain head."""

    state: AuthoredText
    events: dict[int, EditEvent]
    head_hash: str
    edited: frozenset[int] = frozenset()  # model events the writer had deleted from


@dataclass(frozen=True, slots=True)
class KnownLedger:
    """What Draftsmith's own ledger holds for a file, read when the file was opened:
    the document (opened at `head_text`) and, when work was journaled after the last
    save, the ledger as of that save."""

    document: AuthoredDocument
    head_text: str
    saved: SavedState | None


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """What a file's authorship is, and why.

    `text` is what the document holds once opened (the journaled text for RECOVERY,
    else the file's text). `runs` are who wrote what of it for ANNOTATIONS and IMPORTED.
    `problems` are the block's problems in plain words; `notes` say what was done
    about them; `needs_decision` is True while a block needing review awaits the writer.
    """

    source: Source
    text: str
    runs: tuple[AuthorRun, ...]
    block: BlockState
    choice: BlockChoice
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    needs_decision: bool = False

    def to_json(self) -> dict[str, object]:
        """A JSON-ready summary (for `--json` output and for comparing decisions)."""
        return {
            "source": self.source.value,
            "block": self.block.value,
            "choice": self.choice.value,
            "needs_decision": self.needs_decision,
            "problems": list(self.problems),
            "notes": list(self.notes),
        }


def split_block(path: Path, content: str) -> tuple[str, ParsedAnnotations | None]:
    """The text of a file without its authorship block, and the parsed block (None for
    files that are not Markdown or have no block)."""
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        return content, None
    parsed = parse_annotated_markdown(content)
    if not parsed.has_block:
        return content, None
    return parsed.text, parsed


def known_ledger(store: Store | None, key: str) -> KnownLedger | None:
    """The ledger Draftsmith keeps for the file at `key` (a resolved path), if any."""
    if store is None:
        return None
    doc_id = store.document_for_path(key)
    if doc_id is None:
        return None
    document = AuthoredDocument.open(store, doc_id)
    info = store.document_info(doc_id)
    saved = None
    if info.head_seq > info.saved_seq:
        state, events = document.ledger.replay(info.saved_seq)
        entries = document.ledger.entries(info.saved_seq - 1, info.saved_seq)
        head = entries[-1].hash if info.saved_seq and entries else GENESIS_HASH
        edited = frozenset(document.ledger.edited_models(info.saved_seq))
        saved = SavedState(state, events, head, edited)
    return KnownLedger(document, document.text, saved)


def decide(
    text: str,
    annotations: ParsedAnnotations | None,
    known: KnownLedger | None,
    *,
    imported: Author,
    choice: BlockChoice = BlockChoice.ASK,
) -> TrustDecision:
    """The authorship of a file whose text (without its block) is `text`; `imported` is
    the author of text nothing else claims (the file, as an import source)."""
    if annotations is None or not annotations.has_block:
        block = BlockState.NONE
    elif annotations.needs_review:
        block = BlockState.NEEDS_REVIEW
    else:
        block = BlockState.VALID
    problems: tuple[str, ...] = ()
    if annotations is not None and block is BlockState.NEEDS_REVIEW:
        problems = tuple(annotations.problems) or ("The authorship block does not match the text.",)
    notes: tuple[str, ...] = ()
    if known is not None and known.head_text == text:
        if block is BlockState.NEEDS_REVIEW:
            notes = (
                "The file's authorship block was not used: Draftsmith's own record of this "
                "file matches its text.",
            )
        return TrustDecision(Source.LEDGER, text, (), block, choice, problems, notes)

    if known is not None and known.saved is not None and known.saved.state.text == text:
        # The ledger saved exactly this file (its block included) and holds newer work:
        # unsaved typing from before a crash. The ledger wrote the block, so it knows
        # more than the block does: offer the work back, history and all.
        if block is BlockState.NEEDS_REVIEW:
            notes = (
                "The file's authorship block was not used: Draftsmith's own record of this "
                "file matches its text.",
            )
        return TrustDecision(Source.RECOVERY, known.head_text, (), block, choice, problems, notes)

    usable = annotations if block is BlockState.VALID else None
    needs_decision = False
    if block is BlockState.NEEDS_REVIEW:
        if choice is BlockChoice.KEEP:
            usable = annotations
        elif choice is BlockChoice.IGNORE:
            notes = ("The file's authorship block was ignored, as asked.",)
        else:
            needs_decision = True
    if usable is not None:
        runs = tuple(annotated_runs(text, usable, imported))
        if block is BlockState.NEEDS_REVIEW:
            notes = (_kept_note(usable, runs, imported),)
        return TrustDecision(Source.ANNOTATIONS, text, runs, block, choice, problems, notes)

    if known is not None:
        return TrustDecision(
            Source.EXTERNAL, text, (), block, choice, problems, notes, needs_decision
        )
    runs = ((0, len(text), imported),) if text else ()
    if block is BlockState.NEEDS_REVIEW:
        notes = (*notes, "All of the file's text is treated as imported.")
    return TrustDecision(
        Source.IMPORTED, text, runs, block, choice, problems, notes, needs_decision
    )


def _kept_note(
    annotations: ParsedAnnotations, runs: tuple[AuthorRun, ...], imported: Author
) -> str:
    left_out = len(annotations.invalid_ranges())
    unclaimed = unclaimed_characters(runs, imported)
    note = "The valid ranges of the file's authorship block were applied"
    if left_out:
        ranges = (
            "1 range outside the text was"
            if left_out == 1
            else f"{left_out} ranges outside the text were"
        )
        note += f"; {ranges} left out"
    if unclaimed:
        chars = "1 character" if unclaimed == 1 else f"{unclaimed:,} characters"
        note += f"; {chars} that no valid range claims are treated as imported text"
    return note + "."


def open_document(
    decision: TrustDecision,
    store: Store,
    key: str,
    title: str,
    known: KnownLedger | None,
) -> AuthoredDocument:
    """Apply a decision to the store, as the window does when it opens a file: the
    ledger's document for LEDGER and RECOVERY, reconciled with the file for EXTERNAL,
    and a new ledger whose first events write `runs` for ANNOTATIONS and IMPORTED (it
    takes over the path from any older ledger)."""
    if decision.source in (Source.LEDGER, Source.RECOVERY, Source.EXTERNAL):
        if known is None:
            raise ValueError(f"a {decision.source} decision needs the ledger it came from")
        if decision.source is Source.EXTERNAL:
            known.document.reconcile_with_disk(decision.text)
        return known.document
    text = decision.text
    document = AuthoredDocument.create(store, None, title)
    document.record_import(text, decision.runs)
    store.set_document_path(document.doc_id, key)
    document.flush()
    document.mark_saved(text_sha256(text))
    return document


def record_for_decision(
    decision: TrustDecision,
    known: KnownLedger | None,
    *,
    file_text: str,
    title: str,
    at: float,
    app_version: str,
) -> ProvenanceRecord:
    """The export record of the file's text (`file_text`) under a decision, written to
    nothing: the ledger as it is (LEDGER), as of the last save (RECOVERY: the file holds
    the saved text), with the outside changes as an unknown author's (EXTERNAL), or the
    runs stamped `at` (ANNOTATIONS, IMPORTED). A record from the ledger is only made once
    its hash chain checks out (`chain.BrokenHistory` otherwise: never sign a forgery)."""
    if decision.needs_decision:
        raise ValueError("the file's authorship block needs the writer's decision first")
    if decision.source in (Source.ANNOTATIONS, Source.IMPORTED):
        return record_from_runs(file_text, decision.runs, title, at, app_version)
    if known is None:
        raise ValueError(f"a {decision.source} decision needs the ledger it came from")
    document = known.document
    check_chain(document.ledger, title)
    if decision.source is Source.LEDGER:
        return record_for(document, title, app_version)
    if decision.source is Source.RECOVERY and known.saved is not None:
        saved = known.saved
        return record_of_state(
            saved.state, saved.events, title, saved.head_hash, app_version, saved.edited
        )
    state, events = document.preview_reconcile(file_text, at)
    return record_of_state(
        state, events, title, document.head_hash, app_version, document.edited_models
    )


@dataclass(frozen=True, slots=True)
class FileAuthorship:
    """A file's authorship as a tool that only reads sees it."""

    decision: TrustDecision
    record: ProvenanceRecord | None  # None while the block awaits the writer's decision


def file_authorship(
    path: Path,
    content: str,
    store: Store | None,
    *,
    app_version: str,
    choice: BlockChoice = BlockChoice.ASK,
) -> FileAuthorship:
    """Decide a file's authorship from its content (as read, block included) and the
    store (None: no ledger known), and build its export record without writing."""
    text, annotations = split_block(path, content)
    del content  # the text before a block is a copy: a long file is not held twice
    known = known_ledger(store, str(path.resolve()))
    decision = decide(
        text, annotations, known, imported=Author(SourceKind.IMPORT, path.name), choice=choice
    )
    if decision.needs_decision:
        return FileAuthorship(decision, None)
    record = record_for_decision(
        decision,
        known,
        file_text=text,
        title=path.stem,
        at=path.stat().st_mtime,
        app_version=app_version,
    )
    return FileAuthorship(decision, record)
