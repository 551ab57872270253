"""yt-dlp ``.info.json`` files written with ``--write-comments``: the video and its comment list."""

from __future__ import annotations

from typing import Any, TypeGuard

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.documents import as_count, json_id, load_json, utc_from_seconds
from stance.extract.markup import tidy_text

EXPECTED = "expected a yt-dlp .info.json file written with --write-comments"


def looks_like_ytdlp(data: object) -> TypeGuard[dict[str, Any]]:
    """Whether parsed JSON is a yt-dlp info object (it names its extractor and page URL)."""
    return isinstance(data, dict) and "extractor" in data and "webpage_url" in data


def parse_ytdlp(text: str, source: str) -> Thread:
    """Read a video's title and description as the article and its ``comments`` as the comments.

    A reply's ``parent`` is its thread's top comment (``root`` means none); ``comment_count`` becomes
    the declared count. yt-dlp derives comment timestamps from texts like "2 years ago".
    """
    data = load_json(text, source, EXPECTED)
    if not looks_like_ytdlp(data):
        raise InputError(f"{source}: not a yt-dlp info file (no 'extractor' and 'webpage_url'); {EXPECTED}")
    entries = data.get("comments")
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise InputError(f"{source}: has no 'comments' list of objects; re-run yt-dlp with --write-comments")
    comments = [_comment(entry, source) for entry in entries]
    return Thread(
        title=_text(data.get("title")),
        body=_text(data.get("description")),
        comments=[comment for comment in comments if comment is not None],
        source=source,
        declared_count=as_count(data.get("comment_count")),
    )


def _comment(entry: dict[str, Any], source: str) -> Comment | None:
    """One entry of ``comments``, or None when its text is empty."""
    comment_id = json_id(entry.get("id"))
    if comment_id is None:
        raise InputError(f"{source}: a comment has no 'id'; {EXPECTED}")
    text = _text(entry.get("text"))
    if not text:
        return None
    parent, author = entry.get("parent"), entry.get("author")
    return Comment(
        id=comment_id,
        text=text,
        author=author if isinstance(author, str) and author else None,
        time=utc_from_seconds(entry.get("timestamp")),
        parent=str(parent) if isinstance(parent, (str, int)) and parent not in ("", "root") else None,
        likes=as_count(entry.get("like_count")),
        source=f"{source}#comment[{comment_id}]",
    )


def _text(value: object) -> str:
    return tidy_text(value) if isinstance(value, str) else ""


