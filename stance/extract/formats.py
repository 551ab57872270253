"""Which format an input is: told by its name, else by its content (a page, an export, a comment file)."""

from __future__ import annotations

import csv
import os
import re
import stat
from pathlib import Path

from stance.errors import InputError
from stance.extract.exports import EXPORT_PARSERS, is_cut_json, sniff_export
from stance.io.inputs import COMPRESSED_SUFFIXES

INPUT_FORMATS = ("text", "html", "jsonl", "csv", "tsv", "parquet", *EXPORT_PARSERS)
STREAMED_FORMATS = ("jsonl", "csv", "tsv", "parquet")  # read a record at a time, however large the file
_SUFFIX_FORMATS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".txt": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".parquet": "parquet", ".pq": "parquet",
}
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|div|article|section)\b", re.I | re.S)


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
    first = text[:4096].splitlines()[0] if text.strip() else ""
    for fmt, delimiter in (("tsv", "\t"), ("csv", ",")):
        try:
            names = [name.strip() for name in next(csv.reader([first], delimiter=delimiter), [])]
        except csv.Error:  # not a line a table starts with
            continue
        if len(names) > 1 and text_column in names:
            return fmt
    return None


def is_parquet(name: str, input_format: str | None) -> bool:
    """Whether the input is Parquet: so named or forced, or a file that starts as Parquet does."""
    if input_format is not None or name == "-":
        return input_format == "parquet"
    suffixes = [suffix.lower() for suffix in Path(name).suffixes]
    if suffixes and _SUFFIX_FORMATS.get(suffixes[-1]) == "parquet":
        return True
    if suffixes[-2:-1] and suffixes[-1] in COMPRESSED_SUFFIXES and _SUFFIX_FORMATS.get(suffixes[-2]) == "parquet":
        raise packed_parquet(name)
    try:
        if not stat.S_ISREG(os.stat(name).st_mode):  # a pipe is read once, by the reader that follows
            return False
        with open(name, "rb") as handle:
            return handle.read(4) == b"PAR1"
    except (OSError, ValueError):
        return False  # the reader that follows says what is wrong


def packed_parquet(name: str) -> InputError:
    """The error for Parquet inside gzip or zstd, which is read only as a file of its own."""
    return InputError(f"{name}: Parquet packed in gzip or zstd; Parquet compresses its own columns: unpack it, and read the .parquet file")
