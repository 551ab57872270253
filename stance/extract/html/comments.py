"""Building ``Comment`` records from the comment elements found in the markup, and merging repeats.

This is where the other markup modules meet: for each element from :mod:`.items` it gathers the
fields (:mod:`.fields`), quotes (:mod:`.quotes`) and parent (:mod:`.replies`), names the element by
a CSS path for the record's ``source``, and finally merges comments a page renders twice. Kept as the
one place that composes them, so that the modules it uses do not depend on each other's output.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from stance.core.thread import Comment
from stance.extract.html import fields
from stance.extract.html.items import Item, nearest
from stance.extract.html.quotes import attributed, quote, with_quotes
from stance.extract.html.quotes import quote_nodes as find_quote_nodes
from stance.extract.html.replies import parent_beside, reply_containers


def comments_from_markup(root: etree._Element, items: list[Item], source: str) -> list[Comment]:
    elements = {item.element: item for item in items}
    ids = {item.element: fields.comment_id(item.element, n) for n, item in enumerate(items, start=1)}
    comments = []
    levels: list[tuple[int, str]] = []  # (level, id) of the comments above, for pages that print "level N"
    positions: dict[etree._Element, dict[etree._Element, str]] = {}
    item_children: dict[etree._Element, list[etree._Element]] = {}
    for item in items:
        item_children.setdefault(item.element.getparent(), []).append(item.element)
    quotes: dict[str, tuple[str, str | None, str | None]] = {}  # comment id → quote text, author, page's reference
    for item in items:
        element = item.element
        nested = frozenset(node for node in element.iterdescendants() if node in elements)
        skip = reply_containers(element, nested)
        quote_nodes = find_quote_nodes(element, skip)
        own_words = fields.comment_text(element, skip | frozenset(quote_nodes)) if quote_nodes else ""
        # A blockquote holding the whole body beside a "Reply" link is the body, not a quote.
        if own_words and (len(own_words.split()) >= 3 or attributed(quote_nodes)):
            quotes[ids[element]] = quote(quote_nodes)
            skip = skip | frozenset(quote_nodes)
            text = own_words
        else:
            text = fields.comment_text(element, skip)
        parent_element = nearest(element, elements)
        if parent_element is None:
            parent_element = parent_beside(element, item_children)
        parent = ids[parent_element] if parent_element is not None else None
        level = fields.level(element, skip)
        if level is not None:
            while levels and levels[-1][0] >= level:
                levels.pop()
            parent = parent or (levels[-1][1] if levels else None)
            levels.append((level, ids[element]))
        comments.append(
            Comment(
                id=ids[element],
                text=text,
                author=fields.author(element, skip),
                time=fields.time(element, skip),
                parent=parent,
                likes=fields.likes(element, skip),
                source=f"{source}#{_css_path(element, positions)}",
                status="deleted" if fields.DELETED_TEXT.search(text) else None,
            )
        )
    return with_quotes(comments, quotes)


def without_repeats(comments: list[Comment]) -> list[Comment]:
    """Each comment once, where a page renders some twice (a "top comments" box beside the full list,
    mobile and desktop markup, a noscript copy): the same id, or the same author, time and text (both
    known: two anonymous "+1"s are two comments), is one comment. The last copy is kept, in its place
    (a "top comments" box comes before the full list), with the longer text and the parent and likes
    of another copy where it lacks them (a box may shorten the text); replies to another copy answer
    the one kept."""
    kept: dict[object, int] = {}
    merged: list[Comment] = []
    renamed: dict[str, str] = {}
    for comment in reversed(comments):
        text = " ".join(comment.text.split())
        keys = [("id", comment.id)] + ([(comment.author, comment.time, text)] if text and comment.author and comment.time else [])
        position = next((kept[key] for key in keys if key in kept), None)
        kept_copy = merged[position] if position is not None else None
        if kept_copy and comment.id != kept_copy.id and comment.id in (kept_copy.parent, kept_copy.quoted_id):
            kept_copy = None  # a reply that repeats what it answers is still a reply
        if kept_copy is None or position is None:
            kept.update(dict.fromkeys(keys, len(merged)))
            merged.append(comment)
            continue
        renamed[comment.id] = kept_copy.id
        merged[position] = replace(
            kept_copy, text=max(kept_copy.text, comment.text, key=len), parent=kept_copy.parent or comment.parent,
            likes=kept_copy.likes if kept_copy.likes is not None else comment.likes,
        )
    if not renamed:
        return comments
    return [
        replace(c, parent=renamed.get(c.parent or "", c.parent), quoted_id=renamed.get(c.quoted_id or "", c.quoted_id))
        for c in reversed(merged)
    ]


def _css_path(element: etree._Element, positions: dict[etree._Element, dict[etree._Element, str]]) -> str:
    """A CSS selector for the element, anchored at the nearest ancestor with an id.

    ``positions`` caches each parent's ``tag:nth-of-type(k)`` names, so long flat lists stay linear.
    """
    parts = []
    node: etree._Element | None = element
    while node is not None and isinstance(node.tag, str):
        if node.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", node.get("id")):
            parts.append(f"{node.tag}#{node.get('id')}")
            break
        parent = node.getparent()
        if parent is None:
            parts.append(node.tag)
            break
        if parent not in positions:
            positions[parent] = _child_selectors(parent)
        parts.append(positions[parent][node])
        node = parent
    return " > ".join(reversed(parts))


def _child_selectors(parent: etree._Element) -> dict[etree._Element, str]:
    children = [child for child in parent if isinstance(child.tag, str)]
    totals: dict[str, int] = {}
    for child in children:
        totals[child.tag] = totals.get(child.tag, 0) + 1
    seen: dict[str, int] = {}
    names = {}
    for child in children:
        seen[child.tag] = seen.get(child.tag, 0) + 1
        names[child] = child.tag if totals[child.tag] == 1 else f"{child.tag}:nth-of-type({seen[child.tag]})"
    return names
