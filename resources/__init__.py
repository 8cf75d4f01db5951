"""Files that ship with Draftsmith: icons, style sheets, prompt templates, the origin
vocabulary. Read them through these functions (they work from a source tree and from an
installed wheel alike); nothing here imports Qt."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

_PACKAGE = "resources"


def path(name: str) -> Path:
    """A real file path for the resource `name` (e.g. "icons/draftsmith.svg")."""
    resource = files(_PACKAGE).joinpath(name)
    with as_file(resource) as real:  # a plain file already when installed normally
        return Path(real)


@cache
def read_text(name: str) -> str:
    """The resource `name` as UTF-8 text (cached: resources do not change at run time)."""
    return files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def load_json(name: str) -> Any:
    return json.loads(read_text(name))
