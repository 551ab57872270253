"""Where and how records are written: the output formats, the files they go to, comments as a table or as
records with the input's other columns after them, and the column layout of a labelled comment."""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from stance.core.thread import COMMENT_FIELDS, Comment
from stance.errors import ConfigError
from stance.io.files import atomic_file
from stance.io.records import write_records

OUTPUT_FORMATS = ("table", "jsonl", "csv", "parquet")
BINARY_FORMATS = ("parquet",)  # written to a file opened in binary mode, never to a terminal
RESUMABLE_FORMATS = ("jsonl", "csv")  # a file of these grows record by record, so a killed run can continue it

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


def comment_schema() -> Any:
    """The pyarrow schema of a comment's fields (Parquet output)."""
    import pyarrow as pa

    return pa.schema([(name, pa.int64() if name == "likes" else pa.string()) for name in COMMENT_FIELDS])


def write_comments(comments: Sequence[Comment], fmt: str, stream: IO[str]) -> None:
    """Extracted comments without predictions, in ``fmt`` (one of :data:`OUTPUT_FORMATS`), each with the
    input's other columns after its fields (renamed only where a comment field has the name)."""
    check_format(fmt)
    if fmt != "table":
        records = [comment.to_dict() | input_columns(comment, fmt, only_clashes_with=COMMENT_FIELDS) for comment in comments]
        others = dict.fromkeys(key for record in records for key in record if key not in COMMENT_FIELDS)
        schema = comment_schema() if fmt == "parquet" else None
        write_records(records, fmt, stream, columns=(*COMMENT_FIELDS, *others), schema=schema)
        return
    write_table(
        [("id", {"style": "dim", "max_width": 14}), ("author", {"max_width": 16}), ("time", {"max_width": 10}),
         ("reply to", {"style": "dim", "max_width": 14}), ("comment", {"ratio": 1})],
        [(c.id, c.author or "", (c.time or "")[:10], c.parent or "", one_line(c.text) + (f" [{c.status}]" if c.status else ""))
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


def input_columns(comment: Comment, fmt: str, only_clashes_with: Collection[str] | None = None) -> dict[str, Any]:
    """The input's other columns of ``comment`` under the names they are written with (:func:`kept_column_name`;
    with ``only_clashes_with``, renamed only where one of those has the name), a nested value as JSON in CSV."""
    extra = comment.extra or {}
    return {
        column if only_clashes_with is not None and column not in only_clashes_with else kept_column_name(column, extra):
        json.dumps(value, ensure_ascii=False) if fmt == "csv" and isinstance(value, (dict, list)) else value
        for column, value in extra.items()
    }


def write_table(
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


def one_line(text: str, limit: int = 160) -> str:
    """A comment on one line for a table cell, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
