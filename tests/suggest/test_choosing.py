"""The strategies of `stance suggest`, on made-up scores and vectors whose right answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from stance.errors import ConfigError
from stance.suggest.choosing import choose, quotas, uncertainty_of


def test_uncertainty_is_one_less_the_margin_of_the_two_likeliest_labels() -> None:
    probabilities = np.array([[0.9, 0.05, 0.05], [0.4, 0.4, 0.2], [0.5, 0.3, 0.2]])
    assert uncertainty_of(probabilities) == pytest.approx([0.15, 1.0, 0.8])


def test_quotas_share_evenly_and_a_small_group_gives_all_it_has() -> None:
    assert quotas(["a"] * 10 + ["b"] * 10 + ["c"] * 10, 9) == {"a": 3, "b": 3, "c": 3}
    assert quotas(["a"] * 10 + ["b"] * 2, 8) == {"a": 6, "b": 2}
    assert quotas(["a"] * 3 + ["b"] * 2, 50) == {"a": 3, "b": 2}  # fewer than asked: every one
    assert quotas(["a"] * 10 + ["b"] * 10 + ["c"] * 10, 10) == {"a": 4, "b": 3, "c": 3}
    assert quotas(["a"] * 2 + ["b"] * 9 + ["c"] * 5, 2) == {"b": 1, "c": 1, "a": 0}  # fewer than the groups: the largest first


def clusters(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three clusters of 20 vectors (apart, but no two vectors near-copies); the model is least sure of every
    comment of the first."""
    rng = np.random.default_rng(seed)
    centres = np.eye(3, 8) * 30
    features = np.concatenate([centre + rng.normal(0, 3, (20, 8)) for centre in centres])
    uncertainty = np.concatenate([np.full(20, 0.9), np.full(20, 0.5), np.full(20, 0.4)]) + rng.uniform(0, 0.05, 60)
    return features, uncertainty


def test_uncertainty_takes_the_least_sure_and_diverse_spreads_over_the_clusters() -> None:
    features, uncertainty = clusters()
    groups = ["t"] * 60
    least_sure = choose("uncertainty", 3, uncertainty, features, groups)
    assert sorted(least_sure) == sorted(np.argsort(-uncertainty)[:3].tolist())  # all three from the first cluster
    spread = choose("diverse", 3, uncertainty, features, groups)
    assert {i // 20 for i in spread} == {0, 1}  # over the clusters of the least sure half, not into the sure third
    assert spread[0] == int(np.argmax(uncertainty))  # the least sure of all first
    spread = choose("diverse", 12, uncertainty, features, groups)
    assert {i // 20 for i in spread} == {0, 1, 2}
    for strategy in ("random", "uncertainty", "diverse"):
        picked = choose(strategy, 12, uncertainty, features, groups, seed=1)
        assert len(picked) == len(set(picked)) == 12


def test_near_copies_are_passed_over_until_nothing_else_is_left() -> None:
    features = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    uncertainty = np.array([0.9, 0.8, 0.3, 0.2])
    assert choose("uncertainty", 2, uncertainty, features, ["t"] * 4) == [0, 2]
    assert sorted(choose("uncertainty", 4, uncertainty, features, ["t"] * 4)) == [0, 1, 2, 3]


def test_every_strategy_shares_its_choice_across_targets_and_is_seeded() -> None:
    features, uncertainty = clusters()
    groups = ["first article"] * 30 + ["second article"] * 30
    for strategy in ("random", "uncertainty", "diverse"):
        picked = choose(strategy, 10, uncertainty, features, groups, seed=3)
        assert sum(groups[i] == "first article" for i in picked) == 5
        assert picked == choose(strategy, 10, uncertainty, features, groups, seed=3)
    assert choose("random", 10, uncertainty, features, groups, seed=3) != choose("random", 10, uncertainty, features, groups, seed=4)
    with pytest.raises(ConfigError, match="strategy 'smart': expected one of diverse, uncertainty, random"):
        choose("smart", 10, uncertainty, features, groups)
