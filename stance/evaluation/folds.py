"""The one way comments are split into folds: scikit-learn's stratified (group) k-fold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from stance.core.labelled import LabelledComment
from stance.errors import DataError

GROUP_BY = ("target", "group")


def fold_indices(
    examples: Sequence[LabelledComment], k: int, group_by: str | None = None, seed: int = 42
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index arrays for each of ``k`` folds, stratified by label.

    With ``group_by`` (``target`` or ``group``) the comments of one target or group stay in one fold.
    A label rarer than ``k``, or fewer than ``k`` groups, is a :class:`DataError`: callers that can
    live with fewer folds ask :func:`most_folds` first.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    if not isinstance(k, int) or k < 2:
        raise DataError(f"{k!r} folds: expected 2 or more", settings="cv")
    labels = [example.label for example in examples]
    if group_by is None:
        smallest = min(labels.count(label) for label in set(labels))
        if smallest < k:
            raise DataError(f"{k} folds: the rarest label has {smallest} comments; use at most {smallest} folds or add data", settings="cv")
        return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(labels, labels))
    if group_by not in GROUP_BY:
        raise DataError(f"grouping by {group_by!r}: expected one of {', '.join(GROUP_BY)}", settings="group_by")
    groups = [getattr(example, group_by) for example in examples]
    if len(set(groups)) < k:
        raise DataError(f"{k} folds grouped by {group_by}: only {len(set(groups))} distinct {group_by}s; use fewer folds", settings="cv")
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(labels, labels, groups))


def most_folds(examples: Sequence[LabelledComment], k: int) -> int:
    """The most stratified folds, up to ``k``, that the rarest label allows (0 with a single label)."""
    counts = Counter(example.label for example in examples)
    return min(k, min(counts.values())) if len(counts) > 1 else 0
