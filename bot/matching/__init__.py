"""Matching a message to knowledge-base entries."""
