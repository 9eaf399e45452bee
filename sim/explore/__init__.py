"""Explore the mandate space: compare scenarios, sweep terms, ask what would bring a state in.

Floor 5 of the one-way flow: it builds scenarios (floor 1), runs the engine
(floor 3), reads the tidy tables and summaries (floor 4) and writes folders.
"""
