"""Platform exports (Disqus, WordPress, Reddit, yt-dlp, Hacker News, Discourse): parsers by name and
recognising a file's format from its content."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from stance.core.thread import Thread
from stance.extract.exports.discourse import looks_like_discourse, parse_discourse
from stance.extract.exports.disqus import parse_disqus
from stance.extract.exports.hackernews import looks_like_hackernews, parse_hackernews
from stance.extract.exports.reddit import looks_like_reddit, parse_reddit
from stance.extract.exports.wordpress import parse_wxr
from stance.extract.exports.ytdlp import looks_like_ytdlp, parse_ytdlp

EXPORT_PARSERS: dict[str, Callable[[str, str], Thread]] = {
    "disqus": parse_disqus,
    "wxr": parse_wxr,
    "reddit": parse_reddit,
    "ytdlp": parse_ytdlp,
    "hackernews": parse_hackernews,
    "discourse": parse_discourse,
}
JSON_SHAPES: dict[str, Callable[[object], bool]] = {
    "reddit": looks_like_reddit,
    "ytdlp": looks_like_ytdlp,
    "hackernews": looks_like_hackernews,
    "discourse": looks_like_discourse,
}
XML_HEAD_CHARS = 64 * 1024  # how far into an XML file the root tag is looked for
# What may come before an XML root element: whitespace, the declaration and other processing
# instructions, comments and a doctype.
_XML_PROLOG = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)([^>]*)>")


def sniff_export(text: str) -> str | None:
    """The :data:`EXPORT_PARSERS` key for a file's content, or None if it is none of those formats.

    XML is recognised by its root tag and namespaces; JSON is parsed and its top-level shape checked.
    """
    head = text[:XML_HEAD_CHARS].lstrip()
    if head.startswith("<"):
        return _sniff_xml(head)
    if head.startswith(("{", "[")):
        return _sniff_json(text)
    return None


def _sniff_xml(head: str) -> str | None:
    """``disqus`` for a ``<disqus xmlns="http://disqus.com">`` root, ``wxr`` for an RSS root declaring
    the WordPress export namespace."""
    position = 0
    while prolog := _XML_PROLOG.match(head, position):
        position = prolog.end()
    root = _XML_ROOT.match(head, position)
    if root is None:
        return None
    name, attributes = root.group(1).rpartition(":")[2], root.group(2)
    if name == "disqus" and "http://disqus.com" in attributes:
        return "disqus"
    if name == "rss" and "wordpress.org/export/" in attributes:
        return "wxr"
    return None


def _sniff_json(text: str) -> str | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return next((name for name, shape in JSON_SHAPES.items() if shape(data)), None)


def is_cut_json(head: str) -> bool:
    """Whether the head of a file starts a JSON document that does not end within it.

    Only the whole file can then tell an export (one large document) from a JSON Lines file whose
    first record is long; a complete first document, or text that is not JSON, can be sniffed as is.
    """
    start = len(head) - len(head.lstrip())
    if not head.startswith(("{", "["), start):
        return False
    try:
        json.JSONDecoder().raw_decode(head, start)
    except (ValueError, RecursionError):
        return True
    return False
