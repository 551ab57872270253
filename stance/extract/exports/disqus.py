"""Disqus XML exports: ``<thread>`` elements and the ``<post>`` comments that point at them."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from stance.core.thread import Comment, Thread
from stance.errors import InputError
from stance.extract.documents import load_xml
from stance.extract.markup import html_to_text, title_from_link

DSQ_ID = "{http://disqus.com/disqus-internals}id"
EXPECTED = "expected a Disqus XML export (a <disqus> root holding <thread> and <post> elements)"


def parse_disqus(text: str, source: str) -> Thread:
    """Read a Disqus export: every ``<post>`` becomes a comment, deleted and spam ones flagged.

    An export is a site's archive, one ``<thread>`` per article. When all posts belong to one
    thread, its title is the article's; otherwise each comment's target is its own thread's title
    (from the link where the title is empty). Posts whose thread is missing from the export are
    flagged ``orphaned``: their article is gone.
    """
    root = load_xml(text, source, EXPECTED)
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    if root.tag != f"{namespace}disqus":
        raise InputError(f"{source}: the XML root is <{root.tag}>; {EXPECTED}")
    titles = {thread.get(DSQ_ID): _thread_title(thread, namespace) for thread in root.findall(f"{namespace}thread")}
    comments: list[Comment] = []
    for post in root.findall(f"{namespace}post"):
        comment = _comment(post, namespace, source)
        if comment is not None:
            thread_id = _ref(post, f"{namespace}thread")
            comment.target = titles.get(thread_id) or None
            if thread_id not in titles and comment.status is None:
                comment.status = "orphaned"
            comments.append(comment)
    targets = {comment.target for comment in comments}
    if len(targets) == 1 and None not in targets:  # one article: its title heads the thread
        title = targets.pop()
        for comment in comments:
            comment.target = None
        return Thread(title=title, comments=comments, source=source)
    return Thread(comments=comments, source=source)


def _thread_title(thread: Element, namespace: str) -> str:
    """A ``<thread>``'s title, else words from its link, else empty."""
    title = (thread.findtext(f"{namespace}title") or "").strip()
    return title or title_from_link((thread.findtext(f"{namespace}link") or "").strip())


def _comment(post: Element, namespace: str, source: str) -> Comment | None:
    """One ``<post>`` as a comment, or None when it has no text and is not flagged."""
    post_id = post.get(DSQ_ID)
    if not post_id:
        raise InputError(f"{source}: a <post> has no dsq:id attribute; {EXPECTED}")
    status = _status(post, namespace)
    text = html_to_text(post.findtext(f"{namespace}message") or "")
    if not text and status is None:
        return None
    author = post.find(f"{namespace}author")
    return Comment(
        id=post_id,
        text=text,
        author=_author(author, namespace) if author is not None else None,
        time=(post.findtext(f"{namespace}createdAt") or "").strip() or None,
        parent=_ref(post, f"{namespace}parent"),
        source=f"{source}#post[{post_id}]",
        status=status,
    )


def _status(post: Element, namespace: str) -> str | None:
    """``spam`` or ``deleted`` where the post's flags say so."""
    if _flag(post, f"{namespace}isSpam"):
        return "spam"
    return "deleted" if _flag(post, f"{namespace}isDeleted") else None


def _flag(post: Element, tag: str) -> bool:
    return (post.findtext(tag) or "").strip().lower() == "true"


def _author(author: Element, namespace: str) -> str | None:
    """The author's display name, else their username."""
    for tag in ("name", "username"):
        value = (author.findtext(f"{namespace}{tag}") or "").strip()
        if value:
            return value
    return None


def _ref(post: Element, tag: str) -> str | None:
    """The dsq:id a child element such as ``<parent dsq:id="4"/>`` points to."""
    element = post.find(tag)
    return (element.get(DSQ_ID) or None) if element is not None else None
