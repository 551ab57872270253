"""Which comments to label next: the strategies `stance suggest` chooses by, as plain functions of the
model's probabilities and vectors (scripts/bench_active.py measures them against each other)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from stance.errors import ConfigError
from stance.suggest import STRATEGIES

NEAR_COPY = 0.95  # cosine of two comments' (centred) vectors above which they say the same
SPREAD_OVER = 4  # diverse: clusters are drawn from the this-many-times-n least sure comments (at least half of them)


def check_strategy(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy {strategy!r}: expected one of {', '.join(STRATEGIES)}", settings="strategy")


def uncertainty_of(probabilities: np.ndarray) -> np.ndarray:
    """How unsure the model is of each comment: 1 less the margin between its two likeliest labels
    (0: certain; 1: a tie)."""
    top = np.sort(probabilities, axis=1)
    return 1.0 - (top[:, -1] - top[:, -2])


def quotas(groups: Sequence[str], n: int) -> dict[str, int]:
    """``n`` shared across the groups (targets, articles) as evenly as their sizes allow: a small group
    gives all it has and the others share the rest; what does not share evenly goes to the largest."""
    sizes = Counter(groups)
    quota = dict.fromkeys(sorted(sizes, key=lambda group: (-sizes[group], group)), 0)
    left = min(n, len(groups))
    while left:
        open_groups = [group for group in quota if quota[group] < sizes[group]]
        share = max(1, left // len(open_groups))
        for group in open_groups:
            take = min(share, sizes[group] - quota[group], left)
            quota[group] += take
            left -= take
            if not left:
                break
    return quota


def choose(
    strategy: str, n: int, uncertainty: np.ndarray, features: np.ndarray, groups: Sequence[str], seed: int = 0
) -> list[int]:
    """The indices of the ``n`` comments to label (all of them where there are fewer), shared across
    ``groups`` by :func:`quotas`, most useful first within each group. ``features`` are the model's
    vectors of the comments, by which near-copies are passed over and the choice is spread."""
    check_strategy(strategy)
    rng = np.random.default_rng(seed)
    unit = _unit(features)
    group_of = np.asarray(groups, dtype=object)
    chosen: list[int] = []
    for group, quota in quotas(list(groups), n).items():
        members = np.flatnonzero(group_of == group)
        if strategy == "random":
            picked = list(rng.choice(members, quota, replace=False))
        elif strategy == "uncertainty":
            picked = _distinct(members[np.argsort(-uncertainty[members], kind="stable")], unit, quota)
        else:
            picked = _spread(members, uncertainty, unit, quota, seed)
        chosen.extend(int(i) for i in picked)
    return chosen


def _unit(features: np.ndarray) -> np.ndarray:
    """The vectors centred on their mean and scaled to length 1: what every comment shares (the article
    they answer, the language) does not make two comments look alike."""
    centred = features - features.mean(axis=0, keepdims=True)
    return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)


def _distinct(order: np.ndarray, unit: np.ndarray, k: int) -> list[int]:
    """The first ``k`` of ``order`` that are not near-copies of one taken before; near-copies fill up
    what is left short."""
    taken: list[int] = []
    passed: list[int] = []
    for index in order:
        if len(taken) == k:
            break
        if taken and float((unit[taken] @ unit[index]).max()) >= NEAR_COPY:
            passed.append(int(index))
        else:
            taken.append(int(index))
    return taken + passed[: k - len(taken)]


def _spread(members: np.ndarray, uncertainty: np.ndarray, unit: np.ndarray, k: int, seed: int) -> list[int]:
    """``k`` comments, one from each of ``k`` clusters (k-means over the vectors) of the least sure
    comments: the least sure of its cluster, the clusters taken least sure first."""
    from sklearn.cluster import KMeans

    if k >= len(members):
        return list(members)
    if k == 0:
        return []
    size = min(len(members), max(SPREAD_OVER * k, len(members) // 2))
    candidates = members[np.argsort(-uncertainty[members], kind="stable")[:size]]
    clusters = KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(unit[candidates])
    best: dict[int, int] = {}
    for index, cluster in zip(candidates, clusters):  # least sure first, so the first seen of a cluster is its pick
        best.setdefault(int(cluster), int(index))
    picked = sorted(best.values(), key=lambda i: -uncertainty[i])
    # Copies of one comment make one cluster of several points and leave a cluster empty: the next least sure fill in.
    return picked + [int(i) for i in candidates if int(i) not in best.values()][: k - len(picked)]
