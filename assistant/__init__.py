"""Draftsmith assistant layer."""
