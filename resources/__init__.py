"""Draftsmith resources layer."""
