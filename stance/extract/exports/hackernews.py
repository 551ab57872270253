"""Hacker News items from the Algolia API (``hn.algolia.com/api/v1/items/<id>``): a nested tree."""

from __future__ import annotations

from typing import Any, TypeGuard

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.documents import as_count, json_id, load_json
from stance.extract.markup import html_to_text

EXPECTED = "expected a Hacker News item from hn.algolia.com/api/v1/items/<id> (an object with nested 'children')"
ITEM_TYPES = frozenset({"story", "comment", "poll", "pollopt", "job"})


def looks_like_hackernews(data: object) -> TypeGuard[dict[str, Any]]:
    """Whether parsed JSON is an Algolia HN item: a known ``type``, ``created_at`` and a ``children`` list."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("type"), str)
        and data["type"] in ITEM_TYPES
        and "created_at" in data
        and isinstance(data.get("children"), list)
    )


def parse_hackernews(text: str, source: str) -> Thread:
    """Read an item as the article (title and HTML text) and all its descendants as comments.

    Deleted comments (no author, no text) are kept, flagged, so that their replies keep a parent.
    """
    data = load_json(text, source, EXPECTED)
    if not looks_like_hackernews(data):
        raise InputError(f"{source}: not a Hacker News item; {EXPECTED}")
    comments: list[Comment] = []
    stack: list[tuple[dict[str, Any], str | None]] = [(child, None) for child in reversed(_children(data, source))]
    while stack:
        item, parent = stack.pop()
        item_id = _item_id(item, source)
        comment = _comment(item, item_id, parent, source)
        if comment is not None:
            comments.append(comment)
        stack.extend((child, item_id) for child in reversed(_children(item, source)))
    title = data.get("title")
    return Thread(
        title=title.strip() if isinstance(title, str) else "",
        body=_html(data.get("text")),
        comments=comments,
        source=source,
    )


def _children(item: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """An item's ``children`` (absent means none), each checked to be an object."""
    children = item.get("children") or []
    if not isinstance(children, list) or not all(isinstance(child, dict) for child in children):
        raise InputError(f"{source}: an item's 'children' is not a list of objects; {EXPECTED}")
    return children


def _item_id(item: dict[str, Any], source: str) -> str:
    item_id = json_id(item.get("id"))
    if item_id is None:
        raise InputError(f"{source}: an item has no 'id'; {EXPECTED}")
    return item_id


def _comment(item: dict[str, Any], item_id: str, parent: str | None, source: str) -> Comment | None:
    """A comment item, or None when it has no text and is not deleted."""
    author = item.get("author")
    deleted = item.get("text") is None and author is None
    text = _html(item.get("text"))
    if not text and not deleted:
        return None
    created = item.get("created_at")
    points = item.get("points")
    return Comment(
        id=item_id,
        text=text,
        author=author if isinstance(author, str) and author else None,
        time=created if isinstance(created, str) and created else None,
        parent=parent,
        likes=as_count(points),
        source=f"{source}#item[{item_id}]",
        status="deleted" if deleted else None,
    )


def _html(value: object) -> str:
    """HN's HTML, whose first paragraph has no ``<p>`` (later ones open with one), as text."""
    return html_to_text(f"<p>{value}") if isinstance(value, str) else ""
