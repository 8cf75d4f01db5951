"""Fixtures for export tests."""

from __future__ import annotations

import pytest
from export_samples import ANA, CLIP, SMOL, build_record

from memory.events import How
from memory.provenance.record import ProvenanceRecord


@pytest.fixture
def essay() -> ProvenanceRecord:
    return build_record(
        [
            ("# A walk\n\nThe river ", ANA, How.TYPED),
            ("ran quietly past the mill", SMOL, How.SUGGESTION),
            (", and *we ", ANA, How.TYPED),
            ("followed it* home.\n\n## Later\n\n- one\n- ", SMOL, How.PARTIAL),
            ("two café 👩‍👩‍👧 done\n", CLIP, How.PASTE),
        ]
    )
