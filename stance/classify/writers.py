"""Writing classification results as they come: a terminal table, JSON Lines, CSV or Parquet, and the
summary of their labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from stance.classify.stream import CommentStance, ThreadSummary
from stance.io.outputs import (
    FLAT_COLUMNS,
    SCORES_KEYS,
    check_format,
    comment_schema,
    input_columns,
    kept_column_name,
    one_line,
    write_table,
)
from stance.io.records import write_records
from stance.model.prediction import Prediction

# Stance and sentiment share neutral and mixed, and mean the same by them.
LABEL_STYLES = {"support": "green", "positive": "green", "oppose": "red", "negative": "red", "mixed": "yellow", "neutral": "dim"}


def write_results(
    results: Iterable[CommentStance], tasks: Mapping[str, Sequence[str]], fmt: str, stream: IO[str],
    *, header: bool = True, earlier: Mapping[tuple[str | None, str | None], int] | None = None,
    earlier_languages: Mapping[str | None, int] | None = None,
) -> ThreadSummary:
    """Write results in ``fmt`` as they come and return the summary of their labels over ``tasks``
    (each task's labels) and of their languages, plus the ``earlier`` (stance, sentiment) and
    language counts of a resumed output. JSONL and CSV stream; a table needs every row first.
    ``header=False`` continues a CSV file."""
    check_format(fmt)
    pairs: Counter[tuple[str | None, str | None]] = Counter(earlier or {})
    languages: Counter[str | None] = Counter(earlier_languages or {})
    renamed: dict[str, str] = {}
    seen: set[str] = set()  # the input columns met so far: each is looked at once

    def counted() -> Iterator[CommentStance]:
        for result in results:
            pairs[result.prediction.label, result.prediction.sentiment] += 1
            languages[result.comment.language] += 1
            for column in [column for column in result.comment.extra or () if column not in seen]:
                seen.add(column)
                if (name := kept_column_name(column, result.comment.extra)) != column:
                    renamed[column] = name
            yield result

    if fmt == "table":
        rows = list(counted())
        columns = [("#", {"justify": "right", "style": "dim"}), ("author", {"max_width": 18}), ("comment", {"ratio": 1})]
        columns += [(name, options) for task in tasks for name, options in ((task, {}), ("conf.", {"justify": "right"}))]
        write_table(
            columns,
            [(r.comment.id, r.comment.author or "", one_line(r.comment.text), *_task_cells(r.prediction, tasks)) for r in rows],
            stream, footer=ThreadSummary.of(pairs, tasks, languages, renamed).describe(),
        )
    else:
        schema = result_schema(tasks) if fmt == "parquet" else None
        write_records((_flat_record(result, tasks, fmt) for result in counted()), fmt, stream, header=header, schema=schema)
    return ThreadSummary.of(pairs, tasks, languages, renamed)


def result_schema(tasks: Mapping[str, Sequence[str]]) -> Any:
    """The pyarrow schema of a labelled comment as CSV and Parquet lay it out: the comment's fields,
    then per task its label, confidence and one score column per label."""
    import pyarrow as pa

    fields = list(comment_schema())
    for task, (label, confidence, prefix) in FLAT_COLUMNS.items():
        if task in tasks:
            fields += [pa.field(label, pa.string()), pa.field(confidence, pa.float64())]
            fields += [pa.field(f"{prefix}{name}", pa.float64()) for name in tasks[task]]
    return pa.schema(fields)


def _task_cells(prediction: Prediction, tasks: Mapping[str, Sequence[str]]) -> list[str | tuple[str, str]]:
    """The label (styled) and confidence of each task, for a table row."""
    cells: list[str | tuple[str, str]] = []
    for task in tasks:
        label, confidence = prediction.label_for(task), prediction.confidence_for(task)
        cells += [(label or "", LABEL_STYLES.get(label or "", "")), f"{confidence:.2f}" if confidence is not None else ""]
    return cells


def _flat_record(result: CommentStance, tasks: Mapping[str, Sequence[str]], fmt: str) -> dict[str, Any]:
    """A result as a record, then the input's other columns (:func:`kept_column_name`); in CSV and
    Parquet the per-label scores become ``score_<label>`` (stance) and ``sentiment_score_<label>``
    columns, and in CSV a nested value of the input is written as JSON."""
    record = result.to_record()
    for task, (label, confidence, _) in FLAT_COLUMNS.items():  # an empty comment has no labels, but the columns
        if task in tasks and label not in record:
            record |= {label: None, confidence: None, SCORES_KEYS[task]: {}}
    if fmt in ("csv", "parquet"):
        for task, (_, _, prefix) in FLAT_COLUMNS.items():
            if SCORES_KEYS[task] in record:
                scores = record.pop(SCORES_KEYS[task])
                record |= {f"{prefix}{label}": scores.get(label) for label in tasks.get(task, ())}
    return record | input_columns(result.comment, fmt)


