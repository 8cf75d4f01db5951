"""Draftsmith memory layer."""
