"""When the rules' compiled loops run, and how they are compiled.

Some rule functions have a loop beside them that computes the same numbers in one
pass over (run, state, ...) instead of a dozen numpy passes over temporary arrays
(`sim.rules.fused`, `payoff.distance`, `payoff.by_kind`, `payoff.incentives`,
`terms.evaluate`, `red_lines.held` and `blocked`, `caveats.share`, bundled demands
in `decide`), and the demand search, the present terms and the end of the decision
each run in one compiled pass (`sim.rules.search`, `sim.rules.present`,
`decide._choose`) that calls the rules' per-run loops (`row`). Each loop keeps
its rule's order of floating-point operations, and numba contracts no multiply-add
unless asked (`fastmath` off), so either path gives the same bytes;
`tests/rules/test_jit.py`, `test_search.py`, `test_present.py`, `test_choose.py`
and `test_fused.py` check it on random inputs and on every shipped scenario.

The loops are compiled by numba where it is installed (`pip install
forcegen[fast]`; the test extra has it) and the process has started enough runs to
repay numba's start-up (`MIN_RUNS`), with an on-disk cache so the compile is paid
once per install. Importing forcegen never compiles anything.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

DISABLE = "FORCEGEN_NO_NUMBA"
"""Set this environment variable to run the numpy rules even where numba is installed."""

MIN_RUNS = 1_000
"""The compiled loops run once this process has started at least this many runs.
Importing numba and loading the cached loops costs about 0.5 s once per process
(0.8 s before numba's BLAS check was spared, `_skip_blas_probe`). Measured in new
processes, alternating (docs/performance.md, "Start-up, refusals and the recording"):
700 runs of the flagship 0.62-0.88 s compiled against 0.70-0.76 s on numpy, 1,000
runs 0.82-0.95 s against 0.95-1.20 s, 1,400 runs 0.91-1.35 s against 1.29-1.52 s.
So the demo's 200 runs and a class's game stay on numpy and never import numba,
while an ensemble of 1,000 runs or more, or a sweep's worker after its first points,
uses the loops. Either way the results are the same bytes."""

_HAVE_NUMBA = importlib.util.find_spec("numba") is not None
_started = 0


def started(runs: int, planned: int = 0) -> None:
    """Count `runs` more runs started in this process (the ensemble driver calls it
    before each batch), or `planned`, the runs it is to compute for the work in hand
    (its share of an ensemble), if more: a process with 5,000 runs to compute in
    batches of 1,667 repays numba's start-up from its first batch, not its second."""
    global _started
    _started = max(_started + runs, planned)


def available() -> bool:
    """numba is installed and not disabled (`DISABLE`)."""
    return _HAVE_NUMBA and not os.environ.get(DISABLE)


@contextmanager
def forced():
    """The compiled loops run from the first run on, while inside (to compile them)."""
    global MIN_RUNS
    before, MIN_RUNS = MIN_RUNS, 0
    try:
        yield
    finally:
        MIN_RUNS = before


def compiled() -> bool:
    """Whether the compiled loops run: numba installed, not disabled, and this process
    has started enough runs to repay numba's start-up."""
    return _started >= MIN_RUNS and available()


class Kernel:
    """A loop compiled on first call (`numba.njit`, cached on disk, no GIL held).

    Once numba is imported (`bind`), every loop's name in its module is the compiled
    function itself, so one compiled loop can call another (the demand search's
    pass calls the rules' per-run loops) and Python calls skip this wrapper."""

    def __init__(self, loop: Callable, inline: bool = False, counted: bool = True) -> None:
        self.loop = loop
        self.inline = inline
        self.counted = counted
        self._compiled: Callable | None = None

    @property
    def compiled_once(self) -> bool:
        """This process has compiled (or loaded from the cache) the loop for some types."""
        return self._compiled is not None and bool(self._compiled.signatures)

    def __call__(self, *args):
        if self._compiled is None:
            bind()
        return self._compiled(*args)


KERNELS: dict[str, Kernel] = {}
"""Every compiled loop, by module and name (`sim.engine.warm` checks it runs them all)."""


def kernel(loop: Callable) -> Kernel:
    """Decorate a loop written in numba's subset of Python: it is compiled on first
    call, so importing the module that holds it costs nothing."""
    return _register(Kernel(loop))


def row(loop: Callable) -> Kernel:
    """Decorate a loop over one run's arrays that other compiled loops call: numba
    inlines it into each caller (`inline="always"`), so the caller pays no call and
    takes its views of the run's arrays without counting references to them."""
    return _register(Kernel(loop, inline=True))


def bare(loop: Callable) -> Kernel:
    """Decorate a loop that allocates nothing (its caller passes every buffer): numba
    compiles it without its runtime's reference counts (`_nrt=False`). A loop that
    takes views of arrays and calls per-run loops with them otherwise spends about 40%
    of its time counting references (measured on the demand search's pass,
    docs/performance.md); numba refuses to compile one that would allocate."""
    return _register(Kernel(loop, counted=False))


def _register(k: Kernel) -> Kernel:
    """Keep `k` in `KERNELS`; in a module imported after `bind`, the name is the
    compiled function from the start."""
    KERNELS[f"{k.loop.__module__}.{k.loop.__name__}"] = k
    if _bound:
        _bind_one(k)
        return k._compiled  # type: ignore[return-value]
    return k


_bound = False
_cache = ""


def bind() -> None:
    """Import numba and make every loop a compiled function in its module (compiled
    lazily, on its first call with new types), with the on-disk cache in
    `cache_dir()`."""
    global _bound, _cache
    if not _bound:
        _cache, _bound = str(cache_dir()), True
        _skip_blas_probe()
    for k in KERNELS.values():
        if k._compiled is None:
            _bind_one(k)


BLAS_PROBE = "scipy.linalg.cython_blas"
"""What numba imports, when it first loads a compiled loop, to learn whether BLAS is there."""


def _skip_blas_probe() -> None:
    """Spare the process numba's BLAS check: importing scipy.linalg, about 0.2 s where
    scipy is installed (the study extra), at the first compiled loop of every process.

    numba's array functions (`numba.np.arraymath`) ask once, as they are imported,
    whether BLAS is there, and use it only for an inner product (`np.cov`,
    `np.corrcoef`); no loop here calls BLAS (`tests/rules/test_jit.py` checks their
    sources). So they are imported while that import fails (None in `sys.modules`)
    and it is put back at once: numba's linear algebra, if a user's own loop needs it,
    imports scipy then. Nothing is skipped once numba's array functions or scipy's
    linear algebra are already imported."""
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    sys.modules[BLAS_PROBE] = None  # type: ignore[assignment]
    try:
        importlib.import_module("numba.np.arraymath")
    except ImportError:  # pragma: no cover - another numba: its own check runs later
        pass
    finally:
        if sys.modules.get(BLAS_PROBE, 0) is None:
            del sys.modules[BLAS_PROBE]


def _bind_one(k: Kernel) -> None:
    """Compile `k` lazily, its cache in `_cache`: numba reads its cache folder when a
    function is decorated, so the setting is forcegen's for that moment only, and the
    numba functions of a user's own code in the same process keep theirs."""
    import numba

    how = {"inline": "always"} if k.inline else {}
    if not k.counted:
        how["_nrt"] = False
    before, numba.config.CACHE_DIR = numba.config.CACHE_DIR, _cache
    try:
        k._compiled = numba.njit(cache=True, nogil=True, **how)(k.loop)
    finally:
        numba.config.CACHE_DIR = before
    setattr(sys.modules[k.loop.__module__], k.loop.__name__, k._compiled)


def cache_dir() -> Path:
    """Where numba caches the loops: a folder named for the rules' sources.

    numba keys a cached loop on its own file only, so a loop that calls a loop of
    another module would keep stale machine code after that module changed. Named
    for a digest of every rule module, the folder changes with any of them. Under
    the package's `__pycache__` where writable, else the user's cache; folders of
    earlier sources (forcegen's own) are removed."""
    rules = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(rules.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    user = os.environ.get("NUMBA_CACHE_DIR")
    home = rules / "__pycache__"
    if user:
        root = Path(user) / "forcegen"
    elif os.access(rules, os.W_OK) and (not home.exists() or os.access(home, os.W_OK)):
        root = home
    else:
        root = Path.home() / ".cache" / "forcegen"
    name = f"numba-{digest.hexdigest()[:16]}"
    for old in root.glob("numba-*"):
        if old.name != name and _STALE.fullmatch(old.name) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    if root == home:  # numba's files of before this folder, beside the rules' bytecode
        for old in (*home.glob("*.nbi"), *home.glob("*.nbc")):
            old.unlink(missing_ok=True)
    return root / name


_STALE = re.compile(r"numba-[0-9a-f]{16}")


@row
def at(a, r):
    """Row r of a per-run array, row 0 of one every run shares (a view, taken once per
    run by the compiled loops: views taken per state and concession would cost more
    than the rule)."""
    return a[r if a.shape[0] > 1 else 0]
