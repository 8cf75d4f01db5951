"""Report, PDF and PROV-JSON exports."""

from __future__ import annotations

import json

import pytest
from export_samples import ANA, SMOL, T0, build_record
from test_html import assert_well_formed

from app.export import export
from memory.events import EditEvent, How
from memory.provenance import verify_file
from memory.provenance.prov import editing_sessions, write_prov
from memory.provenance.report import disclosure, model_contributions, sections, write_report


def test_disclosure_names_shares_people_models_and_how(essay):
    text = disclosure(essay)
    assert text.startswith(f"Of the {len(essay.text):,} characters in this text, ")
    assert "typed by Ana Lima" in text
    assert "written by SmolLM2-135M-Instruct (a language model running locally)" in text
    assert "accepted as whole suggestions" in text and "pasted from outside" in text


def test_sections_follow_headings_but_not_code():
    text = "Intro\n# One\nx\n```\n# not a heading\n```\n## Two\ny\n"
    titles = [s.title for s in sections(text)]
    assert titles == ["(Before the first heading)", "One", "Two"]


def test_model_contribution_edited_by_writer_is_measured():
    model_event = EditEvent(1, SMOL, How.SUGGESTION, T0)
    person_event = EditEvent(2, ANA, How.TYPED, T0 + 5)
    record = build_record([("x", ANA, How.TYPED)])
    from memory.events import AttributedSpan
    from memory.provenance.record import ProvenanceRecord

    text = "quick fox"
    spans = [
        AttributedSpan(0, 5, model_event),
        AttributedSpan(5, 1, person_event),
        AttributedSpan(6, 3, model_event),
    ]
    record = ProvenanceRecord("t", text, spans, [model_event, person_event], "h", "v")
    (contribution,) = model_contributions(record)
    assert (contribution.kept, contribution.pieces, contribution.inserted_inside) == (8, 2, 1)


def test_report_html_is_well_formed_with_chart(essay):
    page = write_report(essay, None)
    assert_well_formed(page)
    assert "<svg" in page and "<polygon" in page and "By section" in page
    assert "A walk" in page and "Later" in page


@pytest.mark.parametrize("fmt", ["pdf", "report-pdf"])
def test_pdf_is_produced_with_pages(qapp, essay, tmp_path, fmt):
    # qapp: a QApplication for the whole session (a bare QGuiApplication made by the
    # renderer would leave later widget tests without one).
    out = tmp_path / f"{fmt}.pdf"
    (written,) = export(essay, fmt, out, tmp_path / "keys")
    data = written.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-64:]
    count = int(data.split(b"/Count ")[1].split()[0].rstrip(b">"))  # the page tree
    assert count > 0
    assert not verify_file(out).ok  # PDFs point to the checkable exports


def test_prov_sidecar_is_prov_json_and_checks_the_markdown(essay, tmp_path):
    keys = tmp_path / "keys"
    export(essay, "markdown", tmp_path / "essay.md", keys)
    (tmp_path / "essay.md.manifest.json").unlink()
    (prov_path,) = export(essay, "prov", tmp_path / "essay.md.prov.json", keys)
    prov = json.loads(prov_path.read_text())
    assert set(prov) >= {"prefix", "entity", "agent", "activity", "wasAttributedTo"}
    assert {"wasGeneratedBy", "wasAssociatedWith"} <= set(prov)
    types = {a["prov:label"]: a["prov:type"] for a in prov["agent"].values()}
    assert types[ANA.name] == "prov:Person" and types[SMOL.name] == "prov:SoftwareAgent"
    suggestions = [a for a in prov["activity"].values() if a["prov:type"].endswith("Suggestion")]
    assert len(suggestions) == 2
    assert verify_file(tmp_path / "essay.md").ok
    assert verify_file(prov_path).ok


def test_sessions_split_on_half_hour_gaps():
    events = [EditEvent(i + 1, ANA, How.TYPED, T0 + at) for i, at in enumerate([0, 60, 4000, 4100])]
    assert [len(s) for s in editing_sessions(events)] == [2, 2]
    record = build_record([("a", ANA, How.TYPED)])
    prov = write_prov(record, None)
    assert "draftsmith:session-1" in prov["activity"]


def test_sidecar_beside_html_must_match_the_embedded_account(essay, tmp_path):
    keys = tmp_path / "keys"
    export(essay, "html", tmp_path / "essay.html", keys)
    (sidecar,) = export(essay, "prov", tmp_path / "essay.html.prov.json", keys)
    assert verify_file(sidecar).ok
    other = build_record([("Something else entirely.", ANA, How.TYPED)])
    export(other, "prov", sidecar, keys)
    result = verify_file(sidecar)
    assert not result.ok and any("differs from the account" in p for p in result.problems)


def test_a_sidecar_exported_seconds_after_its_page_still_verifies(essay, tmp_path, monkeypatch):
    """The page and its sidecar are two exports: their `created` times (and so their
    signatures) differ whenever a second passes between them; the account must not."""
    import memory.provenance.manifest as manifest_module

    keys = tmp_path / "keys"
    export(essay, "html", tmp_path / "essay.html", keys)
    later = manifest_module.time.time() + 61.0
    monkeypatch.setattr(manifest_module.time, "time", lambda: later)
    (sidecar,) = export(essay, "prov", tmp_path / "essay.html.prov.json", keys)
    assert verify_file(sidecar).ok


def test_a_sidecar_with_the_pages_account_and_a_forged_signature_is_flagged(essay, tmp_path):
    keys = tmp_path / "keys"
    export(essay, "html", tmp_path / "essay.html", keys)
    (sidecar,) = export(essay, "prov", tmp_path / "essay.html.prov.json", keys)
    content = sidecar.read_text(encoding="utf-8")
    # The manifest rides in the PROV document as a JSON string: its signature once.
    marker = '"signature\\":\\"'
    assert content.count(marker) == 1
    at = content.index(marker) + len(marker)
    forged = content[:at] + ("A" if content[at] != "A" else "B") + content[at + 1 :]
    sidecar.write_text(forged, encoding="utf-8")
    result = verify_file(sidecar)
    assert not result.ok
