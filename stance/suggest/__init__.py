"""Choosing what to label next: the pool of comments (``pool``), the strategies (``choosing``) and the
rows to label that `stance suggest` writes (``suggest``).

The strategies' names live here, in a module that imports nothing, so the CLI reads them without numpy.
"""

# diverse: the comments the model is least sure of, spread over the different things people say (one
# per cluster of the model's vectors); uncertainty: the least sure alone; random: a seeded sample. Each
# shares its choice across targets and passes over copies.
STRATEGIES = ("diverse", "uncertainty", "random")
# Chosen by scripts/bench_active.py (docs/benchmarks.md, "Choosing what to label"): on two real pools, neither
# diverse nor uncertainty beat a random sample at 200 labels (P-Stance 55.6 and 53.7 against 56.1;
# FanChuan 41.9 and 38.5 against 43.0, mean of 3 seeds), so random is the default.
DEFAULT_STRATEGY = "random"
