"""Long-term memory: feedback, memories, recall, voice, privacy, forgetting, the prompt."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.model import Generation, ModelIdentity
from assistant.personalize import (
    PersonalizedModel,
    describe_why,
    memory_preamble,
    suppress,
)
from memory.document import AuthoredDocument
from memory.events import Author, How, SourceKind
from memory.feedback import REFUSED, Feedback, avoided_phrases, record, stats
from memory.memories import AVOID, MemoryStore
from memory.recall import hybrid_ranking, recall
from memory.store import Store
from memory.voice import choose_passages

WRITER = Author(SourceKind.PERSON, "Ada")
MODEL = Author(SourceKind.MODEL, "SmolLM2", "ab" * 32)
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "coauthor"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "draftsmith.db"


@pytest.fixture()
def store(db: Path) -> Iterator[MemoryStore]:
    db.parent.mkdir(parents=True, exist_ok=True)
    s = MemoryStore(db)
    yield s
    s.close()


@pytest.fixture(scope="module")
def embed() -> object:
    from memory.embedder import Embedder

    embedder = Embedder()
    embedder.load()

    def run(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(embedder.embed(list(texts)), dtype=np.float32)

    return run


class ScriptedModel:
    """A model that streams a fixed text token by token (to make filtering exact)."""

    def __init__(self, pieces: Sequence[str]) -> None:
        self.pieces = list(pieces)
        self.prompts: list[str] = []

    identity = ModelIdentity("scripted")
    context_length = 2048
    has_chat_template = False

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)

    def complete(self, prompt: str, **kwargs: object) -> Generation:
        self.prompts.append(prompt)
        on_token = kwargs.get("on_token")
        should_stop = kwargs.get("should_stop")
        sent = []
        for piece in self.pieces:
            if callable(should_stop) and should_stop():
                break
            sent.append(piece)
            if callable(on_token):
                on_token(piece)
        return Generation("".join(sent), 1, len(sent), 0.1, 0.01, 10.0, "length", False)

    def chat(self, messages: object, **kwargs: object) -> Generation:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _personalized(
    store: MemoryStore, model: object, near: str, doc_key: str = ""
) -> PersonalizedModel:
    recollection = recall(store, near, doc_key=doc_key)
    memory = memory_preamble(recollection, model.count_tokens, 256)  # type: ignore[attr-defined]
    return PersonalizedModel(model, memory)  # type: ignore[arg-type]


# --- memories: add, correct with history, proposals, persistence -----------------------


def test_a_correction_replaces_the_entry_and_keeps_its_history(store: MemoryStore) -> None:
    first = store.add("Captain of the Heron", "character", name="Mara Voss")
    again = store.add("Captain of the Gull since the mutiny", "character", name="mara voss")
    assert again.id == first.id
    assert [m.text for m in store.memories(["character"])] == [
        "Captain of the Gull since the mutiny"
    ]
    assert [c.text for c in store.get(first.id).history] == ["Captain of the Heron"]


def test_proposals_wait_for_the_writer_and_a_dismissal_is_not_asked_again(
    store: MemoryStore,
) -> None:
    proposal = store.propose("A name in your text.", "character", name="Tarn Ellery")
    assert proposal is not None and proposal.status == "proposed"
    assert store.memories() == []  # nothing added behind the writer's back
    assert recall(store, "Tarn Ellery walked in").entries == ()
    store.dismiss(proposal.id)
    assert store.propose("Again?", "character", name="Tarn Ellery") is None
    other = store.propose("A place.", "place", name="Gull Harbour")
    assert other is not None
    store.accept(other.id)
    assert [m.name for m in store.memories()] == ["Gull Harbour"]


def test_memories_persist_across_a_restart_and_reach_the_prompt(db: Path) -> None:
    db.parent.mkdir(parents=True)
    first = MemoryStore(db)
    first.add("Captain of the Heron; one eye", "character", name="Mara Voss", keywords="captain")
    first.add("British spelling", "style", pinned=True)
    first.close()

    reopened = MemoryStore(db)
    model = ScriptedModel([" She", " smiled", " at", " the", " color", "."])
    personalized = _personalized(reopened, model, "The captain looked out to sea.")
    text = personalized.complete("The captain looked out to sea.").text
    reopened.close()
    prompt = model.prompts[-1]
    assert "Mara Voss: Captain of the Heron; one eye" in prompt
    assert "British spelling" in prompt
    assert prompt.endswith("The captain looked out to sea.")
    assert "colour" in text  # the style rule is enforced on the words, too


def test_the_preamble_only_changes_when_what_is_recalled_changes(store: MemoryStore) -> None:
    store.add("Captain of the Heron", "character", name="Mara Voss")
    store.add("A port town", "place", name="Gull Harbour")
    model = ScriptedModel(["."])
    one = _personalized(store, model, "Mara Voss stood").memory.preamble
    two = _personalized(store, model, "Mara Voss stood on the deck and").memory.preamble
    three = _personalized(store, model, "Mara Voss sailed to Gull Harbour").memory.preamble
    assert one == two  # typing on: same prefix, llama.cpp's cache stays warm
    assert three != two and three.startswith("Notes on this piece:\n- Mara Voss")


def test_pinned_entries_are_never_dropped_for_the_budget(store: MemoryStore) -> None:
    store.add("x " * 400, "note", pinned=True)
    store.add("A port town", "place", name="Gull Harbour")
    recollection = recall(store, "They reached Gull Harbour")
    memory = memory_preamble(recollection, lambda t: max(1, len(t) // 4), budget_tokens=50)
    assert [r.memory.kind for r in memory.included] == ["note"]
    assert [r.memory.name for r in memory.skipped] == ["Gull Harbour"]


# --- feedback and refused phrases -------------------------------------------------------


def test_a_phrase_refused_three_times_is_not_offered_again(store: MemoryStore) -> None:
    phrase = "and then the door creaked open"
    for n in range(3):
        assert avoided_phrases(store) == []
        record(store, Feedback("Ada", f"context {n}", phrase.capitalize() + ".", REFUSED))
    assert phrase in avoided_phrases(store)
    assert {m.kind for m in store.memories()} == {AVOID}  # visible, and deletable
    model = ScriptedModel(
        [" She", " waited", ",", " and", " then", " the", " door", " creaked", " open", "."]
    )
    personalized = _personalized(store, model, "It was late.")
    streamed: list[str] = []
    result = personalized.complete("It was late.", on_token=streamed.append)
    assert result.text == " She waited,"
    assert "door" not in "".join(streamed)  # never shown, not even while streaming
    assert suppress("And then the door creaked open.", [phrase]) == ""


def test_learning_from_refusals_changes_the_real_models_suggestion(
    store: MemoryStore, default_model: Path
) -> None:
    from assistant.backend import LlamaBackend
    from assistant.continuation import ContinuationSettings, continue_text

    backend = LlamaBackend()
    backend.load(default_model, n_ctx=512, n_threads=2)
    try:
        settings = ContinuationSettings(max_tokens=12, temperature=0.0, seed=1)
        before = "The old lighthouse keeper climbed the stairs and"
        first = continue_text(backend, before, settings).text
        assert first.strip()
        for n in range(3):
            record(store, Feedback("Ada", f"c{n}", first, REFUSED))
        later = continue_text(_personalized(store, backend, before), before, settings).text
    finally:
        backend.close()
    assert later != first
    assert not later.strip() or first.strip().lower() not in later.lower()


def test_stats_report_the_acceptance_rate_over_time(store: MemoryStore) -> None:
    day = 86400.0
    for at, outcome in [(0, "accepted"), (10, "refused"), (day, "partial"), (day + 5, "ignored")]:
        record(store, Feedback("Ada", "c", "text", outcome, at=1_700_000_000 + at))
    summary = stats(store)
    assert summary["suggestions"] == 4 and summary["kept"] == 2
    assert [p["acceptance_rate"] for p in summary["periods"]] == [0.5, 0.5]


# --- voice, privacy, forgetting ----------------------------------------------------------


def test_voice_passages_never_include_model_text(tmp_path: Path) -> None:
    store = Store(tmp_path / "ledger.db")
    doc = AuthoredDocument.create(store, None, "story")
    mine = "The rain had not stopped for three days, and the river was rising. "
    theirs = "Suddenly a great wizard appeared with a glowing staff of pure light. "
    doc.record(0, 0, mine * 2, WRITER, How.TYPED)
    doc.record(len(doc.text), 0, theirs * 2, MODEL, How.SUGGESTION)
    doc.record(len(doc.text), 0, "\n\n" + mine, WRITER, How.TYPED)
    passages = choose_passages(doc.text, doc.labels())
    store.close()
    assert passages
    assert all("wizard" not in p.text for p in passages)
    assert any("river was rising" in p.text for p in passages)


def test_a_private_document_learns_nothing_and_receives_nothing(store: MemoryStore) -> None:
    store.add("Captain of the Heron", "character", name="Mara Voss")
    store.replace_voice("other-doc", [("A passage the writer typed elsewhere, long enough.", {})])
    store.add("Only in the diary", "note", scope="document", scope_ref="diary")
    store.set_private("diary", True)
    assert record(store, Feedback("Ada", "c", "Mara Voss waved.", REFUSED, doc_key="diary")) is None
    got = recall(store, "Mara Voss waved from the deck", doc_key="diary")
    assert [r.memory.text for r in got.entries] == ["Only in the diary"]
    assert got.voice == ()
    assert store.query("SELECT COUNT(*) FROM feedback")[0][0] == 0
    elsewhere = recall(store, "Mara Voss waved", doc_key="novel")
    assert [r.memory.name for r in elsewhere.entries] == ["Mara Voss"]


def _files_contain(folder: Path, needle: bytes) -> list[str]:
    return [p.name for p in folder.iterdir() if p.is_file() and needle in p.read_bytes()]


def test_forget_everything_removes_the_bytes_from_every_file(db: Path) -> None:
    db.parent.mkdir(parents=True)
    secret = "Zanzibarian quokka smuggler"
    store = MemoryStore(db)
    ledger = Store(db)  # another connection holds the file open, as the app's does
    for n in range(40):
        store.add(f"{secret} number {n}", "character", name=f"{secret} {n}", keywords="quokka")
        record(store, Feedback("Ada", f"near the {secret}", f"{secret} again", REFUSED))
    store.set_embeddings([(m.id, [0.1] * 384) for m in store.memories()])
    assert _files_contain(db.parent, secret.encode())
    store.forget_all()
    assert _files_contain(db.parent, secret.encode()) == []
    assert _files_contain(db.parent, b"quokka") == []  # FTS terms too
    assert store.memories(status=None) == []
    ledger.close()
    store.close()
    assert _files_contain(db.parent, secret.encode()) == []


def test_forgetting_one_memory_removes_its_bytes(store: MemoryStore, db: Path) -> None:
    keep = store.add("Keeps the lighthouse", "character", name="Old Tom")
    gone = store.add("Smuggles marzipan crocodiles", "character", name="Ysolde Quarrington")
    store.correct(gone.id, text="Smuggles marzipan crocodiles nightly")
    store.forget(gone.id)
    assert _files_contain(db.parent, b"Quarrington") == []
    assert _files_contain(db.parent, b"marzipan") == []
    assert [m.id for m in store.memories()] == [keep.id]


def test_export_writes_every_memory_with_history_and_feedback(store: MemoryStore) -> None:
    m = store.add("British spelling", "style")
    store.correct(m.id, text="British spelling, Oxford comma")
    record(store, Feedback("Ada", "c", "text", "accepted"))
    data = json.loads(json.dumps(store.export()))
    assert data["memories"][0]["history"][0]["text"] == "British spelling"
    assert data["feedback"][0]["outcome"] == "accepted"


# --- recall ----------------------------------------------------------------------------------

LABELLED = {
    "Mara Voss": ("character", "Captain of the Heron, a scarred veteran of the northern wars"),
    "Gull Harbour": ("place", "A fishing port where the smugglers unload at night"),
    "The Accord": ("claim", "The treaty that ended the war between the two kingdoms"),
    "Brine-glass": ("term", "Sea glass that glows faintly when a storm approaches"),
    "Old Tom": ("character", "The lighthouse keeper who knows every ship by its lights"),
    "Ash Hollow": ("place", "A burnt village in the forest, abandoned since the fire"),
}
QUERIES = {
    "The treaty was signed and the fighting stopped.": "The Accord",
    "Boats crept into the fishing town after dark with contraband.": "Gull Harbour",
    "The beacon on the rocks was tended by an old man.": "Old Tom",
    "Charred ruins among the trees, nobody lives there now.": "Ash Hollow",
    "The shard of glass began to shine as the clouds gathered.": "Brine-glass",
}


def test_hybrid_recall_finds_the_right_item_in_a_labelled_set(
    store: MemoryStore, embed: object
) -> None:
    for name, (kind, text) in LABELLED.items():
        store.add(text, kind, name=name)
    missing = store.missing_embeddings()
    vectors = embed([t for _, t in missing])  # type: ignore[operator]
    store.set_embeddings([(mid, v) for (mid, _), v in zip(missing, vectors, strict=True)])
    names = {m.id: m.name for m in store.memories()}
    hits = 0
    for query, expected in QUERIES.items():
        ranked = hybrid_ranking(store, query, embed([query])[0])  # type: ignore[operator]
        hits += names[ranked[0][0]] == expected
        assert expected in [names[i] for i, _ in ranked[:2]], query
    assert hits >= 4


# --- why this suggestion -------------------------------------------------------------------------


def test_the_why_view_lists_what_the_prompt_contained(store: MemoryStore) -> None:
    store.add("Captain of the Heron", "character", name="Mara Voss")
    store.add("No exclamation marks", "style")
    store.add("A long note " * 100, "note", name="Appendix", keywords="Mara Voss")
    model = ScriptedModel([" Run", "!"])
    personalized = _personalized(store, model, "Mara Voss shouted")
    personalized.memory = memory_preamble(
        recall(store, "Mara Voss shouted"), model.count_tokens, budget_tokens=40
    )
    assert personalized.complete("Mara Voss shouted").text == " Run."
    why = describe_why(personalized.memory, model.identity, personalized.last_prompt)
    assert "In the prompt:\n  • Mara Voss: Captain of the Heron" in why
    assert "Left out for the token budget:\n  • Appendix" in why
    assert "Style rules applied:\n  • No exclamation marks" in why
    assert "Model: scripted" in why
    assert why.endswith(personalized.last_prompt)
    assert personalized.last_prompt.endswith("Mara Voss shouted")


# --- the benchmark ------------------------------------------------------------------------------


@pytest.mark.skipif(not (CORPUS / "metadata.csv").exists(), reason="shared corpus not present")
def test_the_personalization_benchmark_runs_on_two_shared_sessions(embed: object) -> None:
    from memory.personalization_bench import METHODS, run_benchmark

    result = run_benchmark(CORPUS, embed, max_sessions=2)  # type: ignore[arg-type]
    assert result["sessions"] == 2 and result["picks"] > 0
    for method in METHODS:
        figures = result["overall"][method]
        assert 0.0 <= figures["top1"] <= 1.0 and 0.0 < figures["mrr"] <= 1.0


def test_forget_everything_also_removes_voice_history_and_feedback_vectors(db: Path) -> None:
    db.parent.mkdir(parents=True)
    secret = "Quetzalcoatl’s marmalade 🍊"
    needles = [secret.encode(), b"marmalade", "🍊".encode()]
    store = MemoryStore(db)
    ledger = Store(db)  # another connection holds the file open, as the app's does
    entry = store.add(f"{secret} at first", "character", name="Ottoline")
    store.correct(entry.id, text=f"{secret}, corrected")  # the old text is history
    store.replace_voice("doc", [(f"I wrote this myself: {secret} and more words.", {})])
    for n in range(5):
        record(
            store,
            Feedback(
                "Ada",
                f"before {secret}",
                f"{secret} {n}",
                "accepted",
                doc_key="doc",
                settings={"ledger_seqs": [n + 1], "rewritten_chars": n},
            ),
            embedding=[0.25] * 384,
        )
        record(store, Feedback("Ada", "c", f"{secret} refused", REFUSED))
    assert all(_files_contain(db.parent, needle) for needle in needles)
    store.forget_all()
    for needle in needles:
        assert _files_contain(db.parent, needle) == [], needle
    assert stats(store)["suggestions"] == 0 and stats(store)["rewritten"]["measured"] == 0
    ledger.close()
    store.close()
    for needle in needles:
        assert _files_contain(db.parent, needle) == [], needle
