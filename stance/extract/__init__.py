"""Turn a page or a comment file into a :class:`~stance.extract.thread.Thread`; the format is sniffed."""

from __future__ import annotations

import gzip
import io
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from stance.errors import InputError
from stance.extract.exports import EXPORT_PARSERS, is_cut_json, sniff_export
from stance.extract.html import parse_html
from stance.extract.language import detect_language
from stance.extract.plaintext import parse_plaintext
from stance.extract.records import (
    column_mapping,
    iter_parquet,
    iter_records,
    parse_records,
)
from stance.extract.thread import Comment, Thread

INPUT_FORMATS = ("text", "html", "jsonl", "csv", "tsv", "parquet", *EXPORT_PARSERS)
MAX_INPUT_BYTES = 200 * 1024 * 1024
_SUFFIX_FORMATS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".txt": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".parquet": "parquet", ".pq": "parquet",
}
STREAMED_FORMATS = ("jsonl", "csv", "tsv", "parquet")  # read a record at a time, however large the file
COMPRESSED_SUFFIXES = (".gz", ".zst")  # undone as the file is read, whatever its format
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_HEAD_BYTES = 64 * 1024
_EXPECTED = "expected a saved web page, a plain-text page, a platform export or a JSONL/CSV comment file"
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|div|article|section)\b", re.I | re.S)


def read_text(path: str | Path) -> str:
    """Read a file (or ``-`` for stdin) as text: gzip is undone, UTF-8 tried before Windows-1252.

    The input is opened once, so a pipe or FIFO reads as a file does."""
    name = str(path)
    with _open_input(name) as handle:
        return _whole_text(handle, name)


def _whole_text(handle: IO[bytes], name: str) -> str:
    """The rest of an open input as text, refused past :data:`MAX_INPUT_BYTES`."""
    return decode_text(_read(handle, MAX_INPUT_BYTES + 1, name), name)


def decode_text(data: bytes, name: str) -> str:
    """A file's bytes as :func:`read_text` reads them; ``name`` is for error messages."""
    if data[:2] == b"\x1f\x8b":
        try:
            # Read at most one byte past the limit, so a small file that unpacks to gigabytes is refused.
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
                data = unpacked.read(MAX_INPUT_BYTES + 1)
        except (OSError, EOFError, zlib.error) as err:
            raise InputError(f"{name}: the gzip data is corrupt or truncated ({err}); expected a complete gzip file") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{name}: larger than {MAX_INPUT_BYTES // 2**20} MiB, the most a page or export is read whole; "
            "split it, or convert its comments to JSONL, CSV or TSV (one per line), which are streamed at any size"
        )
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file; expected text, HTML, JSONL or CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few stray bytes: keep the UTF-8 and replace the strays, rather than
    # reading every accented letter as two Windows-1252 characters.
    lenient = data.decode("utf-8-sig", errors="replace")
    replaced = lenient.count("\ufffd")
    decoded = len(lenient) - len(lenient.encode("ascii", errors="ignore")) - replaced  # non-ASCII letters read as UTF-8
    if decoded > replaced:
        return lenient
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return lenient


def sniff_format(name: str, text: str, *, whole: bool = True, text_column: str = "text") -> str | None:
    """Guess the input format from the file name, then from the content.

    ``text`` is the file's content, or only its head when ``whole`` is false; None then means the
    head cannot tell (a JSON document runs past it) and the whole file must be sniffed. A first line
    of comma- or tab-separated names, ``text_column`` among them, is a CSV or TSV header.
    """
    suffixes = [s.lower() for s in Path(name).suffixes if s.lower() not in COMPRESSED_SUFFIXES]
    suffix = suffixes[-1] if suffixes else ""
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    if text.startswith("PAR1"):
        return "parquet"
    if not whole and is_cut_json(text):
        return None
    export = sniff_export(text)
    if export is not None:
        return export
    if suffix in (".json", ".xml"):
        raise InputError(
            f"{name}: a {suffix[1:].upper()} file that is not a known export; expected a Disqus or WordPress XML "
            "export or a Reddit, yt-dlp, Hacker News or Discourse JSON file (one comment per line is JSONL: "
            "rename it .jsonl); or name the format",
            settings="input_format",
        )
    if _HTML_START.match(text[:4096]):
        return "html"
    head = text.lstrip()[:1]
    return "jsonl" if head == "{" else _sniff_table(text, text_column) or "text"


def _sniff_table(text: str, text_column: str) -> str | None:
    """``tsv`` or ``csv`` where the first line names two or more columns, ``text_column`` among them."""
    import csv

    first = text[:4096].splitlines()[0] if text.strip() else ""
    for fmt, delimiter in (("tsv", "\t"), ("csv", ",")):
        try:
            names = [name.strip() for name in next(csv.reader([first], delimiter=delimiter), [])]
        except csv.Error:  # not a line a table starts with
            continue
        if len(names) > 1 and text_column in names:
            return fmt
    return None


def read_thread(
    path: str | Path,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Thread:
    """Read a page or comment file into a :class:`Thread`.

    ``input_format`` forces one of :data:`INPUT_FORMATS`; ``columns`` renames comment-file columns
    (e.g. ``{"text": "body"}``).
    """
    if _is_parquet(str(path), input_format):
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
        raise _packed_parquet(name)
    if fmt == "text":
        return parse_plaintext(text, name)
    if fmt == "html":
        return parse_html(text, name)
    if fmt in EXPORT_PARSERS:
        return EXPORT_PARSERS[fmt](text, name)
    return parse_records(text, name, fmt, columns)


def open_comments(
    path: str | Path,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[Thread, Iterator[Comment]]:
    """The article (if any) and an iterator over the comments of a page or comment file (``-``: stdin).

    JSONL/CSV/TSV comment files (plain, gzip or zstd) and Parquet files are read a record at a time, so memory stays flat
    however large they are; their thread has no article. Other inputs are read whole. The input is
    opened once and its format sniffed from its first 64 KiB, kept for the reading that follows, so
    a pipe, a FIFO or ``<(command)`` works as a file does.
    """
    name = str(path)
    if _is_parquet(name, input_format):
        return Thread(source=name), _with_language(iter_parquet(_parquet_path(name), columns))
    handle = _open_input(name)
    try:
        data = _read(handle, _HEAD_BYTES + 1, name)
        head, whole = data[:_HEAD_BYTES].decode("utf-8-sig", errors="replace"), len(data) <= _HEAD_BYTES
        stream = io.BufferedReader(_Prefixed(data, handle))  # the head, then the rest
        fmt = input_format or sniff_format(name, head, whole=whole, text_column=column_mapping(columns)["text"])
        if fmt == "parquet":  # not read as a file above: packed in gzip or zstd
            raise _packed_parquet(name)
        if fmt not in STREAMED_FORMATS:  # None too: the whole file is read and sniffed
            with stream:
                thread = _parse_thread(_whole_text(stream, name), name, fmt, columns)
            return thread, _with_language(thread.comments)
    except BaseException:
        handle.close()
        raise
    if "\x00" in head[:8192]:
        stream.close()
        raise InputError(f"{name}: looks like a binary file; expected text, HTML, JSONL or CSV")
    if not head.strip():
        stream.close()
        raise InputError(f"{name}: the file is empty; {_EXPECTED}")
    return Thread(source=name), _with_language(iter_records(_lines(stream, name), name, fmt, columns))


def count_records(path: str, input_format: str | None = None, text_column: str = "text") -> int | None:
    """About how many comments a streamed comment file holds, found cheaply: a Parquet file's row count, or
    an uncompressed JSONL/CSV/TSV file's lines (less a header); None for stdin, a pipe, a packed file and
    anything read whole (a page's comments are counted once it is parsed)."""
    if path == "-" or not os.path.isfile(path) or Path(path).suffix.lower() in COMPRESSED_SUFFIXES:
        return None
    if _is_parquet(path, input_format):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except (pa.ArrowException, OSError):  # unreadable: the reading that follows says why
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


def _is_parquet(name: str, input_format: str | None) -> bool:
    """Whether the input is Parquet: so named or forced, or a file that starts as Parquet does."""
    if input_format is not None or name == "-":
        return input_format == "parquet"
    suffixes = [suffix.lower() for suffix in Path(name).suffixes]
    if suffixes and _SUFFIX_FORMATS.get(suffixes[-1]) == "parquet":
        return True
    if suffixes[-2:-1] and suffixes[-1] in COMPRESSED_SUFFIXES and _SUFFIX_FORMATS.get(suffixes[-2]) == "parquet":
        raise _packed_parquet(name)
    try:
        if not stat.S_ISREG(os.stat(name).st_mode):  # a pipe is read once, by the reader that follows
            return False
        with open(name, "rb") as handle:
            return handle.read(4) == b"PAR1"
    except (OSError, ValueError):
        return False  # the reader that follows says what is wrong


def _packed_parquet(name: str) -> InputError:
    return InputError(f"{name}: Parquet packed in gzip or zstd; Parquet compresses its own columns: unpack it, and read the .parquet file")


def _parquet_path(name: str) -> str:
    """Parquet is read from a file: its index is at the end, so stdin cannot hold it."""
    if name == "-":
        raise InputError("-: Parquet is read from a file, not stdin; name the file")
    return name


class _Prefixed(io.RawIOBase):
    """A stream that gives ``prefix`` and then the rest of ``rest``: a head read for sniffing is not
    lost. Closing it closes ``rest`` unless that is stdin, which belongs to the process."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self.prefix, self.rest = memoryview(prefix), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        return self.rest.readinto(buffer)

    def close(self) -> None:
        if self.rest is not sys.stdin.buffer:
            self.rest.close()
        super().close()


def _open_input(name: str) -> IO[bytes]:
    """The input's bytes, gzip or zstd undone, from one opening of the file (or stdin for ``-``)."""
    try:
        raw: IO[bytes] = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115 (returned)
    except (OSError, ValueError) as err:  # ValueError: a null byte in the name
        raise InputError(f"{name}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    magic = _read(raw, 4, name)
    stream = io.BufferedReader(_Prefixed(magic, raw))
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if magic == _ZSTD_MAGIC:
        return io.BufferedReader(_Unzstd(stream, name))
    return stream


class _Unzstd(io.RawIOBase):
    """A zstd stream undone as it is read, frame after frame; a stream cut short is an error, not a
    shorter file. Windows up to 2 GiB are allowed (Reddit dumps are packed with ``--long=31``)."""

    def __init__(self, packed: IO[bytes], name: str) -> None:
        import zstandard

        self.packed, self.name, self.error = packed, name, zstandard.ZstdError
        self.decompressor = zstandard.ZstdDecompressor(max_window_size=2**31)
        self.frame = self.decompressor.decompressobj()
        self.pending, self.offset = memoryview(b""), 0  # unpacked bytes not yet read, and how far they were
        self.started = False  # a frame has begun and not yet ended

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.offset == len(self.pending):
            # Small packed reads bound what one call unpacks (zstd can expand a few KiB a thousandfold).
            chunk = self.packed.read(1 << 13)
            if not chunk:
                if self.started:
                    raise InputError(f"{self.name}: the zstd data is cut short; expected a complete .zst file")
                return 0
            self.pending, self.offset = memoryview(self._unpack(chunk)), 0
        n = min(len(buffer), len(self.pending) - self.offset)
        buffer[:n] = self.pending[self.offset : self.offset + n]
        self.offset += n
        return n

    def _unpack(self, chunk: bytes) -> bytes:
        out = []
        try:
            while chunk:
                out.append(self.frame.decompress(chunk))
                self.started, chunk = not self.frame.eof, b""
                if self.frame.eof:  # the next frame, if any, starts in what this one left
                    chunk, self.frame = self.frame.unused_data, self.decompressor.decompressobj()
        except self.error as err:
            raise InputError(f"{self.name}: the zstd data is corrupt ({err}); expected a complete .zst file") from None
        return b"".join(out)

    def close(self) -> None:
        self.packed.close()
        super().close()


def _read(handle: IO[bytes], size: int, name: str) -> bytes:
    """Up to ``size`` bytes (fewer only at the end), with read errors in words."""
    chunks, left = [], size
    try:
        while left > 0:
            chunk = handle.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:  # BadGzipFile is an OSError: first
        raise InputError(f"{name}: the gzip data is corrupt or truncated ({err}); expected a complete gzip file") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or err})") from None
    return b"".join(chunks)


def _lines(handle: IO[bytes], name: str) -> Iterator[str]:
    """The stream's lines as text: UTF-8 where they decode, else Windows-1252 (line by line)."""
    try:
        with handle:
            for number, chunk in enumerate(handle):
                if number == 0 and chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                # A lone \r ends a line too, as it does for read_thread (io.StringIO(text, newline="")).
                for raw in chunk.splitlines(keepends=True) if b"\r" in chunk else (chunk,):
                    try:
                        yield raw.decode("utf-8")
                    except UnicodeDecodeError:
                        yield raw.decode("cp1252", errors="replace")
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"{name}: cannot read past a damaged part ({err}); expected a complete file") from None


__all__ = ["COMPRESSED_SUFFIXES", "INPUT_FORMATS", "STREAMED_FORMATS", "count_records", "decode_text", "open_comments", "read_text", "read_thread", "sniff_format"]
