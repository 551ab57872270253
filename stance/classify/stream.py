"""Classifying comments as they stream past, a chunk at a time, and the summary of a thread's stance."""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

from stance.core.thread import Comment
from stance.errors import InputError
from stance.model.classifier import StanceClassifier
from stance.model.prediction import Prediction


class Progress(Protocol):
    """Told how a long run goes; the caller shows it (the CLI: a bar on a terminal, a line now and then in a log)."""

    def begin(self, total: int | None) -> None:
        """A run of ``total`` items (None: not known in advance) starts."""

    def advance(self, count: int) -> None:
        """``count`` more items are done."""

    def end(self) -> None:
        """The run is over."""


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
    """How many comments took each stance and had each sentiment, their shares, and how the two
    cross (how many supporters wrote negatively). A task the model lacks has no counts."""

    counts: dict[str, int]  # stance label → comments
    total: int
    sentiment_counts: dict[str, int] = field(default_factory=dict)
    crosstab: dict[str, dict[str, int]] = field(default_factory=dict)  # stance → sentiment → comments
    languages: dict[str, int] = field(default_factory=dict)  # comments per detected language (ISO 639-1)
    pairs: dict[tuple[str | None, str | None], int] = field(default_factory=dict)  # (stance, sentiment) → comments
    renamed: dict[str, str] = field(default_factory=dict)  # the input's columns written under another name → that name

    @classmethod
    def of(
        cls,
        pairs: Mapping[tuple[str | None, str | None], int],
        tasks: Mapping[str, Sequence[str]],
        languages: Mapping[str | None, int] | None = None,
        renamed: Mapping[str, str] | None = None,
    ) -> ThreadSummary:
        """The summary of ``pairs`` ((stance, sentiment) → comments) over every label of ``tasks``,
        and of ``languages`` (language or None where it could not be told → comments)."""
        stance, sentiment = tasks.get("stance", ()), tasks.get("sentiment", ())
        return cls(
            counts={label: sum(n for (s, _), n in pairs.items() if s == label) for label in stance},
            total=sum(pairs.values()),
            sentiment_counts={label: sum(n for (_, f), n in pairs.items() if f == label) for label in sentiment},
            crosstab={s: {f: pairs.get((s, f), 0) for f in sentiment} for s in stance} if stance and sentiment else {},
            languages={language: n for language, n in (languages or {}).items() if language},
            pairs=dict(pairs),
            renamed=dict(renamed or {}),
        )

    @classmethod
    def combined(cls, summaries: Iterable[ThreadSummary], tasks: Mapping[str, Sequence[str]]) -> ThreadSummary:
        """The summary of several outputs together (the files of a folder run)."""
        pairs: Counter[tuple[str | None, str | None]] = Counter()
        languages: Counter[str | None] = Counter()
        renamed: dict[str, str] = {}
        for summary in summaries:
            pairs.update(summary.pairs)
            languages.update(summary.languages)
            renamed |= summary.renamed
        return cls.of(pairs, tasks, languages, renamed)

    def share(self, label: str, task: str = "stance") -> float:
        counts = self.counts if task == "stance" else self.sentiment_counts
        return counts.get(label, 0) / self.total if self.total else 0.0

    def describe(self) -> str:
        """One line per task, and one for the cross-tab: ``support: positive 2, negative 1 · oppose: ...``."""
        noun = "comment" if self.total == 1 else "comments"
        shares = [
            ", ".join(f"{label} {count} ({self.share(label, task):.0%})" for label, count in counts.items())
            for task, counts in (("stance", self.counts), ("sentiment", self.sentiment_counts))
            if counts
        ]
        lines = [f"{self.total} {noun}: {shares[0]}"] + [f"sentiment: {line}" for line in shares[1:]]
        if any(any(row.values()) for row in self.crosstab.values()):
            rows = (
                f"{stance}: " + ", ".join(f"{feeling} {n}" for feeling, n in row.items() if n)
                for stance, row in self.crosstab.items()
                if any(row.values())
            )
            lines.append("stance by sentiment: " + " · ".join(rows))
        if self.renamed:
            moves = ", ".join(f"{column} as {name}" for column, name in self.renamed.items())
            lines.append(f"your columns whose names the results use are kept under new names: {moves}")
        return "\n".join(lines)


PARENTS_KEPT = 200_000  # comments whose texts a reply-context run keeps for the replies to them


def check_target(target: str | None) -> None:
    """An explicit target must say something."""
    if target is not None and not target.strip():
        raise InputError("the target is empty; give the claim or article the comments respond to, or leave it out", settings="target")


def classify_comments(
    comments: Iterable[Comment],
    classifier: StanceClassifier,
    target: str | None = None,
    *,
    default_target: str = "",
    include_removed: bool = False,
    skip: int = 0,
    chunk_size: int = 4096,
    progress: Progress | None = None,
    fallback_source: str | None = None,
) -> Iterator[CommentStance]:
    """Classify comments as they come, ``chunk_size`` at a time (the first chunks smaller, so that
    ``progress`` hears soon), yielding results in input order.

    Memory stays flat however many comments the iterable yields: one chunk is classified in a background thread while the next is read and the previous
    one's results are consumed. The first
    ``skip`` comments to classify (those an interrupted run already wrote) are passed over. A model
    trained with reply context (``reply_context``) reads each reply after the comment it answers,
    where that comment came at most :data:`PARENTS_KEPT` comments earlier in the input (:class:`RecentTexts`).
    """
    check_target(target)
    texts_by_id: RecentTexts | None = RecentTexts() if classifier.reply_context else None
    if texts_by_id is not None:
        comments = recording(comments, texts_by_id)
    kept = islice((c for c in comments if include_removed or not c.removed), skip, None)
    background = ThreadPoolExecutor(1, thread_name_prefix="stance-classify")
    chunks = _chunks(kept, chunk_size)
    running: Future[list[CommentStance]] | None = None
    try:
        while True:
            try:
                chunk = next(chunks, None)
            except Exception:  # a bad record further on: hand back what is classified already, then fail
                if running is not None:
                    yield from _finished(running, progress)
                raise
            following = None
            if chunk is not None:
                parents = None if texts_by_id is None else [texts_by_id.get(c.parent, "") if c.parent else "" for c in chunk]
                following = background.submit(_classify_chunk, chunk, parents, classifier, target, default_target, fallback_source)
            if running is not None:
                yield from _finished(running, progress)
            if following is None:
                break
            running = following
    finally:  # also when the consumer stops early: don't wait for a chunk nobody will read
        background.shutdown(wait=False, cancel_futures=True)


def _finished(running: Future[list[CommentStance]], progress: Progress | None) -> list[CommentStance]:
    results = running.result()
    if progress is not None:
        progress.advance(len(results))
    return results


class RecentTexts(OrderedDict[str, str]):
    """The texts of the last ``capacity`` comments read, by id: what a reply-context model needs of the comment a
    reply answers, in memory bounded however long the input. A reply whose parent came more than ``capacity``
    comments before it (or is not in the input) is read without its parent's text, as a top-level comment is."""

    def __init__(self, capacity: int = PARENTS_KEPT) -> None:
        super().__init__()
        self.capacity = capacity

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.capacity:
            self.popitem(last=False)


def recording(comments: Iterable[Comment], texts_by_id: MutableMapping[str, str]) -> Iterator[Comment]:
    """The comments as they come, each one's text noted by id (for the replies to it)."""
    for comment in comments:
        texts_by_id[comment.id] = comment.text
        yield comment


def _chunks(items: Iterable[Comment], size: int, first: int = 256) -> Iterator[list[Comment]]:
    """Lists of ``first`` items, then twice as many each time up to ``size``."""
    chunk: list[Comment] = []
    limit = min(first, size)
    for item in items:
        chunk.append(item)
        if len(chunk) == limit:
            yield chunk
            chunk, limit = [], min(2 * limit, size)
    if chunk:
        yield chunk


def resolve_targets(
    comments: Sequence[Comment], target: str | None, default_target: str, fallback_source: str | None = None
) -> list[str]:
    """What each comment is judged against: the given target, else its own, else the article's."""
    targets = [target or comment.target or default_target for comment in comments]
    missing = [comment for comment, found in zip(comments, targets) if not found]
    if missing:
        raise InputError(
            f"{missing[0].source or fallback_source}: no target to judge the comment against "
            "(the input has no article title); give one, the claim or headline", settings="target"
        )
    return targets


def _classify_chunk(
    comments: list[Comment], parents: list[str] | None, classifier: StanceClassifier, target: str | None, default_target: str,
    fallback_source: str | None,
) -> list[CommentStance]:
    targets = resolve_targets(comments, target, default_target, fallback_source)
    predictions = classifier.predict([comment.text for comment in comments], targets, parents=parents)
    return [CommentStance(c, p, t) for c, p, t in zip(comments, predictions, targets)]
