"""forcegen: a force-generation negotiation simulator.

The engines multiply only small matrices; BLAS threads cost more than they
save on them (measured on 2 cores), so one thread is the default unless the
user sets these variables before importing numpy.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"


def __getattr__(name: str):
    """`sim.ForceModel`, imported on first use so `import sim` stays light."""
    if name == "ForceModel":
        from sim.engine.model import ForceModel

        return ForceModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
