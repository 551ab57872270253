"""Turn a page or a comment file into a :class:`~stance.thread.Thread`; the format is sniffed."""

from __future__ import annotations

import gzip
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from stance.errors import InputError
from stance.extract.exports import EXPORT_PARSERS, sniff_export
from stance.extract.html import parse_html
from stance.extract.plaintext import parse_plaintext
from stance.extract.records import parse_records
from stance.thread import Thread

INPUT_FORMATS = ("text", "html", "jsonl", "csv", "tsv", *EXPORT_PARSERS)
MAX_INPUT_BYTES = 200 * 1024 * 1024
_SUFFIX_FORMATS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".txt": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|div|article|section)\b", re.I | re.S)


def read_text(path: str | Path) -> str:
    """Read a file (or ``-`` for stdin) as text: gzip is undone, UTF-8 tried before Windows-1252."""
    name = str(path)
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or err})") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise InputError(f"{name}: the gzip data is corrupt or truncated ({err})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name}: larger than {MAX_INPUT_BYTES // 2**20} MiB; split it into smaller files")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file; expected text, HTML, JSONL or CSV")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def sniff_format(name: str, text: str) -> str:
    """Guess the input format from the file name, then from the content."""
    suffixes = [s.lower() for s in Path(name).suffixes if s.lower() != ".gz"]
    suffix = suffixes[-1] if suffixes else ""
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    export = sniff_export(text)
    if export is not None:
        return export
    if suffix in (".json", ".xml"):
        raise InputError(
            f"{name}: a {suffix[1:].upper()} file that is not a known export; expected a Disqus or WordPress XML "
            "export or a Reddit, yt-dlp, Hacker News or Discourse JSON file (one comment per line is JSONL: "
            "rename it .jsonl); force a format with --input-format"
        )
    if _HTML_START.match(text[:4096]):
        return "html"
    head = text.lstrip()[:1]
    return "jsonl" if head == "{" else "text"


def read_thread(
    path: str | Path,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Thread:
    """Read a page or comment file into a :class:`Thread`.

    ``input_format`` forces one of :data:`INPUT_FORMATS`; ``columns`` renames comment-file columns
    (e.g. ``{"text": "body"}``).
    """
    name = str(path)
    text = read_text(path)
    fmt = input_format or sniff_format(name, text)
    if fmt not in INPUT_FORMATS:
        raise InputError(f"{name}: unknown input format {fmt!r}; expected one of {', '.join(INPUT_FORMATS)}")
    if not text.strip():
        raise InputError(f"{name}: the file is empty")
    if fmt == "text":
        return parse_plaintext(text, name)
    if fmt == "html":
        return parse_html(text, name)
    if fmt in EXPORT_PARSERS:
        return EXPORT_PARSERS[fmt](text, name)
    return parse_records(text, name, fmt, columns)


__all__ = ["INPUT_FORMATS", "read_text", "read_thread", "sniff_format"]
