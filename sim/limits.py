"""Bounds on what input may ask for, in a module that imports nothing.

The scenario schema, the sweep file and the command line read them; the command
line checks its options before pydantic is loaded, so the numbers live here and
not in `sim.scenario.schema`.
"""

MAX_RUNS = 1_000_000
"""The most runs a scenario (and a --detail-runs or --runs-per-world) may have."""
MAX_STEPS = 1000
"""The most values a sweep axis may have (--steps)."""

MAX_TOTAL_RUNS = 2_000_000
"""The most runs one command may ask for in all: a sweep's points times its runs per
point, a what-if's candidates and pairs times --runs, a sensitivity design. Refused in one line before
anything runs. At the flagship's rate on the compiled loops (2,000 to 3,500 runs/s a
core, docs/performance.md) that is 5 to 10 minutes on a 2-core machine; a sweep file
could otherwise ask for its 5,000 points x MAX_RUNS = 5e9 runs (a what-if had this
bound first)."""

MAX_RUN_WORK = 3_000_000
"""The most work one run of a scenario may cost, in units of about a microsecond of one
run (`forcegen run FILE --runs 1`, the numpy rules, on a 2-core machine); the scenario
check (`sim.scenario.references.run_work`) refuses more in one line.

The work is the broker's deadline in weeks times a week's work, plus the caveats checked
against the red lines once, when the scenario is compiled (`arrays._lines_lifted`):

    week       = RUN_WORK_WEEK + RUN_WORK_STATE_WEEK x states
                 + (concessions + 1) x evaluation + 2 x RUN_WORK_ENTRY x concession changes
    evaluation = RUN_WORK_EVALUATION + states x (1 + most kinds a state offers / 16)
                 + preference entries + declared world conditions
                 + RUN_WORK_ENTRY x (red lines, effect entries of veto players, hosts,
                   risk, perception and incentive scaling, veto requirements, caveats)
                 + RUN_WORK_ACTOR x (veto players + hosts)
                 + caveats x (red lines + veto requirements + preference entries) / 256
    once       = caveats x red lines / 8

Each week every state asks what each open concession, and the whole open menu, would do
(`sim.rules.demands.each_concession`, `whole_menu`): concessions + 1 evaluations of the
mandate, each reading the actors, red lines and payoffs (none with the concessions
mechanism off: one evaluation a week, the terms as they stand). The deployment stage's watch
adds no measurable time (the flagship with `watch: 520` runs as fast as with 26), so
only the deadline's weeks count.

Measured on synthetic scenarios scaled to this bound along one driver each (200
concessions; 250 states; 150 hosts; 20 veto players or hosts of 40 effect entries; 320
caveats; 1,000 caveats and 1,000 red lines; 400 red lines; 400 preference entries; 250
states of 100 kinds; 100 concessions of 40 changes; 200 world conditions; a mix of 60
states, 40 concessions, 240 red lines and 5 actors), best of three on an idle machine:
one run 2.1 to 4.5 s, start-up (1.4 s for the flagship) included; 200 runs 2.7 to 17 s
(64 s for the 250 states of 100 kinds, whose record is per state and kind). A file near
the 1 MiB limit costs seconds to read and check before any week (5 s for 250 states of
200 kinds), bounded by the file's size, not by this. The shipped scenarios cost at most
257,119 (the ISF files: 26 weeks, 9 concessions, 16 states), 8.6% of the bound; the file
of 200 concessions and 520 weeks whose one run took 35 s costs 36.8 million."""
RUN_WORK_WEEK = 1_500
"""A week's work besides the evaluations and the states' record (its other phases): 520
weeks of 4 states without concessions take 0.8 to 1.2 s more than 26 weeks."""
RUN_WORK_STATE_WEEK = 125
"""A state's week in the run's record, tables and report (the story tells each week of
each state): 250 states without concessions take 92 to 127 microseconds a state-week."""
RUN_WORK_EVALUATION = 250
"""One evaluation of the mandate, before what it reads (numpy rules, one run): 207 to 217
microseconds with one state of one kind, no red line, no veto player or host."""
RUN_WORK_ENTRY = 6
"""Each entry an evaluation reads one by one, measured in microseconds an evaluation: a
red line 2.3, an effect entry of a veto player or host 3.7 to 5.6, a caveat 4.6 to 5.7, a
term a concession changes 2.7 (a preference entry 0.2 to 0.5, a state 0.1, a declared
world condition 0.2 and a state's kind 0.01 to 0.03 count 1, 1, 1 and 1/16 unit)."""
RUN_WORK_ACTOR = 15
"""Each veto player and host an evaluation reads, besides its effect entries: 11 to 16
microseconds."""

MAX_RECORDED = 300_000_000
"""The most values an ensemble keeps for all its runs, in memory until its tables are
written: each run's drawn values (`params.csv`), its counted force and each veto player's
acceptance every week (the exact bands), and a row of `RUN_COLUMNS`. The flagship keeps
261 a run (155 drawn values, 3 x 30 weekly values, 16): 261 million at its most runs
(MAX_RUNS), which stays allowed. Measured on 3 December 2026: 1.40 GB at 200,000 runs of
the flagship, about 27 bytes a value, so about 8 GB at this bound. A scenario of many states, each with its own ranges, would
otherwise ask for tens of GB at a million runs; it is refused in one line instead."""
RUN_COLUMNS = 16
"""Values of a run's row besides its drawn values and its weekly bands (`runs.csv`'s
columns, the counts behind `commits.csv` and `coalitions.csv`), about."""
