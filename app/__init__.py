"""Draftsmith app layer."""
