"""Comments in JSON: schema.org ``Comment`` objects in JSON-LD, and comment-like JSON in ``<script>`` tags.

Used where the markup holds no comments: a page may carry its comments only as data (JSON-LD for
search engines, or an app's state such as ``__NEXT_DATA__``) that a script renders. Kept apart
because it reads JSON, not the HTML tree; the JSON-LD objects are also where the article's headline
and declared comment count are read (:mod:`.article`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from stance.core.thread import Comment
from stance.extract.documents import as_count, json_id, parse_json
from stance.extract.markup import html_to_text

_TEXT_KEYS = ("body", "text", "content", "message", "comment", "commentText", "body_html", "bodyHtml", "html")
_AUTHOR_KEYS = ("author", "user", "username", "userName", "authorName", "author_name", "by", "name", "displayName")


def json_ld_objects(root: etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks (graphs flattened one level)."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = parse_json(script.text)
        except (json.JSONDecodeError, RecursionError):  # nested too deeply to be page data
            continue
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict):
                yield obj
                yield from (o for o in obj.get("@graph", []) if isinstance(o, dict))


def types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    return {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()


def comments_from_json_ld(objects: list[dict[str, Any]], source: str) -> list[Comment]:
    comments: list[Comment] = []

    def visit(obj: Any, parent: str | None) -> None:
        if isinstance(obj, list):
            for entry in obj:
                visit(entry, parent)
            return
        if not isinstance(obj, dict):
            return
        own_id = parent
        if "Comment" in types(obj) and isinstance(obj.get("text"), str):
            own_id = json_id(obj.get("@id")) or json_id(obj.get("identifier")) or f"ld-{len(comments) + 1}"
            comments.append(
                Comment(
                    id=own_id,
                    text=html_to_text(obj["text"]),
                    author=_json_name(obj.get("author")),
                    time=_json_text(obj.get("dateCreated") or obj.get("datePublished")),
                    parent=parent,
                    likes=as_count(obj.get("upvoteCount")),
                    source=f"{source}#ld+json[{len(comments)}]",
                )
            )
        visit(obj.get("comment"), own_id)
        for key in ("mainEntity", "@graph", "hasPart"):
            visit(obj.get(key), parent)

    for obj in objects:
        visit(obj, None)
    return comments


def comments_from_scripts(root: etree._Element, source: str) -> list[Comment]:
    """The largest list of comment-like objects in JSON embedded in the page's scripts."""
    best: list[Comment] = []
    for index, script in enumerate(root.iter("script")):
        kind = (script.get("type") or "").lower()
        if kind not in ("application/json", "") or not script.text or len(script.text) < 40:
            continue
        raw = script.text.strip()
        if not raw.startswith(("{", "[")):
            continue
        try:
            data = parse_json(raw)
        except (json.JSONDecodeError, RecursionError):  # nested too deeply to be page data
            continue
        label = script.get("id") or f"script:nth-of-type({index + 1})"
        for found in _comment_lists(data):
            comments = _comments_from_json_list(found, None, f"{source}#{label}")
            if len(comments) > len(best):
                best = comments
    return best


def _is_comment_object(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and any(isinstance(obj.get(key), str) and obj[key].strip() for key in _TEXT_KEYS)
        and any(obj.get(key) for key in _AUTHOR_KEYS)
    )


def _comment_lists(data: Any) -> Iterator[list[dict[str, Any]]]:
    """Lists in a JSON document whose entries are all comment-like objects (text plus author)."""
    if isinstance(data, list):
        if data and all(_is_comment_object(entry) for entry in data):
            yield data
            return
        for entry in data:
            yield from _comment_lists(entry)
    elif isinstance(data, dict):
        for value in data.values():
            yield from _comment_lists(value)


def _comments_from_json_list(entries: list[dict[str, Any]], parent: str | None, source: str) -> list[Comment]:
    comments = []
    for entry in entries:
        text_key = next(key for key in _TEXT_KEYS if isinstance(entry.get(key), str) and entry[key].strip())
        own_id = json_id(entry.get("id")) or json_id(entry.get("commentId")) or f"json-{len(comments) + 1}"
        author_key = next(key for key in _AUTHOR_KEYS if entry.get(key))
        comments.append(
            Comment(
                id=own_id,
                text=html_to_text(entry[text_key]),
                author=_json_name(entry[author_key]),
                time=_json_text(entry.get("createdAt") or entry.get("created_at") or entry.get("date") or entry.get("time")),
                parent=parent or _json_text(entry.get("parentId") or entry.get("parent_id")),
                likes=as_count(entry.get("likes") or entry.get("likeCount") or entry.get("score") or entry.get("upvotes")),
                source=f"{source}[{own_id}]",
            )
        )
        for key in ("replies", "children", "comments"):
            if isinstance(entry.get(key), list) and all(_is_comment_object(e) for e in entry[key]):
                comments.extend(_comments_from_json_list(entry[key], own_id, source))
    return comments


def _json_name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("username") or value.get("displayName")
    if isinstance(value, list) and value:
        return _json_name(value[0])
    return _json_text(value)


def _json_text(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip() or None
    return None
