"""The stance label set and the mapping from other datasets' label names onto it."""

from __future__ import annotations

STANCE_LABELS: tuple[str, ...] = ("support", "oppose", "mixed", "neutral")

# Names other datasets use for the same idea (TweetEval/SemEval, ARC/FNC, NLI-style).
LABEL_ALIASES: dict[str, str] = {
    "favor": "support",
    "favour": "support",
    "agree": "support",
    "pro": "support",
    "against": "oppose",
    "disagree": "oppose",
    "con": "oppose",
    "none": "neutral",
    "discuss": "neutral",
}


def normalize_label(raw: str) -> str:
    """Return the canonical name of ``raw`` (case-insensitive; aliases such as 'favor' map to 'support').

    Labels outside the known set are returned lower-cased and stripped, so users may train on label
    sets of their own.
    """
    name = raw.strip().lower()
    return LABEL_ALIASES.get(name, name)


def ordered_labels(labels: set[str] | list[str]) -> list[str]:
    """Order a label set: the stance labels first in their canonical order, then any others sorted."""
    present = set(labels)
    known = [label for label in STANCE_LABELS if label in present]
    return known + sorted(present - set(STANCE_LABELS))
