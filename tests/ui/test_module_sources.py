"""PySide6's feature hook still marks modules as before, without caching their lines."""

from __future__ import annotations

import importlib
import linecache
import sys
from pathlib import Path

import pytest

from ui.module_sources import keep_sources_out_of_memory, mentions_pyside


@pytest.fixture
def module_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def _import_fresh(folder: Path, name: str, source: str) -> object:
    """Import a new module, then hand it to shiboken's hook as an import statement does
    (when the hook runs for a statement depends on the import machinery's state)."""
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    importlib.invalidate_caches()
    sys.modules.pop(name, None)
    module = importlib.import_module(name)
    sys.modules["shibokensupport.feature"].feature_imported(module)
    return module


def test_modules_are_marked_as_pyside_does_without_their_lines_in_linecache(
    module_folder: Path,
) -> None:
    assert keep_sources_out_of_memory()
    feature = sys.modules["shibokensupport.feature"]
    qt_user = _import_fresh(
        module_folder, "draftsmith_probe_qt", "from PySide6 import QtCore\nX = '’'\n"
    )
    plain = _import_fresh(module_folder, "draftsmith_probe_plain", "Y = 'no Qt here, “quoted”'\n")
    assert feature.pyside_feature_dict["draftsmith_probe_qt"] == 0
    assert feature.pyside_feature_dict["draftsmith_probe_plain"] == -1
    for module in (qt_user, plain):
        assert getattr(module, "__file__", None) not in linecache.cache


def test_a_module_without_source_does_not_mention_pyside() -> None:
    assert not mentions_pyside(sys)  # built in: no loader source
    assert mentions_pyside(sys.modules["ui.module_sources"])
