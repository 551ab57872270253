"""The comment sections a report shows: read from `stance classify`'s output as they are, or from pages,
exports and comment files classified on the way."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from stance.classify.many_files import input_names
from stance.classify.stream import Progress, check_target, classify_comments
from stance.core.thread import Comment, Thread
from stance.extract import count_records, open_comments
from stance.extract.records import column_mapping
from stance.io.outputs import one_line
from stance.io.web import is_link
from stance.model.classifier import StanceClassifier
from stance.model.prediction import Prediction

# The columns by which a record written by `stance classify` carries each task's label and confidence.
LABEL_COLUMNS = {"stance": ("label", "confidence"), "sentiment": ("sentiment", "sentiment_confidence")}
_LINE_SUFFIX = re.compile(r":\d+$")


@dataclass
class ReportComment:
    """A comment as the report shows it: its place in the thread, its text and its labels (None: not labelled)."""

    id: str
    text: str
    parent: str | None = None
    author: str | None = None
    time: str | None = None
    likes: int | None = None
    language: str | None = None
    stance: str | None = None
    stance_confidence: float | None = None
    sentiment: str | None = None
    sentiment_confidence: float | None = None


@dataclass
class Section:
    """One comment section: the article (or the target its comments were judged against) and its comments."""

    title: str
    target: str
    source: str  # the file (or link) it was read from
    comments: list[ReportComment] = field(default_factory=list)
    labelled_by: str | None = None  # the model this report ran on it; None: the labels were read from the input
    declared_count: int | None = None  # the count the page states, where it states one
    not_loaded: int = 0  # comments the source refers to but does not hold


def read_sections(
    inputs: Sequence[str],
    load_classifier: Callable[[], StanceClassifier],
    *,
    target: str | None = None,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    include_removed: bool = False,
    progress: Progress | None = None,
) -> list[Section]:
    """The comment sections of ``inputs`` (files, folders, globs; '-' is stdin), in input order.

    A file `stance classify` wrote (records with ``label`` and ``confidence``, or ``sentiment`` and
    ``sentiment_confidence``) is shown with its labels as they are, one section per target in it. Anything
    else is classified by the model ``load_classifier`` gives (loaded once, when first needed) against
    ``target``, else each comment's own, else its article's title and lead, one section per target.
    """
    check_target(target)
    sections: list[Section] = []
    classifier: StanceClassifier | None = None
    for name in input_names(inputs):
        if name != "-" and not is_link(name) and Path(name).stat().st_size == 0:  # what `stance classify` writes for a page with no comment
            sections.append(Section(title=Path(name).name, target="", source=name))
            continue
        thread, comments = open_comments(name, input_format, columns)
        first = next(comments, None)
        if first is None:
            sections.append(_section(thread, name, thread.default_target() or target or "", None))
            continue
        comments = chain([first], comments)
        if _is_labelled(first):
            labelled = ((c, _prediction_of(c), c.target or thread.default_target()) for c in comments
                        if include_removed or not c.removed)
            sections += _grouped(thread, name, labelled, None)
            continue
        classifier = classifier or load_classifier()
        if progress is not None:
            progress.begin(len(thread.comments) if thread.comments else count_records(name, input_format, column_mapping(columns)["text"]))
        try:
            results = classify_comments(comments, classifier, target, default_target=thread.default_target(),
                                        include_removed=include_removed, progress=progress, fallback_source=name)
            sections += _grouped(thread, name, ((r.comment, r.prediction, r.target) for r in results), classifier.source)
        finally:
            if progress is not None:
                progress.end()
    return sections


def _is_labelled(comment: Comment) -> bool:
    """Whether a comment was read from `stance classify`'s output: it carries a task's label and confidence."""
    extra = comment.extra or {}
    return any(label in extra and confidence in extra for label, confidence in LABEL_COLUMNS.values())


def _prediction_of(comment: Comment) -> Prediction:
    """The labels a classified record carries (a column left empty, as an empty comment's, is no label)."""
    extra = comment.extra or {}
    found = {task: (_text(extra.get(label)), _number(extra.get(confidence))) for task, (label, confidence) in LABEL_COLUMNS.items()}
    return Prediction(label=found["stance"][0], confidence=found["stance"][1],
                      sentiment=found["sentiment"][0], sentiment_confidence=found["sentiment"][1])


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    """A confidence as JSONL (a number) or CSV (its text) holds it."""
    try:
        return float(value) if value not in (None, "") and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _grouped(thread: Thread, name: str, labelled: Iterable[tuple[Comment, Prediction, str]], model: str | None) -> list[Section]:
    """One section per target, in the order each first appears."""
    sections: dict[str, Section] = {}
    for comment, prediction, target in labelled:
        if target not in sections:
            source = (comment.extra or {}).get("source") if model is None else None  # a classified record's own
            sections[target] = _section(thread, source if isinstance(source, str) and source else comment.source or name, target, model)
        sections[target].comments.append(ReportComment(
            id=comment.id, text=comment.text, parent=comment.parent, author=comment.author, time=comment.time,
            likes=comment.likes, language=comment.language, stance=prediction.label, stance_confidence=prediction.confidence,
            sentiment=prediction.sentiment, sentiment_confidence=prediction.confidence_for("sentiment"),
        ))
    return list(sections.values())


def _section(thread: Thread, source: str, target: str, model: str | None) -> Section:
    """A section's heading: the article's title where the input has one, else what its comments were judged against."""
    return Section(
        title=thread.title or one_line(target, 120), target=target, source=article_source(source), labelled_by=model,
        declared_count=thread.declared_count, not_loaded=thread.not_loaded,
    )


def article_source(source: str) -> str:
    """The file or link a comment's ``source`` points into: without its ``#place`` or ``:line``."""
    return _LINE_SUFFIX.sub("", source.split("#", 1)[0])
