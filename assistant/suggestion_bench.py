"""How good are the suggestions? Generate them at places cut from real writing and count.

Contexts come from the final texts of the shared CoAuthor sessions: mid-sentence (after
a word and its space), at a sentence end (after ". "), and at a paragraph start (after
a line break). Each gets what the editor would offer at a pause (`first_suggestion`,
the same screening and retries), and the figures the suggestion issue asks for are
computed on what is offered, beside the same figures for the model's raw output.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import regex

from assistant.alternatives import first_suggestion
from assistant.continuation import ContinuationSettings
from assistant.model import LanguageModel
from assistant.quality import junk_opening, repeats_context, unbalanced_markdown

KINDS = ("mid-sentence", "sentence-end", "paragraph-start")
DEFAULT_CONTEXTS = 200
MIN_BEFORE_CHARS = 200
SEED = 9


@dataclass(frozen=True, slots=True)
class Context:
    kind: str
    session: str
    before: str


def final_texts(corpus: Path) -> list[tuple[str, str]]:
    """(session id, final text) for every session of a CoAuthor corpus folder."""
    from memory.coauthor import replay_session, session_id_of

    out = []
    for path in sorted((corpus / "sessions").glob("*.jsonl*")):
        out.append((session_id_of(path), replay_session(path).final_text))
    return out


_MID = regex.compile(r"(?<=[\p{Ll},] )(?=\p{L})")
_SENTENCE = regex.compile(r"(?<=[a-z][.!?] )(?=[A-Z])")
_PARAGRAPH = regex.compile(r"(?<=\n)(?=[A-Z\"“])")


def cut_contexts(
    texts: Iterable[tuple[str, str]], count: int = DEFAULT_CONTEXTS, seed: int = SEED
) -> list[Context]:
    """`count` contexts, a third of each kind, drawn reproducibly from `texts`."""
    pools: dict[str, list[Context]] = {kind: [] for kind in KINDS}
    for session, text in texts:
        for kind, pattern in zip(KINDS, (_MID, _SENTENCE, _PARAGRAPH), strict=True):
            for match in pattern.finditer(text):
                at = match.start()
                if at >= MIN_BEFORE_CHARS:
                    if kind == "mid-sentence" and _near_sentence_start(text, at):
                        continue
                    pools[kind].append(Context(kind, session, text[:at]))
    rng = random.Random(seed)
    chosen: list[Context] = []
    for number, kind in enumerate(KINDS):
        share = count // len(KINDS) + (1 if number < count % len(KINDS) else 0)
        pool = pools[kind]
        chosen += rng.sample(pool, min(share, len(pool)))
    return chosen


def _near_sentence_start(text: str, at: int) -> bool:
    """Fewer than three words since the last sentence end: not really mid-sentence."""
    head = text[max(0, at - 80) : at]
    last = max(head.rfind(". "), head.rfind("\n"), head.rfind("? "), head.rfind("! "))
    return len(head[last + 1 :].split()) < 3


def _figures(rows: list[dict[str, object]], key: str) -> dict[str, float | int]:
    texts = [str(r[key]) for r in rows if r[key]]
    n = len(rows)
    offered = len(texts)

    def share(test: Callable[[dict[str, object]], bool]) -> float:
        hits = sum(1 for r in rows if r[key] and test(r))
        return round(hits / offered, 4) if offered else 0.0

    return {
        "contexts": n,
        "offered": offered,
        "offered_share": round(offered / n, 4) if n else 0.0,
        "repeat_share": share(lambda r: repeats_context(str(r[key]), str(r["before"]))),
        "unbalanced_markdown_share": share(
            lambda r: unbalanced_markdown(str(r[key]), str(r["before"]))
        ),
        "junk_opening_share": share(lambda r: junk_opening(str(r[key]))),
        "mean_length_chars": round(statistics.fmean(len(t) for t in texts), 1) if texts else 0.0,
        "mean_length_words": round(statistics.fmean(len(t.split()) for t in texts), 1)
        if texts
        else 0.0,
    }


def run_bench(
    model: LanguageModel,
    contexts: list[Context],
    settings: ContinuationSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Suggest at every context; the figures for what is offered and for the raw output."""
    settings = settings or ContinuationSettings(seed=SEED)
    rows: list[dict[str, object]] = []
    started = time.perf_counter()
    for number, context in enumerate(contexts, start=1):
        screened, tries = first_suggestion(model, context.before, settings)
        rows.append(
            {
                "kind": context.kind,
                "before": context.before,
                "offered": screened.text,
                "raw": screened.raw,
                "refused": screened.refused,
                "tries": tries,
            }
        )
        if progress is not None:
            progress(number, len(contexts))
    seconds = time.perf_counter() - started
    by_kind = {kind: [r for r in rows if r["kind"] == kind] for kind in KINDS}
    reasons: dict[str, int] = {}
    for row in rows:
        if row["refused"]:
            reasons[str(row["refused"])] = reasons.get(str(row["refused"]), 0) + 1
    return {
        "model": model.identity.name,
        "settings": {
            "max_tokens": settings.max_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "repeat_penalty": settings.repeat_penalty,
            "max_prompt_tokens": settings.max_prompt_tokens,
            "seed": settings.seed,
        },
        "seconds": round(seconds, 1),
        "offered": _figures(rows, "offered"),
        "offered_by_kind": {kind: _figures(r, "offered") for kind, r in by_kind.items()},
        "raw": _figures(rows, "raw"),
        "raw_by_kind": {kind: _figures(r, "raw") for kind, r in by_kind.items()},
        "refused_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        "examples": [
            {"kind": r["kind"], "before_tail": str(r["before"])[-80:], "offered": r["offered"]}
            for r in rows[:: max(1, len(rows) // 12)]
        ],
    }


TARGETS = {
    "repeat_share": 0.05,
    "unbalanced_markdown_share": 0.02,
    "junk_opening_share": 0.0,
    "mid_sentence_offered_share": 0.60,
}


def meets_targets(result: dict[str, object]) -> dict[str, bool]:
    """Which of the issue's targets the offered suggestions meet."""
    offered = result["offered"]
    by_kind = result["offered_by_kind"]
    assert isinstance(offered, dict) and isinstance(by_kind, dict)
    return {
        "repeats <= 5%": offered["repeat_share"] <= TARGETS["repeat_share"],
        "unbalanced <= 2%": offered["unbalanced_markdown_share"]
        <= TARGETS["unbalanced_markdown_share"],
        "junk openings 0%": offered["junk_opening_share"] <= TARGETS["junk_opening_share"],
        "mid-sentence offered >= 60%": by_kind["mid-sentence"]["offered_share"]
        >= TARGETS["mid_sentence_offered_share"],
    }
