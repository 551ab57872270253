"""Choosing what to label next: the pool of comments (``pool``), the strategies (``choosing``) and the
rows to label that `stance suggest` writes (``suggest``).

The strategies' names live here, in a module that imports nothing, so the CLI reads them without numpy.
"""

# diverse: the comments the model is least sure of, spread over the different things people say (one
# per cluster of the model's vectors); uncertainty: the least sure alone; random: the baseline.
STRATEGIES = ("diverse", "uncertainty", "random")
DEFAULT_STRATEGY = "diverse"  # chosen by scripts/bench_active.py (docs/benchmarks.md, "Choosing what to label")
