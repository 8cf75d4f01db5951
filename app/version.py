"""Draftsmith's version, read from the installed distribution (one place, imports nothing)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version


@cache
def app_version() -> str:
    """The installed version of Draftsmith, or "0+unknown" when run from a bare tree."""
    try:
        return version("draftsmith")
    except PackageNotFoundError:
        return "0+unknown"
