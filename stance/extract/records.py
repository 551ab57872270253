"""Comment files: one comment per JSONL record or CSV row, with user-mappable column names."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.documents import as_count
from stance.io.records import parquet_columns, parquet_rows, read_rows

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
MAPPABLE_FIELDS = ("id", "text", "author", "time", "parent", "likes", "target")  # a file's columns may be named for these


def iter_records(
    lines: Iterable[str], source: str, input_format: str, columns: Mapping[str, str] | None = None
) -> Iterator[Comment]:
    """Comments from JSONL or CSV lines, one per record, as they are read.

    ``columns`` maps our field names (``text``, ``author``, ``id``, ``time``, ``parent``, ``likes``,
    ``target``) to the file's column names, e.g. ``{"text": "body"}``.
    """
    return comments_from_rows(read_rows(lines, source, input_format), source, columns)


def iter_parquet(path: str, columns: Mapping[str, str] | None = None) -> Iterator[Comment]:
    """Comments from a Parquet file, a row group at a time; a comment's ``source`` is ``file:row``."""
    present = parquet_columns(path)
    if column_mapping(columns)["text"] not in present:
        raise InputError(
            f"{path}: no '{column_mapping(columns)['text']}' column (found: {', '.join(sorted(present)) or 'none'}); "
            "name the comment column", settings="text_column"
        )
    return comments_from_rows(parquet_rows(path), path, columns)


def comments_from_rows(
    rows: Iterable[tuple[int, dict[str, Any]]], source: str, columns: Mapping[str, str] | None = None
) -> Iterator[Comment]:
    """Comments from (line or row number, row) pairs of any tabular file, with ``columns`` mapping;
    the columns mapped to no field are kept in each comment's ``extra`` (CSV's values past the
    header, which have no column name, are not)."""
    mapping = column_mapping(columns)
    mapped = set(mapping.values())
    for n, (lineno, row) in enumerate(rows, start=1):
        if mapping["text"] not in row:
            raise InputError(
                f"{source}:{lineno}: no '{mapping['text']}' column (found: {', '.join(map(str, row)) or 'none'}); "
                "name the comment column", settings="text_column"
            )
        value = row[mapping["text"]]
        if not isinstance(value, str):
            raise InputError(f"{source}:{lineno}: '{mapping['text']}' must be a string, got {type(value).__name__}")
        fields = {name: row.get(column) for name, column in mapping.items() if name != "text"}
        language = row.get("language")  # an ISO 639-1 code, as `stance classify` writes it: kept rather than told again
        language = language if isinstance(language, str) and _LANGUAGE_CODE.fullmatch(language) else None
        extra = {column: value for column, value in row.items()
                 if column not in mapped and column is not None and not (column == "language" and language)}
        yield Comment(
            id=_as_text(fields["id"]) or str(n),
            text=value,
            author=_as_text(fields["author"]),
            time=_as_text(fields["time"]),
            parent=_as_text(fields["parent"]),
            likes=as_count(fields["likes"]),
            target=_as_text(fields["target"]),
            source=f"{source}:{lineno}",
            language=language,
            extra=extra or None,
        )


def column_mapping(columns: Mapping[str, str] | None) -> dict[str, str]:
    """Our field name → the file's column name: ``columns`` over the defaults (each field's own name)."""
    return {name: name for name in MAPPABLE_FIELDS} | dict(columns or {})


def parse_records(text: str, source: str, input_format: str, columns: Mapping[str, str] | None = None) -> Thread:
    """Read a whole comment file into a :class:`Thread` without an article."""
    return Thread(comments=list(iter_records(io.StringIO(text, newline=""), source, input_format, columns)), source=source)


def _as_text(value: Any) -> str | None:
    """Strings, numbers and the like as text; blanks and missing values as None."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, (datetime.date, datetime.time)):  # Parquet timestamps
        return value.isoformat()
    text = str(value).strip()
    return text or None
