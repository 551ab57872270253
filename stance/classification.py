"""Classifying every comment of a thread, and summarising the thread's stance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from stance.classifier import StanceClassifier
from stance.errors import InputError
from stance.prediction import Prediction
from stance.thread import Comment, Thread


@dataclass(frozen=True)
class CommentStance:
    """A comment with its prediction and the target it was judged against."""

    comment: Comment
    prediction: Prediction
    target: str

    def to_record(self) -> dict[str, object]:
        """The comment's fields plus label, confidence and one score per label (for JSONL and CSV)."""
        record = self.comment.to_dict()
        record["target"] = self.target
        return record | self.prediction.to_dict()


@dataclass(frozen=True)
class ThreadSummary:
    """How many comments took each stance, and their shares."""

    counts: dict[str, int]
    total: int

    def share(self, label: str) -> float:
        return self.counts.get(label, 0) / self.total if self.total else 0.0

    def describe(self) -> str:
        parts = [f"{label} {count} ({self.share(label):.0%})" for label, count in self.counts.items()]
        noun = "comment" if self.total == 1 else "comments"
        return f"{self.total} {noun}: " + ", ".join(parts)


def check_target(target: str | None) -> None:
    """An explicit target must say something."""
    if target is not None and not target.strip():
        raise InputError("--target is empty; give the claim or article the comments respond to, or leave it out")


def classify_thread(
    thread: Thread,
    classifier: StanceClassifier,
    target: str | None = None,
    *,
    include_removed: bool = False,
    progress: bool = False,
) -> list[CommentStance]:
    """Predict each comment's stance toward ``target``, else its own target, else the article's.

    Comments the source flags as deleted or spam are left out unless ``include_removed``.
    Raises :class:`InputError` when a comment has no target from any of those sources.
    """
    check_target(target)
    comments = [comment for comment in thread.comments if include_removed or not comment.removed]
    targets = [target or comment.target or thread.default_target() for comment in comments]
    missing = [comment for comment, found in zip(comments, targets) if not found]
    if missing:
        raise InputError(
            f"{missing[0].source or thread.source}: no target to judge the comment against "
            "(the input has no article title); pass --target 'the claim or headline'"
        )
    predictions = classifier.predict([comment.text for comment in comments], targets, progress=progress)
    return [CommentStance(c, p, t) for c, p, t in zip(comments, predictions, targets)]


def summarize(results: Sequence[CommentStance], labels: Sequence[str]) -> ThreadSummary:
    """Counts per label, in the model's label order."""
    counts = Counter(result.prediction.label for result in results)
    return ThreadSummary(counts={label: counts.get(label, 0) for label in labels}, total=len(results))
