"""`python -m sim` runs the forcegen command line (and exits as the script does)."""

from sim.quick_exit import entry

entry()
