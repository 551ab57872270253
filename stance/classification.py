"""Classifying every comment of a thread, and summarising the thread's stance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

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

    Comments the source flags as deleted, spam or orphaned are left out unless ``include_removed``.
    Raises :class:`InputError` when a comment has no target from any of those sources.
    """
    return list(
        classify_comments(
            thread.comments, classifier, target, default_target=thread.default_target(),
            include_removed=include_removed, progress=progress, fallback_source=thread.source,
        )
    )


def classify_comments(
    comments: Iterable[Comment],
    classifier: StanceClassifier,
    target: str | None = None,
    *,
    default_target: str = "",
    include_removed: bool = False,
    skip: Container[tuple[str, str | None]] = (),
    chunk_size: int = 4096,
    progress: bool = False,
    fallback_source: str | None = None,
) -> Iterator[CommentStance]:
    """Classify comments as they come, ``chunk_size`` at a time, yielding results in input order.

    Memory stays flat however many comments the iterable yields: one chunk is classified in a
    background thread while the next is read and the previous one's results are consumed. Comments
    whose ``(id, source)`` is in ``skip`` (already classified by an interrupted run) are passed over.
    """
    check_target(target)
    kept = (c for c in comments if (include_removed or not c.removed) and (c.id, c.source) not in skip)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(desc="classifying", unit=" comments", delay=1.0)
    background = ThreadPoolExecutor(1, thread_name_prefix="stance-classify")
    chunks = _chunks(kept, chunk_size)
    running: Future[list[CommentStance]] | None = None
    try:
        while True:
            try:
                chunk = next(chunks, None)
            except Exception:  # a bad record further on: hand back what is classified already, then fail
                if running is not None:
                    yield from _finished(running, bar)
                raise
            following = None
            if chunk is not None:
                following = background.submit(_classify_chunk, chunk, classifier, target, default_target, fallback_source)
            if running is not None:
                yield from _finished(running, bar)
            if following is None:
                break
            running = following
    finally:  # also when the consumer stops early: don't wait for a chunk nobody will read
        background.shutdown(wait=False, cancel_futures=True)
        if bar is not None:
            bar.close()


def _finished(running: Future[list[CommentStance]], bar: Any) -> list[CommentStance]:
    results = running.result()
    if bar is not None:
        bar.update(len(results))
    return results


def _chunks(items: Iterable[Comment], size: int) -> Iterator[list[Comment]]:
    chunk: list[Comment] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _classify_chunk(
    comments: list[Comment], classifier: StanceClassifier, target: str | None, default_target: str, fallback_source: str | None
) -> list[CommentStance]:
    targets = [target or comment.target or default_target for comment in comments]
    missing = [comment for comment, found in zip(comments, targets) if not found]
    if missing:
        raise InputError(
            f"{missing[0].source or fallback_source}: no target to judge the comment against "
            "(the input has no article title); pass --target 'the claim or headline'"
        )
    predictions = classifier.predict([comment.text for comment in comments], targets)
    return [CommentStance(c, p, t) for c, p, t in zip(comments, predictions, targets)]


class SummaryCounter:
    """Counts labels as results stream past, for the thread summary at the end."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.counts: Counter[str] = Counter()

    def add(self, results: Iterable[CommentStance]) -> Iterator[CommentStance]:
        for result in results:
            self.counts[result.prediction.label] += 1
            yield result

    def summary(self) -> ThreadSummary:
        return ThreadSummary(counts={label: self.counts.get(label, 0) for label in self.labels}, total=sum(self.counts.values()))
