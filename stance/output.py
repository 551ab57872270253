"""Writing classification results as a terminal table, JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import IO

from stance.classification import CommentStance, SummaryCounter, ThreadSummary
from stance.thread import Comment

OUTPUT_FORMATS = ("table", "jsonl", "csv")


def format_for_path(path: str, is_terminal: bool) -> str:
    """The format an output path implies: by suffix, else a table on a terminal and JSONL elsewhere."""
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "table" if is_terminal else "jsonl"


def write_results(
    results: Iterable[CommentStance], counter: SummaryCounter, labels: Sequence[str], fmt: str, stream: IO[str],
    *, header: bool = True,
) -> None:
    """Write results in ``fmt`` (one of :data:`OUTPUT_FORMATS`) as they come, counting them in ``counter``.

    JSONL and CSV stream; a table needs every row first. ``header=False`` continues a CSV file.
    """
    counted = counter.add(results)
    if fmt == "jsonl":
        write_jsonl(counted, stream)
    elif fmt == "csv":
        write_csv(counted, labels, stream, header=header)
    else:
        rows = list(counted)
        write_table(rows, counter.summary(), stream)


def write_jsonl(results: Iterable[CommentStance], stream: IO[str]) -> None:
    for result in results:
        stream.write(json.dumps(result.to_record(), ensure_ascii=False) + "\n")


def write_csv(results: Iterable[CommentStance], labels: Sequence[str], stream: IO[str], *, header: bool = True) -> None:
    """One row per comment; the per-label scores become ``score_<label>`` columns."""
    writer = None
    for result in results:
        record = result.to_record()
        scores = record.pop("scores")
        record |= {f"score_{label}": scores.get(label) for label in labels}
        if writer is None:
            writer = csv.DictWriter(stream, fieldnames=list(record))
            if header:
                writer.writeheader()
        writer.writerow(record)


def write_table(results: Sequence[CommentStance], summary: ThreadSummary, stream: IO[str], width: int | None = None) -> None:
    """A readable table (author, comment, stance, confidence) followed by the one-line summary."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("author", overflow="fold", max_width=18)
    table.add_column("comment", overflow="fold", ratio=1)
    table.add_column("stance")
    table.add_column("conf.", justify="right")
    styles = {"support": "green", "oppose": "red", "mixed": "yellow", "neutral": "dim"}
    for result in results:
        table.add_row(
            Text(result.comment.id),
            Text(result.comment.author or ""),
            Text(_one_line(result.comment.text)),
            Text(result.prediction.label, style=styles.get(result.prediction.label, "")),
            f"{result.prediction.confidence:.2f}",
        )
    console = Console(file=stream, width=width, highlight=False)
    console.print(table)
    console.print(summary.describe())


def write_comments(comments: Sequence[Comment], fmt: str, stream: IO[str]) -> None:
    """Extracted comments without predictions, in ``fmt`` (one of :data:`OUTPUT_FORMATS`)."""
    records = [comment.to_dict() for comment in comments]
    if fmt == "jsonl":
        stream.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    elif fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=list(Comment.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(records)
    else:
        _write_comment_table(comments, stream)


def _write_comment_table(comments: Sequence[Comment], stream: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, expand=True)
    for name, options in (("id", {"style": "dim", "max_width": 14}), ("author", {"max_width": 16}),
                          ("time", {"max_width": 10}), ("reply to", {"style": "dim", "max_width": 14}),
                          ("comment", {"ratio": 1})):
        table.add_column(name, overflow="fold", **options)
    for comment in comments:
        table.add_row(
            Text(comment.id), Text(comment.author or ""), Text((comment.time or "")[:10]), Text(comment.parent or ""),
            Text(_one_line(comment.text) + (f" [{comment.status}]" if comment.status else "")),
        )
    Console(file=stream, highlight=False).print(table)


def _one_line(text: str, limit: int = 160) -> str:
    """A comment on one line for a table cell, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
