"""Writing classification results, or extracted comments, as a terminal table, JSON Lines or CSV."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from stance.classify.stream import CommentStance, ThreadSummary
from stance.errors import ConfigError
from stance.extract.thread import COMMENT_FIELDS, Comment
from stance.files import write_records
from stance.model.prediction import Prediction

OUTPUT_FORMATS = ("table", "jsonl", "csv")
# Stance and sentiment share neutral and mixed, and mean the same by them.
LABEL_STYLES = {"support": "green", "positive": "green", "oppose": "red", "negative": "red", "mixed": "yellow", "neutral": "dim"}


def check_format(fmt: str) -> None:
    """``fmt`` must be one of :data:`OUTPUT_FORMATS`."""
    if fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"output format {fmt!r}: expected one of {', '.join(OUTPUT_FORMATS)}", settings="format")


def format_for_path(path: str, is_terminal: bool) -> str:
    """The format an output path implies: by suffix, else a table on a terminal and JSONL elsewhere."""
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
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

    def counted() -> Iterator[CommentStance]:
        for result in results:
            pairs[result.prediction.label, result.prediction.sentiment] += 1
            languages[result.comment.language] += 1
            yield result

    if fmt == "table":
        rows = list(counted())
        columns = [("#", {"justify": "right", "style": "dim"}), ("author", {"max_width": 18}), ("comment", {"ratio": 1})]
        columns += [(name, options) for task in tasks for name, options in ((task, {}), ("conf.", {"justify": "right"}))]
        _write_table(
            columns,
            [(r.comment.id, r.comment.author or "", _one_line(r.comment.text), *_task_cells(r.prediction, tasks)) for r in rows],
            stream, footer=ThreadSummary.of(pairs, tasks, languages).describe(),
        )
    else:
        write_records((_flat_record(result, tasks, fmt) for result in counted()), fmt, stream, header=header)
    return ThreadSummary.of(pairs, tasks, languages)


def _task_cells(prediction: Prediction, tasks: Mapping[str, Sequence[str]]) -> list[str | tuple[str, str]]:
    """The label (styled) and confidence of each task, for a table row."""
    cells: list[str | tuple[str, str]] = []
    for task in tasks:
        label, confidence = prediction.label_for(task), prediction.confidence_for(task)
        cells += [(label or "", LABEL_STYLES.get(label or "", "")), f"{confidence:.2f}" if confidence is not None else ""]
    return cells


def write_comments(comments: Sequence[Comment], fmt: str, stream: IO[str]) -> None:
    """Extracted comments without predictions, in ``fmt`` (one of :data:`OUTPUT_FORMATS`)."""
    check_format(fmt)
    if fmt != "table":
        write_records((comment.to_dict() for comment in comments), fmt, stream, columns=COMMENT_FIELDS)
        return
    _write_table(
        [("id", {"style": "dim", "max_width": 14}), ("author", {"max_width": 16}), ("time", {"max_width": 10}),
         ("reply to", {"style": "dim", "max_width": 14}), ("comment", {"ratio": 1})],
        [(c.id, c.author or "", (c.time or "")[:10], c.parent or "", _one_line(c.text) + (f" [{c.status}]" if c.status else ""))
         for c in comments],
        stream, expand=True,
    )


def _flat_record(result: CommentStance, tasks: Mapping[str, Sequence[str]], fmt: str) -> dict[str, Any]:
    """A result as a record; in CSV the per-label scores become ``score_<label>`` (stance) and
    ``sentiment_score_<label>`` columns."""
    record = result.to_record()
    if fmt == "csv":
        for task, key, prefix in (("stance", "scores", "score_"), ("sentiment", "sentiment_scores", "sentiment_score_")):
            if key in record:
                scores = record.pop(key)
                record |= {f"{prefix}{label}": scores.get(label) for label in tasks.get(task, ())}
    return record


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
