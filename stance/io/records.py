"""Comment records in every format stance reads or writes: JSON Lines, CSV/TSV and Parquet rows read as
they come, with errors that name the file and line; records written in any of the three; and the whole
records at the start of a file a killed run left."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from stance.errors import InputError, OutputError
from stance.io.inputs import cap_from_environment

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(text: str) -> object:
    """``json.loads``, with lone surrogates (which JSON may escape, e.g. ``"\\ud800"``, but UTF-8 cannot
    hold) replaced by U+FFFD, so that every string read can be written out again."""
    data = json.loads(text)
    if not _SURROGATE_ESCAPE.search(text):
        return data
    if isinstance(data, str):
        return _LONE_SURROGATE.sub("\ufffd", data)
    stack = [data] if isinstance(data, (dict, list)) else []
    while stack:  # not recursive: the document may be nested as deeply as json allows
        node = stack.pop()
        if isinstance(node, dict):
            for key in [key for key in node if _LONE_SURROGATE.search(key)]:
                node[_LONE_SURROGATE.sub("\ufffd", key)] = node.pop(key)
        for key, value in list(node.items() if isinstance(node, dict) else enumerate(node)):
            if isinstance(value, str):
                node[key] = _LONE_SURROGATE.sub("\ufffd", value)
            elif isinstance(value, (dict, list)):
                stack.append(value)
    return data


def read_rows(lines: Iterable[str], source: str, input_format: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, row) pairs from JSONL or CSV/TSV lines, with errors naming file and line.

    ``lines`` may be a file or ``io.StringIO(text, newline="")``: rows are read as they come.
    """
    if input_format == "jsonl":
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = parse_json(line)
            except json.JSONDecodeError as err:
                raise InputError(f"{source}:{lineno}: not valid JSON ({err.msg}); expected one JSON object per line") from None
            except RecursionError:
                raise InputError(f"{source}:{lineno}: the JSON is nested too deeply to read; expected one JSON object per line") from None
            if not isinstance(row, dict):
                raise InputError(f"{source}:{lineno}: expected a JSON object, got {type(row).__name__}")
            yield lineno, row
        return
    delimiter = "\t" if input_format == "tsv" else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    try:
        if not reader.fieldnames:  # reads the header row, which may be malformed too
            raise InputError(f"{source}: the CSV file is empty; expected a header row naming the columns")
        for row in reader:
            yield reader.line_num, row
    except csv.Error as err:
        raise InputError(f"{source}:{reader.line_num}: malformed CSV ({err})") from None


def parquet_read_errors() -> tuple[type[Exception], ...]:
    """What reading a damaged Parquet file raises: Arrow's errors, the OS's, and Python's own where Arrow decodes
    what it read (a column name that is not UTF-8 raises UnicodeDecodeError)."""
    import pyarrow as pa

    return pa.ArrowException, OSError, ValueError


def parquet_columns(path: str) -> list[str]:
    """A Parquet file's column names, read from its footer; an unreadable file is refused here."""
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except parquet_read_errors() as err:
        raise InputError(f"{path}: not a readable Parquet file ({err})") from None


MAX_ROW_GROUP_MIB = 1024
ROW_GROUP_CAP_VARIABLE = "STANCE_MAX_ROW_GROUP_MIB"


def parquet_rows(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """A Parquet file's (row number, row) pairs, read a row group at a time as they are asked for."""
    import pyarrow.parquet as pq

    number = 0
    cap = cap_from_environment(ROW_GROUP_CAP_VARIABLE, MAX_ROW_GROUP_MIB) * 2**20
    try:
        with pq.ParquetFile(path) as table:
            for group in range(table.metadata.num_row_groups):  # a row group is read whole: its size bounds memory
                size = table.metadata.row_group(group).total_byte_size
                if size > cap:
                    raise InputError(f"{path}: row group {group + 1} holds {size / 2**20:,.0f} MiB unpacked, more than the "
                                     f"{cap / 2**20:,.0f} MiB read at once; rewrite it with smaller row groups, or set "
                                     f"{ROW_GROUP_CAP_VARIABLE} higher")
            for batch in table.iter_batches(batch_size=1024):
                for row in batch.to_pylist():
                    number += 1
                    yield number, row
    except InputError:
        raise  # ours, a ValueError too: already says what was wrong
    except parquet_read_errors() as err:
        raise InputError(f"{path}:{number + 1}: cannot read the Parquet data ({err})") from None


def complete_records(path: str | Path, fmt: str) -> int:
    """How many whole records a partial JSONL or CSV file holds."""
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        return len(complete_records_of(stream, fmt))


def complete_records_of(stream: IO[str], fmt: str) -> list[dict[str, str]]:
    """The whole records at the start of a partial JSONL or CSV file."""
    stream.seek(0)
    text = stream.read()
    if fmt == "jsonl":
        lines = text.split("\n")[:-1]  # the part after the last newline is unfinished
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break
        return records
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if body and not text.endswith("\n"):
        body = body[:-1]
    return [dict(zip(header, row)) for row in body if len(row) == len(header)]


def write_records(
    records: Iterable[dict[str, Any]], fmt: str, stream: IO, *, header: bool = True, columns: Sequence[str] | None = None,
    schema: Any = None,
) -> None:
    """Write dict records as JSON Lines, CSV or Parquet: the one writer of the three. CSV columns are
    ``columns``, else the first record's keys (with ``columns``, the header is written even for no
    records); ``header=False`` continues a CSV file. Parquet needs a binary ``stream`` and the
    pyarrow ``schema`` of the records' known columns (the types of any others are read from the
    first 4,096 records), and is written a row group of 4,096 records at a time. A CSV or Parquet
    record with a column the first records did not have is refused: only JSON Lines can hold it."""
    if fmt == "parquet":
        _write_parquet(records, stream, schema)
        return
    if fmt == "jsonl":
        stream.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        return
    writer, known = None, set()
    for number, record in enumerate(records, start=1):
        if writer is None:
            writer = csv.DictWriter(stream, fieldnames=list(columns or record))
            known = set(writer.fieldnames)
            if header:
                writer.writeheader()
        if unknown := record.keys() - known:
            raise _new_columns(number, unknown, "CSV")
        writer.writerow(record)
    if writer is None and columns and header:
        csv.DictWriter(stream, fieldnames=list(columns)).writeheader()


def _write_parquet(records: Iterable[dict[str, Any]], stream: IO[bytes], schema: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = iter(records)
    chunk = list(itertools.islice(records, 4096))
    schema = _with_other_columns(schema, chunk)
    known = set(schema.names)
    with pq.ParquetWriter(stream, schema) as writer:
        written = 0
        while chunk:
            for number, record in enumerate(chunk, start=written + 1):
                if unknown := record.keys() - known:
                    raise _new_columns(number, unknown, "Parquet")
            try:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
                raise OutputError(
                    f"records {written + 1}-{written + len(chunk)}: a column's values change type ({err}); "
                    "Parquet keeps one type per column, so write JSON Lines (.jsonl)", settings="format"
                ) from None
            written += len(chunk)
            chunk = list(itertools.islice(records, 4096))


def _with_other_columns(schema: Any, records: Sequence[dict[str, Any]]) -> Any:
    """``schema`` and, after it, the columns of ``records`` it lacks, typed by their values (text where all are missing)."""
    import pyarrow as pa

    others = [name for name in dict.fromkeys(key for record in records for key in record) if name not in schema.names]
    if not others:
        return schema
    inferred = pa.Table.from_pylist([{name: record.get(name) for name in others} for record in records]).schema
    for column in inferred:
        schema = schema.append(pa.field(column.name, pa.string()) if pa.types.is_null(column.type) else column)
    return schema


def _new_columns(number: int, unknown: Iterable[str], fmt: str) -> OutputError:
    return OutputError(
        f"record {number} has columns the first records had not ({', '.join(sorted(map(str, unknown)))}); "
        f"{fmt} keeps one set of columns, so write JSON Lines (.jsonl) for records whose columns vary",
        settings="format",
    )
