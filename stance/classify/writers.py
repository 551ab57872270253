"""Writing classification results, or extracted comments, as a terminal table, JSON Lines or CSV."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from stance.classify.stream import CommentStance, ThreadSummary
from stance.errors import ConfigError
from stance.extract.thread import COMMENT_FIELDS, Comment
from stance.files import atomic_file, write_records
from stance.model.prediction import Prediction

OUTPUT_FORMATS = ("table", "jsonl", "csv", "parquet")
BINARY_FORMATS = ("parquet",)  # written to a file opened in binary mode, never to a terminal
RESUMABLE_FORMATS = ("jsonl", "csv")  # a file of these grows record by record, so a killed run can continue it
# Stance and sentiment share neutral and mixed, and mean the same by them.
LABEL_STYLES = {"support": "green", "positive": "green", "oppose": "red", "negative": "red", "mixed": "yellow", "neutral": "dim"}


def check_format(fmt: str) -> None:
    """``fmt`` must be one of :data:`OUTPUT_FORMATS`."""
    if fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"output format {fmt!r}: expected one of {', '.join(OUTPUT_FORMATS)}", settings="format")


def open_output(path: str | Path, fmt: str) -> AbstractContextManager[IO]:
    """An output file in ``fmt``, written beside its name and renamed into place when complete."""
    return atomic_file(Path(path), "wb" if fmt in BINARY_FORMATS else "w")


def stdout_for(fmt: str) -> IO:
    """Standard output as ``fmt`` writes it: text, or bytes for Parquet."""
    return sys.stdout.buffer if fmt in BINARY_FORMATS else sys.stdout


def format_for_path(path: str, is_terminal: bool) -> str:
    """The format an output path implies: by suffix, else a table on a terminal and JSONL elsewhere."""
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith((".parquet", ".pq")):
        return "parquet"
    return "table" if is_terminal else "jsonl"


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
        _write_table(
            columns,
            [(r.comment.id, r.comment.author or "", _one_line(r.comment.text), *_task_cells(r.prediction, tasks)) for r in rows],
            stream, footer=ThreadSummary.of(pairs, tasks, languages, renamed).describe(),
        )
    else:
        schema = result_schema(tasks) if fmt == "parquet" else None
        write_records((_flat_record(result, tasks, fmt) for result in counted()), fmt, stream, header=header, schema=schema)
    return ThreadSummary.of(pairs, tasks, languages, renamed)


def comment_schema() -> Any:
    """The pyarrow schema of a comment's fields (Parquet output)."""
    import pyarrow as pa

    return pa.schema([(name, pa.int64() if name == "likes" else pa.string()) for name in COMMENT_FIELDS])


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


def write_comments(comments: Sequence[Comment], fmt: str, stream: IO[str]) -> None:
    """Extracted comments without predictions, in ``fmt`` (one of :data:`OUTPUT_FORMATS`), each with the
    input's other columns after its fields (renamed only where a comment field has the name)."""
    check_format(fmt)
    if fmt != "table":
        records = [comment.to_dict() | _input_columns(comment, fmt, only_clashes_with=COMMENT_FIELDS) for comment in comments]
        others = dict.fromkeys(key for record in records for key in record if key not in COMMENT_FIELDS)
        schema = comment_schema() if fmt == "parquet" else None
        write_records(records, fmt, stream, columns=(*COMMENT_FIELDS, *others), schema=schema)
        return
    _write_table(
        [("id", {"style": "dim", "max_width": 14}), ("author", {"max_width": 16}), ("time", {"max_width": 10}),
         ("reply to", {"style": "dim", "max_width": 14}), ("comment", {"ratio": 1})],
        [(c.id, c.author or "", (c.time or "")[:10], c.parent or "", _one_line(c.text) + (f" [{c.status}]" if c.status else ""))
         for c in comments],
        stream, expand=True,
    )


# Per task: the label and confidence columns, and the prefix of its per-label score columns (CSV, Parquet,
# and the rows the Ray engine labels).
FLAT_COLUMNS = {"stance": ("label", "confidence", "score_"), "sentiment": ("sentiment", "sentiment_confidence", "sentiment_score_")}
SCORES_KEYS = {"stance": "scores", "sentiment": "sentiment_scores"}  # their nested form in JSONL
_RESULT_COLUMNS = {*COMMENT_FIELDS, *SCORES_KEYS.values(), *(name for names in FLAT_COLUMNS.values() for name in names[:2])}
_SCORE_PREFIXES = tuple(prefix for *_, prefix in FLAT_COLUMNS.values())


def kept_column_name(column: str, columns: Iterable[str] = ()) -> str:
    """The name an input column is written back under beside the results: its own, or where the results
    use that name (a gold ``label``, a ``score_x``), ``input_`` before it, as often as it takes to clash
    with neither a result column nor another of the input's ``columns``."""
    name = column
    while name in _RESULT_COLUMNS or name.startswith(_SCORE_PREFIXES) or (name != column and name in columns):
        name = f"input_{name}"
    return name


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
    return record | _input_columns(result.comment, fmt)


def _input_columns(comment: Comment, fmt: str, only_clashes_with: Collection[str] | None = None) -> dict[str, Any]:
    """The input's other columns of ``comment`` under the names they are written with (:func:`kept_column_name`;
    with ``only_clashes_with``, renamed only where one of those has the name), a nested value as JSON in CSV."""
    extra = comment.extra or {}
    return {
        column if only_clashes_with is not None and column not in only_clashes_with else kept_column_name(column, extra):
        json.dumps(value, ensure_ascii=False) if fmt == "csv" and isinstance(value, (dict, list)) else value
        for column, value in extra.items()
    }


def _write_table(
    columns: Sequence[tuple[str, dict[str, Any]]],
    rows: Iterable[Sequence[str | tuple[str, str]]],
    stream: IO[str],
    *,
    footer: str | None = None,
    expand: bool = False,
) -> None:
    """A rich table; a cell is its text, or (text, style). Cell text is shown literally, never as markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, expand=expand)
    for name, options in columns:
        table.add_column(name, overflow="fold", **options)
    for row in rows:
        table.add_row(*(Text(cell[0], style=cell[1]) if isinstance(cell, tuple) else Text(cell) for cell in row))
    console = Console(file=stream, highlight=False)
    console.print(table)
    if footer:
        console.print(footer)


def _one_line(text: str, limit: int = 160) -> str:
    """A comment on one line for a table cell, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
