"""Decision rules: small pure functions over arrays holding all runs and states.

Shapes: R runs, S states, K contribution kinds, F mandate columns. Parameter
arrays carry a leading axis of R (sampled per run) or 1 (fixed). The rules use
only element-wise arithmetic, comparisons and integer sums, so a run computes
to the same bits whether it is one of many (fast engine) or alone (Mesa model).
"""
