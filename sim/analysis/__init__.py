"""Summaries, explanations and the story of a run: read the tables only."""
