"""`python -m sim` runs the forcegen command line."""

from sim.cli import main

main()
