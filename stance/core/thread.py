"""The data model every extractor returns: a thread is an article and its reader comments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Comment:
    """One reader comment. Fields other than ``id`` and ``text`` are filled where the source has them."""

    id: str
    text: str
    author: str | None = None
    time: str | None = None  # ISO 8601
    parent: str | None = None  # id of the comment this one replies to
    likes: int | None = None
    target: str | None = None  # what this comment takes a stance toward, where it differs per comment
    source: str | None = None  # where it came from: "file:line" or a path inside the document
    # "deleted" or "spam" where the source flags it, "orphaned" where its article is missing from an
    # export; such comments are not classified
    status: str | None = None
    language: str | None = None  # ISO 639-1, detected from the text where it is long enough to tell
    # An earlier post this one quotes (forum quotes, blockquotes): kept out of ``text``, with the
    # quoted author where the page names one and the quoted comment's id where it is in the thread.
    quoted: str | None = None
    quoted_author: str | None = None
    quoted_id: str | None = None
    # The other columns of the record it was read from (JSONL, CSV, Parquet), by the file's names:
    # written back beside the results, so that a user's own columns (a gold label, a split) survive.
    extra: dict[str, Any] | None = None

    @property
    def removed(self) -> bool:
        """Whether the source flags this comment as deleted, spam or orphaned."""
        return self.status is not None

    def to_dict(self) -> dict[str, Any]:
        """The comment's own fields (:data:`COMMENT_FIELDS`; ``extra`` is not among them)."""
        return {name: getattr(self, name) for name in COMMENT_FIELDS}  # all scalars: no deep copy needed


COMMENT_FIELDS = tuple(f.name for f in fields(Comment) if f.name != "extra")


# A line of page furniture above an article: when it was published or updated, how long it takes to read.
_DATELINE = re.compile(
    r"^(?:(?=.{0,80}$)(?=.*\d)(?:article\s+)?(?:mis à jour|publié|updated|published|posted|last modified|aktualisiert|veröffentlicht|actualizado|"
    r"publicado|aggiornato|pubblicato)\b.*|\d{1,2}\s*min(?:ute)?s?\s+(?:read|de lecture|Lesezeit)|(?:Lesezeit|lecture)\s*:?\s*\d+\s*min\w*)$",
    re.I,
)


@dataclass
class Thread:
    """An article (title and body text) and the comments under it."""

    title: str = ""
    body: str = ""
    comments: list[Comment] = field(default_factory=list)
    source: str | None = None
    declared_count: int | None = None  # the "N Comments" header, where the page has one
    not_loaded: int = 0  # comments the source refers to but does not contain (e.g. Reddit "load more" stubs)
    pings_skipped: int = 0  # pingbacks and trackbacks: links from other sites, not reader comments
    # Records that are not one whole comment (no text, only interface words), by reason: kept where no other
    # way of reading the page gave whole ones (stance.extract.invariants)
    broken: dict[str, int] = field(default_factory=dict)
    loaded_by_script: str | None = None  # the comment system ("Disqus") whose script a fetched page loads its comments with

    @property
    def lead(self) -> str:
        """The article's first paragraph that says something: not the title again, not a dateline or a reading
        time ("Article mis à jour le 3 mai 2024", "Updated 10:42", "5 min read")."""
        title = " ".join(self.title.split()).casefold()
        for paragraph in self.body.split("\n"):
            flat = " ".join(paragraph.split())
            if flat and not (title and flat.casefold() in title or flat.casefold() == title) and not _DATELINE.search(flat):
                return flat
        return ""

    def describe(self) -> str:
        """One line on what was found: title, comments, replies, flagged and missing comments."""
        removed = sum(comment.status in ("deleted", "spam") for comment in self.comments)
        orphaned = sum(comment.status == "orphaned" for comment in self.comments)
        replies = sum(comment.parent is not None for comment in self.comments)
        parts = [f"{len(self.comments)} comments ({replies} replies, {removed} deleted or spam)"]
        if orphaned:
            parts.append(f"{orphaned} orphaned (their article is not in the file)")
        if self.pings_skipped:
            parts.append(f"{self.pings_skipped} pingbacks/trackbacks skipped")
        if self.declared_count is not None and self.declared_count != len(self.comments):
            parts.append(f"the page says {self.declared_count}")
        if self.not_loaded:
            parts.append(f"{self.not_loaded} more not in the file (not loaded when it was saved)")
        if self.loaded_by_script:
            parts.append(f"its comments load through {self.loaded_by_script}'s script, which stance does not run "
                         "(save the page once they show, or use the platform's export)")
        if self.broken:
            reasons = ", ".join(f"{reason} {n}" for reason, n in self.broken.items())
            parts.append(f"{sum(self.broken.values())} records not whole comments ({reasons})")
        title = f"{self.title!r}: " if self.title else ""
        return title + "; ".join(parts)

    def default_target(self) -> str:
        """What the comments take a stance toward: the title and the lead, where present."""
        return join_target(self.title, self.lead)


def join_target(title: str, lead: str) -> str:
    """``Title. Lead`` (the form the bundled model was trained on); either part may be empty."""
    title, lead = title.strip(), lead.strip()
    if title and lead:
        return f"{title.rstrip('.')}. {lead}"
    return title or lead
