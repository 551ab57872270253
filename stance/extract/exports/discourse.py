"""Discourse topics as served at ``/t/<id>.json``: a title and a stream of posts, the first the article."""

from __future__ import annotations

from typing import Any, TypeGuard

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.documents import as_count, json_id, load_json
from stance.extract.markup import html_to_text

EXPECTED = "expected a Discourse topic from /t/<id>.json (an object with post_stream.posts)"
LIKE_ACTION = 2  # the id of "like" in a post's actions_summary
SMALL_ACTION = 3  # post_type of "closed the topic"-style notices, which are not comments


def looks_like_discourse(data: object) -> TypeGuard[dict[str, Any]]:
    """Whether parsed JSON is a Discourse topic: an object with a ``post_stream.posts`` list."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("post_stream"), dict)
        and isinstance(data["post_stream"].get("posts"), list)
    )


def parse_discourse(text: str, source: str) -> Thread:
    """Read a topic: post 1 is the article, the other loaded posts are comments.

    Posts the stream lists but the page did not include (Discourse sends about 20 at a time) are
    counted in :attr:`Thread.not_loaded`. Deleted, user-deleted and hidden posts are flagged deleted.
    """
    data = load_json(text, source, EXPECTED)
    if not looks_like_discourse(data):
        raise InputError(f"{source}: not a Discourse topic; {EXPECTED}")
    posts = data["post_stream"]["posts"]
    if not all(isinstance(post, dict) for post in posts):
        raise InputError(f"{source}: post_stream.posts holds something other than objects; {EXPECTED}")
    ids = {post["post_number"]: _post_id(post, source) for post in posts if isinstance(post.get("post_number"), int)}
    article = next((post for post in posts if post.get("post_number") == 1), None)
    comments = [
        _comment(post, ids, source) for post in posts if post is not article and post.get("post_type") != SMALL_ACTION
    ]
    title = data.get("title")
    return Thread(
        title=title.strip() if isinstance(title, str) else "",
        body=_html(article.get("cooked")) if article else "",
        comments=[comment for comment in comments if comment is not None],
        source=source,
        not_loaded=_not_loaded(data["post_stream"].get("stream"), {_post_id(post, source) for post in posts}),
    )


def _post_id(post: dict[str, Any], source: str) -> str:
    post_id = json_id(post.get("id"))
    if post_id is None:
        raise InputError(f"{source}: a post has no 'id'; {EXPECTED}")
    return post_id


def _comment(post: dict[str, Any], ids: dict[int, str], source: str) -> Comment | None:
    """A post as a comment, replying to the loaded post its ``reply_to_post_number`` names (not post 1)."""
    post_id = _post_id(post, source)
    deleted = bool(post.get("deleted_at") or post.get("hidden") or post.get("user_deleted"))
    # A post its author deleted has its text replaced by "(post deleted by author)".
    text = "" if post.get("user_deleted") else _html(post.get("cooked"))
    if not text and not deleted:
        return None
    reply_to, author, created = post.get("reply_to_post_number"), post.get("username"), post.get("created_at")
    return Comment(
        id=post_id,
        text=text,
        author=author if isinstance(author, str) and author else None,
        time=created if isinstance(created, str) and created else None,
        parent=ids.get(reply_to) if isinstance(reply_to, int) and reply_to != 1 else None,
        likes=_likes(post),
        source=f"{source}#post[{post_id}]",
        status="deleted" if deleted else None,
    )


def _likes(post: dict[str, Any]) -> int | None:
    """``like_count`` where the post has it, else the count of the like action in ``actions_summary``."""
    count, actions = post.get("like_count"), post.get("actions_summary")
    if count is None and isinstance(actions, list):
        likes = (action for action in actions if isinstance(action, dict) and action.get("id") == LIKE_ACTION)
        count = next((action.get("count", 0) for action in likes), None)
    return as_count(count)


def _not_loaded(stream: object, loaded: set[str]) -> int:
    """How many post ids in the topic's stream are missing from the loaded posts."""
    if not isinstance(stream, list):
        return 0
    return len({json_id(post_id) for post_id in stream} - loaded - {None})


def _html(value: object) -> str:
    return html_to_text(value) if isinstance(value, str) else ""
