"""Uncertainty for evaluation figures: bootstrap confidence intervals and paired tests.

Scores themselves come from scikit-learn (:mod:`stance.core.metrics`); this module resamples the
comments and recomputes them, and tests whether one system's lead over another is real.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Scorer = Callable[[Sequence[str], Sequence[str]], dict[str, float]]


def bootstrap_intervals(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    scorer: Scorer,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap interval of every score ``scorer`` returns, resampling comments.

    Returns ``{score name: (low, high)}``.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {}
    for _ in range(n_resamples):
        index = rng.integers(0, len(y_true), len(y_true))
        for name, value in scorer(y_true[index], y_pred[index]).items():
            samples.setdefault(name, []).append(value)
    tail = (1 - confidence) / 2 * 100
    return {name: (float(np.percentile(v, tail)), float(np.percentile(v, 100 - tail))) for name, v in samples.items()}


@dataclass(frozen=True)
class PairedDifference:
    """Score of system A minus system B on the same comments, with a bootstrap interval."""

    metric: str
    difference: float
    low: float
    high: float
    p_value: float  # two-sided: share of resamples on the other side of zero, doubled

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def paired_bootstrap_difference(
    y_true: Sequence[str],
    pred_a: Sequence[str],
    pred_b: Sequence[str],
    scorer: Scorer,
    metric: str,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedDifference:
    """Bootstrap the difference ``metric(A) - metric(B)``, resampling the same comments for both."""
    y_true, pred_a, pred_b = np.asarray(y_true), np.asarray(pred_a), np.asarray(pred_b)
    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(n_resamples):
        index = rng.integers(0, len(y_true), len(y_true))
        differences.append(scorer(y_true[index], pred_a[index])[metric] - scorer(y_true[index], pred_b[index])[metric])
    observed = scorer(y_true, pred_a)[metric] - scorer(y_true, pred_b)[metric]
    values = np.asarray(differences)
    tail = (1 - confidence) / 2 * 100
    below, above = float(np.mean(values <= 0)), float(np.mean(values >= 0))
    return PairedDifference(
        metric=metric,
        difference=float(observed),
        low=float(np.percentile(values, tail)),
        high=float(np.percentile(values, 100 - tail)),
        p_value=min(1.0, 2 * min(below, above)),
    )


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's test on paired right/wrong outcomes of two systems."""

    only_a_right: int  # comments A gets right and B wrong
    only_b_right: int
    p_value: float
    method: str  # "exact" (binomial) or "chi2" (with continuity correction)


def mcnemar(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> McNemarResult:
    """McNemar's test: exact binomial below 25 discordant pairs, else chi-square with continuity correction."""
    from scipy.stats import binomtest, chi2

    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    discordant = only_a + only_b
    if discordant == 0:
        return McNemarResult(only_a, only_b, 1.0, "exact")
    if discordant < 25:
        return McNemarResult(only_a, only_b, float(binomtest(only_a, discordant, 0.5).pvalue), "exact")
    statistic = (abs(only_a - only_b) - 1) ** 2 / discordant
    return McNemarResult(only_a, only_b, float(chi2.sf(statistic, df=1)), "chi2")
