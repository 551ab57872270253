"""Reddit threads as saved from ``/comments/<id>.json``: a post listing, then a comments listing."""

from __future__ import annotations

import html
from typing import Any, TypeGuard

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.documents import as_count, json_id, load_json, utc_from_seconds
from stance.extract.markup import tidy_text

EXPECTED = "expected a Reddit thread: the JSON list [post listing, comments listing] from a /comments/<id>.json URL"
PLACEHOLDERS = frozenset({"[deleted]", "[removed]"})


def looks_like_reddit(data: object) -> TypeGuard[list[dict[str, Any]]]:
    """Whether parsed JSON has the shape of a Reddit thread: two ``Listing`` objects."""
    return (
        isinstance(data, list)
        and len(data) == 2
        and all(isinstance(item, dict) and item.get("kind") == "Listing" for item in data)
    )


def parse_reddit(text: str, source: str) -> Thread:
    """Read a Reddit thread: the post is the article, every ``t1`` reply (at any depth) a comment.

    ``more`` stubs ("load more comments") add their count to :attr:`Thread.not_loaded`; the post's
    ``num_comments`` becomes the declared count. Bodies are Reddit's Markdown, entities unescaped.
    """
    data = load_json(text, source, EXPECTED)
    if not looks_like_reddit(data):
        raise InputError(f"{source}: not a Reddit thread; {EXPECTED}")
    posts = _children(data[0], source)
    if not posts or posts[0].get("kind") != "t3":
        raise InputError(f"{source}: the first listing holds no t3 post; {EXPECTED}")
    post = posts[0]["data"]
    thread = Thread(
        title=_markdown(post.get("title")),
        body=_markdown(post.get("selftext")),
        source=source,
        declared_count=as_count(post.get("num_comments")),
    )
    stack = list(reversed(_children(data[1], source)))
    while stack:
        item = stack.pop()
        kind, fields = item.get("kind"), item["data"]
        if kind == "more":
            thread.not_loaded += _more_count(fields)
        elif kind == "t1":
            comment = _comment(fields, source)
            if comment is not None:
                thread.comments.append(comment)
            if isinstance(fields.get("replies"), dict):
                stack.extend(reversed(_children(fields["replies"], source)))
    return thread


def _children(listing: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """The ``data.children`` of a listing, each checked to be a ``{"kind", "data"}`` object."""
    data = listing.get("data")
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(children, list) or not all(
        isinstance(child, dict) and isinstance(child.get("data"), dict) for child in children
    ):
        raise InputError(f"{source}: a listing has no list of {{kind, data}} objects under data.children; {EXPECTED}")
    return children


def _comment(fields: dict[str, Any], source: str) -> Comment | None:
    """A ``t1`` object as a comment; ``[deleted]``/``[removed]`` bodies give a flagged empty comment."""
    short_id = json_id(fields.get("id"))
    name = json_id(fields.get("name")) or (f"t1_{short_id}" if short_id else None)
    if name is None:
        raise InputError(f"{source}: a t1 comment has neither 'name' nor 'id'; {EXPECTED}")
    body = fields.get("body") if isinstance(fields.get("body"), str) else ""
    deleted = body.strip() in PLACEHOLDERS
    text = _markdown(body)
    if not text and not deleted:
        return None
    author, parent = fields.get("author"), fields.get("parent_id")
    return Comment(
        id=name,
        text=text,
        author=author if isinstance(author, str) and author not in PLACEHOLDERS else None,
        time=utc_from_seconds(fields.get("created_utc")),
        parent=parent if isinstance(parent, str) and parent.startswith("t1_") else None,
        likes=None if fields.get("score_hidden") else as_count(fields.get("score")),
        source=f"{source}#{name}",
        status="deleted" if deleted else None,
    )


def _more_count(fields: dict[str, Any]) -> int:
    """How many comments a ``more`` stub stands for: its count, else its number of child ids."""
    count = as_count(fields.get("count"))
    if count is not None:
        return count
    children = fields.get("children")
    return len(children) if isinstance(children, list) else 0


def _markdown(value: object) -> str:
    """Reddit text with the HTML entities its API escapes (``&amp;``, ``&lt;``, ``&gt;``) undone."""
    if not isinstance(value, str) or value.strip() in PLACEHOLDERS:
        return ""
    return tidy_text(html.unescape(value))




def more_ids(text: str, source: str) -> list[str]:
    """The ids of the comments a thread's ``more`` stubs stand for ("load more comments"), in thread order."""
    data = load_json(text, source, EXPECTED)
    if not looks_like_reddit(data):
        raise InputError(f"{source}: not a Reddit thread; {EXPECTED}")
    found, stack = [], list(reversed(_children(data[1], source)))
    while stack:
        item = stack.pop()
        fields = item["data"]
        if item.get("kind") == "more":
            found += [child for child in fields.get("children") or [] if isinstance(child, str)]
        elif isinstance(fields.get("replies"), dict):
            stack.extend(reversed(_children(fields["replies"], source)))
    return found


def parse_more_children(text: str, source: str) -> tuple[list[Comment], list[str]]:
    """The comments of a ``/api/morechildren`` answer (``{"json": {"data": {"things": [...]}}}``), and the ids
    of the further ``more`` stubs among them."""
    data = load_json(text, source, "expected Reddit's /api/morechildren answer")
    things = data.get("json", {}).get("data", {}).get("things") if isinstance(data, dict) else None
    if not isinstance(things, list) or not all(isinstance(t, dict) and isinstance(t.get("data"), dict) for t in things):
        raise InputError(f"{source}: Reddit's answer to load more comments has no json.data.things list")
    comments = [comment for thing in things if thing.get("kind") == "t1" and (comment := _comment(thing["data"], source)) is not None]
    more = [child for thing in things if thing.get("kind") == "more" for child in thing["data"].get("children") or [] if isinstance(child, str)]
    return comments, more
