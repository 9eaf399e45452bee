"""Engines: the Mesa model (one run, readable) and the fast array engine (many runs)."""
