"""Draftsmith ui layer."""
