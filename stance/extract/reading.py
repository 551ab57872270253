"""Reading a page or comment file into a :class:`~stance.core.thread.Thread`, whole or a comment at a time."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.exports import EXPORT_PARSERS
from stance.extract.formats import INPUT_FORMATS, STREAMED_FORMATS, is_parquet, packed_parquet, sniff_format
from stance.extract.html import parse_html
from stance.extract.invariants import broken_records
from stance.extract.language import detect_language
from stance.extract.plaintext import parse_plaintext
from stance.extract.records import column_mapping, iter_parquet, iter_records, parse_records
from stance.io.inputs import COMPRESSED_SUFFIXES, peek_input, read_text, text_lines, whole_text
from stance.io.records import parquet_read_errors
from stance.io.web import WebClient, WebSettings, is_link

_HEAD_BYTES = 64 * 1024
_EXPECTED = "expected a saved web page, a plain-text page, a platform export or a JSONL/CSV comment file"


def read_thread(
    path: str | Path,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    web: WebClient | None = None,
) -> Thread:
    """Read a page or comment file, or a link (fetched by ``web``, else a client with the default settings),
    into a :class:`Thread`.

    ``input_format`` forces one of :data:`INPUT_FORMATS`; ``columns`` renames comment-file columns
    (e.g. ``{"text": "body"}``).
    """
    if is_link(str(path)):
        thread = _read_link(str(path), web)
    elif is_parquet(str(path), input_format):
        thread = Thread(comments=list(iter_parquet(_parquet_path(str(path)), columns)), source=str(path))
    else:
        thread = _parse_thread(read_text(path), str(path), input_format, columns)
    thread.comments = list(_with_language(thread.comments))
    return thread


def _with_language(comments: Iterable[Comment]) -> Iterator[Comment]:
    """Each comment with its language detected (every reader's comments pass here)."""
    for comment in comments:
        if comment.language is None:
            comment.language = detect_language(comment.text)
        yield comment


def _parse_thread(text: str, name: str, input_format: str | None, columns: Mapping[str, str] | None) -> Thread:
    fmt = input_format or sniff_format(name, text, text_column=column_mapping(columns)["text"])
    if fmt not in INPUT_FORMATS:
        raise InputError(f"{name}: unknown input format {fmt!r}; expected one of {', '.join(INPUT_FORMATS)}")
    if not text.strip():
        raise InputError(f"{name}: the file is empty; {_EXPECTED}")
    if fmt == "parquet":
        raise packed_parquet(name)
    if fmt == "html":
        return parse_html(text, name)  # it checks the invariants as it chooses between ways of reading the page
    if fmt in EXPORT_PARSERS:
        thread = EXPORT_PARSERS[fmt](text, name)
    elif fmt == "text":
        thread = parse_plaintext(text, name)
    else:
        return parse_records(text, name, fmt, columns)  # a user's comment file: their records, as they are
    thread.broken = dict(broken_records(thread.comments))
    return thread


def _read_link(url: str, web: WebClient | None) -> Thread:
    """The comment section at a link, checked as a whole-read file is."""
    from stance.extract.links import read_link

    client = web or WebClient(WebSettings())
    try:
        thread = read_link(url, client, lambda text, name: _parse_thread(text, name, None, None))
    finally:
        if web is None:  # made here: closed here
            client.close()
    thread.broken = thread.broken or dict(broken_records(thread.comments))
    return thread


def open_comments(
    path: str | Path,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    web: WebClient | None = None,
) -> tuple[Thread, Iterator[Comment]]:
    """The article (if any) and an iterator over the comments of a page or comment file (``-``: stdin).

    JSONL/CSV/TSV comment files (plain, gzip or zstd) and Parquet files are read a record at a time, so memory stays flat
    however large they are; their thread has no article. Other inputs are read whole. The input is
    opened once and its format sniffed from its first 64 KiB, kept for the reading that follows, so
    a pipe, a FIFO or ``<(command)`` works as a file does.
    """
    name = str(path)
    if is_link(name):
        thread = _read_link(name, web)
        return thread, _with_language(thread.comments)
    if is_parquet(name, input_format):
        return Thread(source=name), _with_language(iter_parquet(_parquet_path(name), columns))
    data, stream = peek_input(name, _HEAD_BYTES + 1)  # the stream gives the head again, then the rest
    head, whole = data[:_HEAD_BYTES].decode("utf-8-sig", errors="replace"), len(data) <= _HEAD_BYTES
    try:
        fmt = input_format or sniff_format(name, head, whole=whole, text_column=column_mapping(columns)["text"])
        if fmt == "parquet":  # not read as a file above: packed in gzip or zstd
            raise packed_parquet(name)
        if fmt not in STREAMED_FORMATS:  # None too: the whole file is read and sniffed
            with stream:
                thread = _parse_thread(whole_text(stream, name), name, fmt, columns)
            return thread, _with_language(thread.comments)
    except BaseException:
        stream.close()
        raise
    if "\x00" in head[:8192]:
        stream.close()
        raise InputError(f"{name}: looks like a binary file; expected text, HTML, JSONL or CSV")
    if not head.strip():
        stream.close()
        raise InputError(f"{name}: the file is empty; {_EXPECTED}")
    return Thread(source=name), _with_language(iter_records(text_lines(stream, name), name, fmt, columns))


def count_records(path: str, input_format: str | None = None, text_column: str = "text") -> int | None:
    """About how many comments a streamed comment file holds, found cheaply: a Parquet file's row count, or
    an uncompressed JSONL/CSV/TSV file's lines (less a header); None for stdin, a pipe, a packed file and
    anything read whole (a page's comments are counted once it is parsed)."""
    if path == "-" or not os.path.isfile(path) or Path(path).suffix.lower() in COMPRESSED_SUFFIXES:
        return None
    if is_parquet(path, input_format):
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except parquet_read_errors():  # unreadable: the reading that follows says why
            return None
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES).decode("utf-8-sig", errors="replace")
    fmt = input_format or sniff_format(path, head, whole=False, text_column=text_column)
    if fmt not in STREAMED_FORMATS:
        return None
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines, last = lines + block.count(b"\n"), block[-1:]
    lines += last != b"\n"  # a last line without its newline
    return max(0, lines - (fmt in ("csv", "tsv")))


def _parquet_path(name: str) -> str:
    """Parquet is read from a file: its index is at the end, so stdin cannot hold it."""
    if name == "-":
        raise InputError("-: Parquet is read from a file, not stdin; name the file")
    return name
