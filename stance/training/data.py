"""Labelled comments for training and evaluation: loading, validation and splitting."""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from stance.core.labelled import LabelledComment
from stance.core.labels import DROP, normalize_label
from stance.errors import DataError, InputError
from stance.extract import sniff_format
from stance.io.inputs import read_text
from stance.io.labelstudio import export_rows, is_label_studio_export
from stance.io.records import read_rows


def load_labelled(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str | None = None,
    target_column: str = "target",
    default_target: str = "",
    group_column: str | None = None,
    sentiment_column: str | None = None,
    parent_column: str = "parent_text",
    label_map: Mapping[str, str] | None = None,
    unlabelled: list[str] | None = None,
) -> list[LabelledComment]:
    """Read labelled comments from a JSONL or CSV/TSV file, or a Label Studio export (JSON or JSON_MIN, as
    the labelling config `stance suggest` writes makes it: a ``stance`` and a ``sentiment`` control).

    ``label_map`` renames stance labels first (:func:`~stance.core.labels.parse_label_map`; keys
    lower-case): a label mapped to ``drop`` is no label, and a row left with none is skipped.

    Labels are normalised (``favor`` → ``support``, ``against`` → ``oppose``, ``none`` → ``neutral``;
    ``pos`` → ``positive``). The target column is optional; rows without one get ``default_target``.
    So is ``parent_column``: the text of the comment a row replies to, which training then reads.
    ``group_column`` names a column (e.g. ``topic``) whose value groups rows for breakdowns and
    grouped cross-validation. With ``sentiment_column`` a row needs a stance label, a sentiment label
    or both: a missing or blank value is no label for that task. ``label_column`` defaults to
    ``label``; a file without that default column gives sentiment only, while a stance column named
    outright must appear, so that a misspelt name is an error rather than a sentiment-only run.
    Without ``sentiment_column``, every row needs its stance label. Given an ``unlabelled`` list, a row
    whose label cells are all blank (a file labelled in part, as `stance suggest` leaves it) is skipped
    and its ``file:line`` added to the list; without one, it is an error. A Label Studio export's
    columns are its controls' names: ``stance`` unless ``label_column`` says otherwise, ``sentiment``
    where the export has it; its line numbers are the tasks' places in the file.
    """
    name = str(path)
    rows, label_studio = labelled_rows(path, text_column)
    if label_studio:
        rows = list(rows)
        label_column = label_column or "stance"
        if sentiment_column is None and any(row and row.get("sentiment") for _, row in rows):
            sentiment_column = "sentiment"
    stance_named = label_column is not None
    label_column = label_column or "label"
    examples = []
    columns_seen: set[str] = set()
    for lineno, row in rows:
        where = f"{name}:{lineno}"
        if row is None or (unlabelled is not None and _blank(row, [c for c in (label_column, sentiment_column) if c], label_studio)):
            if unlabelled is None:
                raise DataError(f"{where}: nobody labelled this task; label or delete it")
            unlabelled.append(where)
            continue
        columns_seen.update(map(str, row))
        required = (text_column,) if sentiment_column else (text_column, label_column)
        required += (group_column,) if group_column is not None else ()
        missing = [column for column in required if column not in row]
        if missing:
            raise DataError(
                f"{where}: missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                f"(found: {', '.join(map(str, row))}); map yours with the column settings",
                settings=("text_column", "label_column", *(("group_column",) if group_column in missing else ())),
            )
        comment = row[text_column]
        if not isinstance(comment, str) or not comment.strip():
            raise DataError(f"{where}: empty or non-text '{text_column}' value: {comment!r}")
        if sentiment_column is None:
            stance, sentiment = _label(row, label_column, where, optional=False), None
        else:
            stance = _label(row, label_column, where, optional=True)
            sentiment = _label(row, sentiment_column, where, optional=True)
            if stance is None and sentiment is None:
                raise DataError(f"{where}: neither a '{label_column}' nor a '{sentiment_column}' label; a row needs at least one")
        if label_map and stance is not None:
            stance = label_map.get(stance.strip().lower(), stance)
            if stance == DROP:
                stance = None
                if sentiment is None:
                    continue
        target = row.get(target_column) or default_target
        parent = row.get(parent_column) or ""
        if not isinstance(parent, str):
            raise DataError(f"{where}: non-text '{parent_column}' value: {parent!r}; expected the text of the comment replied to")
        group = str(row[group_column]) if group_column is not None else ""
        examples.append(
            LabelledComment(
                text=comment,
                label=stance and normalize_label(stance, "stance"),
                target=str(target),
                group=group,
                sentiment=sentiment and normalize_label(sentiment, "sentiment"),
                parent=parent,
                origin=where,
            )
        )
    if not examples:
        why = " (the label map dropped every one)" if label_map else f" ({len(unlabelled)} rows with every label blank)" if unlabelled else ""
        raise DataError(f"{name}: no labelled rows found{why}")
    if sentiment_column is not None and sentiment_column not in columns_seen:
        raise DataError(
            f"{name}: no row has a '{sentiment_column}' column (found: {', '.join(sorted(columns_seen))}); "
            "name the sentiment column", settings="sentiment_column"
        )
    if sentiment_column is not None and stance_named and label_column not in columns_seen:
        raise DataError(
            f"{name}: no row has a '{label_column}' column (found: {', '.join(sorted(columns_seen))}); "
            "name the stance column, or leave it out to train sentiment only", settings="label_column"
        )
    return examples


def labelled_rows(path: str | Path, text_column: str = "text") -> tuple[Iterable[tuple[int, dict | None]], bool]:
    """The rows of a labelled file as (line, row), and whether it is a Label Studio export (whose rows are its
    tasks, None for one nobody labelled); a file that is not JSONL, CSV/TSV or such an export is an error."""
    name = str(path)
    text = read_text(path)
    if is_label_studio_export(name, text):
        return export_rows(text, name), True
    fmt = sniff_format(name, text, text_column=text_column)
    if fmt not in ("jsonl", "csv", "tsv"):
        raise InputError(f"{name}: labelled data must be JSONL, CSV/TSV or a Label Studio export (with a '{text_column}' column); "
                         f"this reads as {fmt}")
    return read_rows(io.StringIO(text, newline=""), name, fmt), False


def _blank(row: dict, columns: Sequence[str], label_studio: bool) -> bool:
    """Whether a row was left unlabelled: its label cells are there and empty (a control nobody chose is
    absent from a Label Studio record). A label column missing altogether is a misnamed column, not this."""
    present = [column for column in columns if column in row]
    if not present and not label_studio:
        return False
    return not any(row[column] is not None and not (isinstance(row[column], str) and not row[column].strip()) for column in present)


def _label(row: dict, column: str, where: str, *, optional: bool) -> str | None:
    """The label in ``column``; None for a missing or blank one where ``optional``, else an error."""
    value = row.get(column)
    if optional and (value is None or isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{where}: empty or non-text '{column}' value: {value!r}")
    return value


def split_validation(
    examples: Sequence[LabelledComment], fraction: float = 0.1, seed: int = 42
) -> tuple[list[LabelledComment], list[LabelledComment]]:
    """Hold out a validation split stratified by label (labels with one example stay in training)."""
    from sklearn.model_selection import train_test_split

    counts = Counter(map(_stratum, examples))
    splittable = [example for example in examples if counts[_stratum(example)] > 1]
    singletons = [example for example in examples if counts[_stratum(example)] == 1]
    n_classes = len(set(map(_stratum, splittable)))
    n_val = min(max(n_classes, round(fraction * len(splittable))), len(splittable) - n_classes)
    if n_classes < 1 or n_val < n_classes:  # one label is enough where a model that knows the others continues
        raise DataError(
            f"too few labelled comments ({len(examples)}) to hold out a validation split; "
            "add more, or pass a validation file"
        )
    train, val = train_test_split(
        splittable, test_size=n_val, random_state=seed, stratify=[_stratum(example) for example in splittable]
    )
    return list(train) + singletons, list(val)


def _stratum(example: LabelledComment) -> str:
    """What the validation split is stratified by: the stance label, the sentiment label for a comment without one
    (stratifying on both at once makes so many strata that small files could not be split)."""
    return example.label if example.label is not None else f"sentiment:{example.sentiment}"


def drop_targets(examples: Sequence[LabelledComment], share: float, seed: int) -> list[LabelledComment]:
    """A copy with a seeded ``share`` of comments shown without their target (``target_dropout``), so
    training also learns the comment's own polarity and a model copes with a missing target."""
    rng = random.Random(seed)
    return [replace(example, target="") if rng.random() < share else example for example in examples]
