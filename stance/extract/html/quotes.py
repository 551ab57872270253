"""Forum quotes: a reply's quote of an earlier post, its text, whom it quotes and which post it is.

A quote is cut out of the reply's own words and kept as ``quoted``, ``quoted_author`` and, where the
thread holds the quoted post, ``quoted_id`` (which stands in as the parent of a reply that has none).
Kept apart because forum software marks quotes in its own ways (XenForo, vBulletin, phpBB,
Discourse), which is a job of its own beside reading the comment's other fields.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from stance.core.thread import Comment
from stance.extract.html import fields
from stance.extract.markup import element_text

# A quote of an earlier post inside a reply: XenForo "bbCodeBlock--quote", vBulletin "bbcode_quote",
# phpBB 2 "quotecontent", Discourse "aside.quote" (besides every <blockquote>).
_QUOTE_CLASS = re.compile(r"^(?:quote|bbcode_quote|quotecontent|quote_container)$|--quote$", re.I)
# Who is quoted: the quote's title line ("RiverRat said:", "Originally Posted by mo_k", "bob:").
_QUOTE_TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|quotetitle|postedby|attribution)$", re.I)  # also "bbCodeBlock-title"
_QUOTE_EXTRA_CLASS = re.compile(r"expandLink|expand-link", re.I)  # "Click to expand..."
_QUOTE_BY = re.compile(
    r"^(?:originally posted by|quote from|quoting|zitat von)\s+(?P<a>[^\n]+?)\s*:?$"
    r"|^(?P<b>[^\n]+?)\s+(?:said|wrote|schrieb|sagte|a écrit|escribió|scrisse|skrev)\b.*$|^(?P<c>[^\n]{1,60}?):$",
    re.I,
)
_QUOTE_REF = re.compile(r"(?:post[:\s_-]*|#p|[?&]p=|#post-?|#comment-?)(\d+)\b", re.I)


def quote_nodes(element: etree._Element, skip: frozenset[etree._Element]) -> list[etree._Element]:
    """The quotes of earlier posts in a comment (outermost ones, in document order), with the title
    lines that name whom they quote where those sit beside the quote (phpBB 2)."""
    found: list[etree._Element] = []
    for node in fields.own_descendants(element, skip):
        if any(ancestor in found for ancestor in node.iterancestors()):
            continue
        if node.tag == "blockquote" or node.tag in ("aside", "div", "section") and any(_QUOTE_CLASS.search(t) for t in fields.classes(node)):
            title = node.getprevious()
            if title is not None and any(re.fullmatch(r"quotetitle", t, re.I) for t in fields.classes(title)):
                found.append(title)
            found.append(node)
    return found


def attributed(nodes: list[etree._Element]) -> bool:
    """Whether a quote names whom it quotes (a data attribute, a title line or a <cite>)."""
    return any(
        node.get(k) for node in nodes for k in ("data-quote", "data-username", "data-author", "data-source")
    ) or any(
        n.tag == "cite" or any(_QUOTE_TITLE_CLASS.search(t) for t in fields.classes(n)) for node in nodes for n in node.iter()
    )


def quote(nodes: list[etree._Element]) -> tuple[str, str | None, str | None]:
    """The quoted text, the quoted author and the page's reference to the quoted post (a number):
    read from the quote element and its title, never from links inside the quoted words."""
    titles = [
        node for quote in nodes for node in quote.iter()
        if node.tag == "cite" or any(_QUOTE_TITLE_CLASS.search(t) or _QUOTE_EXTRA_CLASS.search(t) for t in fields.classes(node))
    ]
    text = "\n\n".join(filter(None, (element_text(node, frozenset(titles)) for node in nodes if node not in titles)))
    author = next((quote.get(k).strip() for quote in nodes for k in ("data-quote", "data-username", "data-author") if quote.get(k)), None)
    for title in titles:
        match = _QUOTE_BY.match(element_text(title).split("\n")[0].strip())
        if author is None and match:
            author = next(group for group in match.groups() if group).strip()
    references = [
        value for node in (*nodes, *(n for title in titles for n in title.iter()))
        for value in (node.get("data-source"), node.get("data-post-id"), node.get("href"), node.get("data-post"))
        if value
    ]
    reference = next((m.group(1) for v in references if (m := _QUOTE_REF.search(v) or re.fullmatch(r"(\d+)", v))), None)
    return text, author, reference


def with_quotes(comments: list[Comment], quotes: dict[str, tuple[str, str | None, str | None]]) -> list[Comment]:
    """Each quoting comment with its quote; the quoted comment, where the thread has it (by the page's
    reference, else by its text), becomes ``quoted_id`` and, for a comment with no parent, its parent."""
    if not quotes:
        return comments
    result = []
    for position, comment in enumerate(comments):
        if comment.id not in quotes:
            result.append(comment)
            continue
        text, author, reference = quotes[comment.id]
        earlier = comments[:position]  # a quote answers what came before it
        quoted_id = next((c.id for c in earlier if reference and re.search(rf"(?<!\d){reference}$", c.id)), None)
        needle = " ".join(text.split())[:80].lower()
        if quoted_id is None and len(needle) >= 20:  # a few words ("No") would match anything
            quoted_id = next((c.id for c in reversed(earlier) if needle in " ".join(c.text.split()).lower()), None)
        result.append(replace(comment, quoted=text, quoted_author=author, quoted_id=quoted_id, parent=comment.parent or quoted_id))
    return result
