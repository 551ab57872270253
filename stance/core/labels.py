"""The label sets of the two tasks, and the mapping from other datasets' label names onto them."""

from __future__ import annotations

STANCE_LABELS: tuple[str, ...] = ("support", "oppose", "mixed", "neutral")
SENTIMENT_LABELS: tuple[str, ...] = ("positive", "negative", "neutral", "mixed")
TASK_LABELS: dict[str, tuple[str, ...]] = {"stance": STANCE_LABELS, "sentiment": SENTIMENT_LABELS}
TASKS: tuple[str, ...] = tuple(TASK_LABELS)  # what a model answers: its own head's task first, further heads after

# Names other datasets use for the same idea (TweetEval/SemEval, ARC/FNC, NLI-style, review corpora).
LABEL_ALIASES: dict[str, dict[str, str]] = {
    "stance": {
        "favor": "support",
        "favour": "support",
        "agree": "support",
        "pro": "support",
        "against": "oppose",
        "disagree": "oppose",
        "con": "oppose",
        "none": "neutral",
        "discuss": "neutral",
    },
    "sentiment": {
        "pos": "positive",
        "neg": "negative",
        "neu": "neutral",
        "none": "neutral",
        "conflict": "mixed",
        "both": "mixed",
    },
}


def normalize_label(raw: str, task: str = "stance") -> str:
    """Return the canonical name of ``raw`` for ``task`` (case-insensitive; aliases such as 'favor' map
    to 'support', 'pos' to 'positive').

    Labels outside the known set are returned lower-cased and stripped, so users may train on label
    sets of their own.
    """
    name = raw.strip().lower()
    return LABEL_ALIASES[task].get(name, name)


DROP = "drop"  # a --label-map value: rows with that label have no label for the task


def parse_label_map(text: str | None) -> dict[str, str] | None:
    """``deny=oppose,comment=neutral,unrelated=drop`` as {raw label: label} (keys matched without case
    or surrounding space; ``drop`` leaves the label out); None for no map. A malformed pair is a
    :class:`ConfigError`."""
    from stance.errors import ConfigError

    if not text:
        return None
    mapping: dict[str, str] = {}
    for pair in filter(str.strip, text.split(",")):
        raw, equals, label = pair.partition("=")
        if not equals or not raw.strip() or not label.strip():
            raise ConfigError(f"label map: {pair.strip()!r} is not FROM=TO (e.g. deny=oppose,unrelated=drop)", settings="label_map")
        mapping[raw.strip().lower()] = label.strip()
    return mapping


def ordered_labels(labels: set[str] | list[str], task: str = "stance") -> list[str]:
    """Order a label set: the task's own labels first in their canonical order, then any others sorted."""
    present = set(labels)
    known = [label for label in TASK_LABELS[task] if label in present]
    return known + sorted(present - set(TASK_LABELS[task]))


def label_word(task: str) -> str:
    """What messages call a task's label: ``label`` for stance (the word users know), ``sentiment label``."""
    return "label" if task == "stance" else f"{task} label"
