"""Draftsmith's version, read from the installed distribution (one place, imports nothing)."""

from __future__ import annotations

from functools import cache


@cache
def app_version() -> str:
    """The installed version of Draftsmith, or "0+unknown" when run from a bare tree."""
    from importlib.metadata import PackageNotFoundError, version  # 50 ms: asked when needed

    try:
        return version("draftsmith")
    except PackageNotFoundError:
        return "0+unknown"
