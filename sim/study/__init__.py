"""Studies over many runs: which judgement calls drive the outcome (sensitivity)."""
