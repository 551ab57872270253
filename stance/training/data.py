"""Labelled comments for training and evaluation: loading, validation and splitting."""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from stance.errors import DataError, InputError
from stance.extract import read_text, sniff_format
from stance.extract.records import read_rows
from stance.training.labels import normalize_label


@dataclass(frozen=True)
class LabelledComment:
    """A comment, what it takes a stance toward, and its gold label."""

    text: str
    label: str
    target: str = ""
    group: str = ""  # e.g. the topic or article, for breakdowns and grouped cross-validation
    origin: str = field(default="", compare=False, repr=False)  # "file:line" it was read from, for messages


def load_labelled(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str = "label",
    target_column: str = "target",
    default_target: str = "",
    group_column: str | None = None,
) -> list[LabelledComment]:
    """Read labelled comments from a JSONL or CSV/TSV file.

    Labels are normalised (``favor`` → ``support``, ``against`` → ``oppose``, ``none`` → ``neutral``).
    The target column is optional; rows without one get ``default_target``. ``group_column`` names
    a column (e.g. ``topic``) whose value groups rows for breakdowns and grouped cross-validation.
    """
    name = str(path)
    text = read_text(path)
    fmt = sniff_format(name, text)
    if fmt == "text":
        raise InputError(f"{name}: labelled data must be JSONL or CSV/TSV (with '{text_column}' and '{label_column}' columns)")
    examples = []
    for lineno, row in read_rows(io.StringIO(text, newline=""), name, fmt):
        for column in (text_column, label_column):
            if column not in row:
                raise DataError(
                    f"{name}:{lineno}: missing column '{column}' (found: {', '.join(map(str, row))}); "
                    "map yours with the text and label column settings",
                    settings=("text_column", "label_column"),
                )
        comment, label = row[text_column], row[label_column]
        if not isinstance(comment, str) or not comment.strip():
            raise DataError(f"{name}:{lineno}: empty or non-text '{text_column}' value: {comment!r}")
        if not isinstance(label, str) or not label.strip():
            raise DataError(f"{name}:{lineno}: empty or non-text '{label_column}' value: {label!r}")
        target = row.get(target_column) or default_target
        if group_column is not None and group_column not in row:
            raise DataError(f"{name}:{lineno}: missing group column '{group_column}' (found: {', '.join(map(str, row))})")
        group = str(row[group_column]) if group_column is not None else ""
        examples.append(
            LabelledComment(
                text=comment, label=normalize_label(label), target=str(target), group=group, origin=f"{name}:{lineno}"
            )
        )
    if not examples:
        raise DataError(f"{name}: no labelled rows found")
    return examples


def check_label_set(examples: Sequence[LabelledComment], source: str, known: Sequence[str] | None = None) -> None:
    """Fail clearly when training data has one label only, or labels a model does not know."""
    counts = Counter(example.label for example in examples)
    if not counts:
        raise DataError(f"{source}: no labelled comments")
    if known is None and len(counts) < 2:
        files = sorted({example.origin.rpartition(":")[0] for example in examples if example.origin})
        where = f"{', '.join(files)} ({source})" if files else source
        raise DataError(f"{where}: every row has the label {next(iter(counts))!r}; training needs at least two labels")
    if known is not None:
        unknown = sorted(set(counts) - set(known))
        if unknown:
            first = next((example.origin for example in examples if example.label in unknown and example.origin), None)
            raise DataError(
                f"{source}: labels {unknown} are not among the model's labels {list(known)}"
                + (f" (first at {first})" if first else "")
                + "; relabel the data or train a model on this label set"
            )


def split_validation(
    examples: Sequence[LabelledComment], fraction: float = 0.1, seed: int = 42
) -> tuple[list[LabelledComment], list[LabelledComment]]:
    """Hold out a stratified validation split (labels with one example stay in training)."""
    from sklearn.model_selection import train_test_split

    counts = Counter(example.label for example in examples)
    splittable = [example for example in examples if counts[example.label] > 1]
    singletons = [example for example in examples if counts[example.label] == 1]
    n_classes = len({example.label for example in splittable})
    n_val = min(max(n_classes, round(fraction * len(splittable))), len(splittable) - n_classes)
    if n_classes < 2 or n_val < n_classes:
        raise DataError(
            f"too few labelled comments ({len(examples)}) to hold out a validation split; "
            "add more, or pass a validation file"
        )
    train, val = train_test_split(
        splittable, test_size=n_val, random_state=seed, stratify=[example.label for example in splittable]
    )
    return list(train) + singletons, list(val)


def drop_targets(examples: Sequence[LabelledComment], share: float, seed: int) -> list[LabelledComment]:
    """A copy with a seeded ``share`` of comments shown without their target (``target_dropout``), so
    training also learns the comment's own polarity and a model copes with a missing target."""
    rng = random.Random(seed)
    return [replace(example, target="") if rng.random() < share else example for example in examples]
