"""The provenance report: shares by origin (whole text and per section), a chart of who wrote
what over the course of writing, the model contributions, and a disclosure paragraph the
writer can paste into a submission."""

from __future__ import annotations

import html
from dataclasses import dataclass

import regex

from memory import origins
from memory.events import Author, EditEvent, How, SourceKind
from memory.origins import HUMAN, MODEL, MODEL_EDITED, ORIGIN_KEYS, UNKNOWN, vocabulary
from memory.provenance.html import (
    export_css,
    legend_rows,
    page,
    script_json,
    share_bar,
    swatch,
)
from memory.provenance.manifest import Manifest
from memory.provenance.record import (
    ProvenanceRecord,
    describe_author,
    format_time,
    how_words,
)
from memory.provenance.signing import fingerprint

_HEADING = regex.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$", regex.MULTILINE)
_FENCE = regex.compile(r"^ {0,3}(```|~~~)", regex.MULTILINE)
CHART_NAME = "draftsmith-timeline.svg"
TABLE = '<table class="data" cellpadding="4" cellspacing="0" width="100%">'
MAX_CONTRIBUTION_ROWS = 200


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    start: int
    end: int


def sections(text: str) -> list[Section]:
    """The text split at its Markdown headings (ATX, outside fenced code)."""
    fences = [m.start() for m in _FENCE.finditer(text)]
    headings = []
    for match in _HEADING.finditer(text):
        inside_fence = sum(1 for f in fences if f < match.start()) % 2 == 1
        if not inside_fence:
            headings.append((match.start(), match.group(2).strip() or "(untitled heading)"))
    result: list[Section] = []
    if not headings or text[: headings[0][0]].strip():
        first = headings[0][0] if headings else len(text)
        result.append(Section("(Before the first heading)" if headings else "Whole text", 0, first))
    for n, (start, title) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(text)
        result.append(Section(title, start, end))
    return result


def _pct(part: int, whole: int) -> str:
    if not whole or not part:
        return "0%"
    value = 100 * part / whole
    return "<1%" if value < 1 else (">99%" if 99 < value < 100 else f"{round(value)}%")


def _exact_pct(part: int, whole: int) -> str:
    """A share to one decimal, as the authorship statistics show it."""
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n:,} {noun}s"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _model_phrase(author: Author) -> str:
    where = "running locally" if author.model_sha256 else "used through a server"
    return f"{author.name} (a language model {where})"


def disclosure(record: ProvenanceRecord, manifest: Manifest | None = None) -> str:
    """A plain-language statement of who wrote the text, for pasting into a submission."""
    total = len(record.text)
    if not total:
        return "This text is empty."
    by_author = record.characters_by_author()
    ordered = sorted(
        ((a, n) for a, n in by_author.items() if a is not None), key=lambda item: -item[1]
    )
    clauses: list[str] = []
    for author, count in ordered:
        share = _pct(count, total)
        if author.kind is SourceKind.PERSON:
            clauses.append(f"{share} were typed by {author.name}")
        elif author.kind is SourceKind.MODEL:
            hows = _model_hows(record, author)
            clause = f"{share} were written by {_model_phrase(author)} and {hows}"
            edited = sum(
                r.length for r in record.runs() if r.author == author and r.origin == MODEL_EDITED
            )
            if edited:  # a share of this model's characters, as the statistics show it
                clause += (
                    f" (of these, {_count(edited, 'character')} ({_exact_pct(edited, count)}) "
                    f"{'was' if edited == 1 else 'were'} then edited by the writer)"
                )
            clauses.append(clause)
        elif author.kind is SourceKind.CLIPBOARD:
            clauses.append(f"{share} were pasted from outside the document")
        elif author.kind is SourceKind.IMPORT:
            clauses.append(f"{share} came from an imported file ({author.name})")
        else:
            clauses.append(f"{share} were changed outside Draftsmith by an unknown author")
    if by_author.get(None):
        clauses.append(f"{_pct(by_author[None], total)} have no record of who wrote them")
    sentence = f"Of the {total:,} characters in this text, {_join(clauses)}."
    times = record.event_times()
    if times:
        sentence += (
            f" Draftsmith recorded every edit as it happened ({len(record.events):,} edits "
            f"between {format_time(times[0])} and {format_time(times[1])})"
        )
        if manifest is not None and manifest.get("signer"):
            sentence += (
                f"; this account is signed with key {manifest['signer']['fingerprint']} and can "
                "be checked with “draftsmith verify”"
            )
        sentence += "."
    return sentence


def _model_hows(record: ProvenanceRecord, author: Author) -> str:
    counts: dict[How, int] = {}
    for run in record.runs():
        if run.event is not None and run.event.author == author:
            counts[run.event.how] = counts.get(run.event.how, 0) + run.length
    verbs = {
        How.SUGGESTION: "accepted as whole suggestions",
        How.PARTIAL: "accepted in part (word by word or line by line)",
        How.REWRITE: "kept from rewrites the writer asked for",
        How.BRAINSTORM: "inserted from brainstorming ideas",
    }
    parts = [verbs.get(how, how_words(how)) for how, _ in _by_count(counts)]
    return "accepted by the writer" if not parts else _join(parts)


def _by_count(counts: dict[How, int]) -> list[tuple[How, int]]:
    return sorted(counts.items(), key=lambda item: -item[1])


@dataclass(frozen=True, slots=True)
class Contribution:
    """What survives in the text of one model event, and how much others changed it."""

    event: EditEvent
    kept: int  # its characters still in the text
    pieces: int  # separate runs it is now split into
    inserted_inside: int  # characters by other events between its first and last character


def model_contributions(record: ProvenanceRecord) -> list[Contribution]:
    found: dict[int, list[tuple[int, int]]] = {}
    events: dict[int, EditEvent] = {}
    for run in record.runs():
        event = run.event
        if event is not None and event.author.kind is SourceKind.MODEL:
            found.setdefault(event.seq, []).append((run.start, run.end))
            events[event.seq] = event
    result = []
    for seq, spans in found.items():
        kept = sum(end - start for start, end in spans)
        extent = spans[-1][1] - spans[0][0]
        result.append(Contribution(events[seq], kept, len(spans), extent - kept))
    return sorted(result, key=lambda c: (c.event.at, c.event.seq))


def timeline_svg(record: ProvenanceRecord, width: int = 720, height: int = 280) -> str:
    """Stacked areas: characters of the final text by origin, by when they were written."""
    kept: dict[int, int] = {}
    for run in record.runs():
        if run.event is not None:
            kept[run.event.seq] = kept.get(run.event.seq, 0) + run.length
    events = sorted(
        {e.seq: e for e in [*record.events, *(r.event for r in record.runs() if r.event)]}.values(),
        key=lambda e: (e.at, e.seq),
    )
    left, right, top, bottom = 64, 16, 34, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    font = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Characters of the final text by origin over the course of writing">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if not events:
        parts.append(f'<text x="{left}" y="{top + 20}" {font}>No recorded edits.</text></svg>')
        return "".join(parts)
    shown = [o for o in ORIGIN_KEYS if o != UNKNOWN]
    words = vocabulary()
    start, end = events[0].at, events[-1].at
    span = max(end - start, 1.0)
    buckets = min(len(events), 400)
    totals = {o: 0 for o in shown}
    samples: list[tuple[float, dict[str, int]]] = [(start, dict(totals))]
    index = 0
    for b in range(1, buckets + 1):
        limit = start + span * b / buckets
        while index < len(events) and (events[index].at <= limit or b == buckets):
            event = events[index]
            totals[origins.origin_of(event)] += kept.get(event.seq, 0)
            index += 1
        samples.append((limit, dict(totals)))
    peak = max(sum(t.values()) for _, t in samples) or 1

    def x(at: float) -> float:
        return left + plot_w * (at - start) / span

    def y(value: float) -> float:
        return top + plot_h * (1 - value / peak)

    below = [0] * len(samples)
    for origin in shown:
        above = [below[i] + samples[i][1][origin] for i in range(len(samples))]
        if above == below:
            continue
        upper = " ".join(
            f"{x(at):.1f},{y(v):.1f}" for (at, _), v in zip(samples, above, strict=True)
        )
        lower = " ".join(
            f"{x(at):.1f},{y(v):.1f}"
            for (at, _), v in reversed(list(zip(samples, below, strict=True)))
        )
        fill = line = words[origin].light.line
        parts.append(
            f'<polygon points="{upper} {lower}" fill="{fill}" fill-opacity="0.55" '
            f'stroke="{line}" stroke-width="1"/>'
        )
        below = above
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>'
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" {font}>{peak:,}</text>'
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" {font}>0</text>'
        f'<text x="{left}" y="{height - 24}" {font}>{html.escape(format_time(start))}</text>'
        f'<text x="{left + plot_w}" y="{height - 24}" text-anchor="end" {font}>'
        f"{html.escape(format_time(end))}</text>"
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle" {font}>'
        "time of writing →</text>"
        f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" {font} '
        f'transform="rotate(-90 14 {top + plot_h / 2})">characters in final text</text>'
    )
    legend_x = float(left)
    for origin in shown:
        if not totals[origin]:
            continue
        label = words[origin].description
        parts.append(
            f'<rect x="{legend_x}" y="10" width="14" height="10" fill="{words[origin].light.line}" '
            'fill-opacity="0.55"/>'
            f'<text x="{legend_x + 19}" y="19" {font}>{html.escape(label)}</text>'
        )
        legend_x += 30 + 6.2 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def _section_rows(record: ProvenanceRecord) -> str:
    rows = []
    parts = [Section(*part) for part in record.parts] or sections(record.text)
    for section in parts:
        counts = record.characters_by_origin(section.start, section.end)
        size = section.end - section.start
        model = counts.get(MODEL, 0) + counts.get(MODEL_EDITED, 0)
        other = size - counts.get(HUMAN, 0) - model
        rows.append(
            f"<tr><td>{html.escape(section.title)}</td>"
            f'<td class="num" align="right">{size:,}</td>'
            f'<td class="num" align="right">{html.escape(_pct(counts.get(HUMAN, 0), size))}</td>'
            f'<td class="num" align="right">{html.escape(_pct(model, size))}</td>'
            f'<td class="num" align="right">{html.escape(_pct(other, size))}</td>'
            f'<td width="30%">{share_bar(counts, size, printable=True)}</td></tr>'
        )
    return "".join(rows)


def _author_rows(record: ProvenanceRecord, printable: bool) -> str:
    total = len(record.text)
    words = vocabulary()
    rows = []
    for author, count in sorted(record.characters_by_author().items(), key=lambda item: -item[1]):
        origin = origins.origin_of_author(author)
        name = describe_author(author) if author else words[UNKNOWN].label
        rows.append(
            f"<tr><td>{swatch(origin, printable)} {html.escape(name)}</td>"
            f"<td>{words[origin].description}</td>"
            f'<td class="num" align="right">{count:,}</td>'
            f'<td class="num" align="right">{html.escape(_pct(count, total))}</td></tr>'
        )
    return "".join(rows)


def _contribution_rows(record: ProvenanceRecord) -> str:
    contributions = model_contributions(record)
    rows = []
    for c in contributions[:MAX_CONTRIBUTION_ROWS]:
        if c.pieces > 1 or c.inserted_inside:
            changed = (
                f"edited: {c.inserted_inside:,} characters by others inside, "
                f"now in {c.pieces} pieces"
            )
        else:
            changed = "no insertions inside it"
        rows.append(
            f"<tr><td>{html.escape(c.event.author.name)}</td><td>{format_time(c.event.at)}</td>"
            f"<td>{how_words(c.event.how)}</td>"
            f'<td class="num" align="right">{c.kept:,}</td><td>{changed}</td></tr>'
        )
    if len(contributions) > MAX_CONTRIBUTION_ROWS:
        rows.append(
            f'<tr><td colspan="5">… and {len(contributions) - MAX_CONTRIBUTION_ROWS:,} more '
            "(all are in the manifest).</td></tr>"
        )
    return "".join(rows) or '<tr><td colspan="5">No model text remains in the document.</td></tr>'


def report_body(
    record: ProvenanceRecord, manifest: Manifest | None, chart: str, printable: bool = False
) -> str:
    counts = record.characters_by_origin()
    total = len(record.text)
    models = "".join(
        f"<tr><td>{html.escape(m.name)}</td><td><code class='hash'>"
        f"{html.escape(m.model_sha256 or 'unknown (not a local file)')}</code></td></tr>"
        for m in record.models()
    )
    signer = ""
    if manifest is not None and manifest.get("signer"):
        key = manifest["signer"]["public_key"]
        signer = (
            f"<tr><td>Signed by key</td><td><code>{fingerprint(key)}</code> "
            f"(Ed25519 public key <code class='hash'>{html.escape(key)}</code>)</td></tr>"
            f"<tr><td>Text SHA-256</td><td><code class='hash'>{manifest['text']['sha256']}"
            "</code></td></tr>"
            f"<tr><td>Report created</td><td>{html.escape(manifest['created'])}</td></tr>"
        )
    return (
        '<header class="ds-summary">'
        f"<h1>Provenance report: {html.escape(record.title or 'Untitled')}</h1>"
        f"<p>{total:,} characters, recorded by Draftsmith {html.escape(record.app_version)}."
        "</p></header>"
        "<h2>Disclosure</h2>"
        f'<blockquote class="disclosure">{html.escape(disclosure(record, manifest))}</blockquote>'
        '<p class="hint">You can paste this paragraph into a submission as it is.</p>'
        "<h2>Who wrote the text</h2>"
        f"{share_bar(counts, total, printable=True)}"
        f"{TABLE}<tr><th></th><th>Origin</th><th>Characters</th><th>Share</th></tr>"
        f"{legend_rows(counts, total, printable)}</table>"
        f"<p></p>{TABLE}<tr><th>Author</th><th>Origin</th><th>Characters</th>"
        f"<th>Share</th></tr>{_author_rows(record, printable)}</table>"
        "<h2>By section</h2>"
        f"{TABLE}<tr><th>Section</th><th>Characters</th><th>Writer</th>"
        f"<th>Model</th><th>Other</th><th></th></tr>{_section_rows(record)}</table>"
        "<h2>Over the course of writing</h2>"
        f"{chart}"
        '<p class="hint">Each area counts the characters of the final text written up to that '
        "time, by origin. Text later deleted is not shown.</p>"
        "<h2>Model contributions</h2>"
        f"{TABLE}<tr><th>Model</th><th>When</th><th>How</th><th>Characters kept</th>"
        f"<th>Changed afterwards</th></tr>{_contribution_rows(record)}</table>"
        '<p class="hint">“Changed afterwards” counts what others inserted inside a '
        "contribution; deletions from it are not visible in the final text.</p>"
        "<h2>Verification</h2>"
        f"{TABLE}"
        + (models and f"<tr><td>Models</td><td><table>{models}</table></td></tr>")
        + f"<tr><td>Ledger head</td><td><code class='hash'>{html.escape(record.ledger_head)}"
        "</code></td></tr>" + signer + "</table>"
        '<p class="hint">Anyone can check the exported file and this account with '
        "<code>draftsmith verify FILE</code>.</p>"
    )


def write_report(record: ProvenanceRecord, manifest: Manifest | None) -> str:
    """The report as a standalone HTML page with an inline SVG chart and the manifest."""
    body = report_body(record, manifest, timeline_svg(record))
    if manifest is not None:
        body += script_json("draftsmith-manifest", manifest)
    return page(f"Provenance report: {record.title}", body, export_css("report"))


def printable_report(
    record: ProvenanceRecord, manifest: Manifest | None
) -> tuple[str, dict[str, str]]:
    """The report for Qt's rich text engine: the chart as an image resource (SVG text)."""
    chart = f'<p><img src="{CHART_NAME}" width="620" height="241"></p>'
    body = report_body(record, manifest, chart, printable=True)
    return page(f"Provenance report: {record.title}", body, printable=True), {
        CHART_NAME: timeline_svg(record)
    }
