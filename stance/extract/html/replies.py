"""Reply structure in the markup: which comment a reply answers, and which wrappers hold only replies.

Most pages nest a reply inside the comment it answers, which :func:`.items.nearest` finds; these are
the other cases: replies in a list beside their parent rather than inside it, and the lists inside a
comment that hold its replies and must not count as its own text. Kept apart because both walk the
tree between comments rather than inside one.
"""

from __future__ import annotations

import re

from lxml import etree

from stance.extract.html import fields
from stance.extract.markup import element_text


def parent_beside(element: etree._Element, item_children: dict[etree._Element, list[etree._Element]]) -> etree._Element | None:
    """The comment a reply answers where replies sit in a list beside it, not inside it.

    In ``<li><div class=msg>A</div><ul><li><div class=msg>B</div></li></ul></li>`` B answers A: going
    up from B, the first element holding another comment as a child holds A, and the way from there
    down to B passes through a list. Comments that are siblings of each other are a flat list.
    """
    node, through_list = element, False
    for ancestor in element.iterancestors():
        # Only ``element`` itself can be among the comments held directly (no ancestor of it is a
        # comment): testing that by identity keeps a flat list of thousands of comments linear.
        children = item_children.get(ancestor, ())
        if len(children) > (node is element):
            if node is element or not through_list:
                return None
            position = ancestor.index(node)
            earlier = [child for child in children if ancestor.index(child) < position]
            return earlier[-1] if earlier else None
        through_list = through_list or ancestor.tag in ("ul", "ol") or any(
            re.search(r"children|replies|thread", t, re.I) for t in fields.classes(ancestor)
        )
        node = ancestor
    return None


def reply_containers(element: etree._Element, nested: frozenset[etree._Element]) -> frozenset[etree._Element]:
    """The nested replies of a comment and the lists holding nothing else: not part of its own text."""
    between: set[etree._Element] = set()
    for reply in nested:
        for ancestor in reply.iterancestors():
            if ancestor is element or ancestor in between:
                break
            between.add(ancestor)
    holders = {
        node
        for node in between
        if (node.tag in ("ol", "ul") or any(re.search(r"children|replies|thread", t, re.I) for t in fields.classes(node)))
        and not element_text(node, nested)
    }
    return nested | holders
