"""The classify run: a page or comment file through a classifier into an output that is streamed,
appears whole or not at all, and resumes after a kill without writing a record twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from stance.classify.stream import (
    CommentStance,
    Progress,
    ThreadSummary,
    classify_comments,
)
from stance.classify.writers import write_results
from stance.core.thread import Thread
from stance.errors import OutputError
from stance.extract import count_records, open_comments
from stance.extract.records import column_mapping
from stance.io.files import input_identity, partial_path, resumable_file
from stance.io.outputs import RESUMABLE_FORMATS, check_format, open_output, stdout_for
from stance.io.web import WebClient
from stance.model.classifier import StanceClassifier


@dataclass(frozen=True)
class ClassifyOutcome:
    """What a run read and wrote."""

    thread: Thread  # the article; its comments list is empty for streamed comment files
    summary: ThreadSummary  # labels of every record in the output, earlier runs' included
    resumed: int  # records kept from an interrupted earlier run


def classify_file(
    page: str,
    classifier: StanceClassifier,
    output: str = "-",
    fmt: str = "jsonl",
    *,
    target: str | None = None,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    include_removed: bool = False,
    resume: bool = False,
    progress: Progress | None = None,
    web: WebClient | None = None,
) -> ClassifyOutcome:
    """Label every comment of ``page`` and write the results to ``output`` (``-``: stdout) in ``fmt``.

    JSONL/CSV comment files are read, classified and written a chunk at a time, so memory stays
    flat. A JSONL or CSV output file grows as ``<output>.partial`` and takes its name only when
    complete; after an interruption ``resume=True`` keeps the records written so far and classifies
    only the rest, so no record is written twice (records are written in input order, so those kept
    are the first comments; the input and options must be the ones that wrote them). Other
    outputs are written atomically at the end. A second run writing the same output is refused.
    ``progress`` hears the number of comments (for a streamed file, its records, counted where it can be)
    and each chunk classified. A link is fetched by ``web`` (:mod:`stance.io.web`).
    """
    check_format(fmt)
    thread, comments = open_comments(page, input_format, columns, web)
    if progress is not None:
        progress.begin(len(thread.comments) if thread.comments else count_records(page, input_format, column_mapping(columns)["text"]))
    try:
        def results(skip: int = 0) -> Iterator[CommentStance]:
            return classify_comments(
                comments, classifier, target, default_target=thread.default_target(),
                include_removed=include_removed, skip=skip, progress=progress, fallback_source=thread.source,
            )

        if output == "-":
            return ClassifyOutcome(thread, write_results(results(), classifier.tasks, fmt, stdout_for(fmt)), 0)
        try:
            if fmt not in RESUMABLE_FORMATS:
                with open_output(output, fmt) as stream:
                    summary = write_results(results(), classifier.tasks, fmt, stream)
                return ClassifyOutcome(thread, summary, 0)
            settings = {"target": target, "input_format": input_format, "columns": dict(columns or {}),
                        "include_removed": include_removed, "format": fmt}
            return _write_resumable(output, fmt, resume, classifier, thread, results, run_identity(page, classifier, settings))
        except OSError as err:  # a full disk, a place that takes no files: one line, what was kept, no traceback
            kept = partial_path(output)
            where = f"; the records written so far are in {kept}, and --resume continues once it can write" if kept.exists() else ""
            raise OutputError(f"{output}: cannot write ({err.strerror or err}){where}") from None
    finally:
        if progress is not None:
            progress.end()


def run_identity(page: str, classifier: StanceClassifier, settings: Mapping[str, object]) -> dict[str, object] | None:
    """What decides a run's records: the input file (None for a pipe or stdin, which cannot be
    resumed), the model and the options. A resume continues only a run with the same."""
    found = input_identity(page)
    return {"input": found, "model": classifier.source, "precision": classifier.precision, **settings} if found else None


def _write_resumable(
    output: str,
    fmt: str,
    resume: bool,
    classifier: StanceClassifier,
    thread: Thread,
    results: Callable[[int], Iterator[CommentStance]],
    identity: dict[str, object] | None,
) -> ClassifyOutcome:
    with resumable_file(output, fmt, resume=resume, identity=identity) as (stream, earlier):
        written = {task for task, key in (("stance", "label"), ("sentiment", "sentiment")) if earlier and key in earlier[0]}
        if earlier and written != set(classifier.tasks):
            raise OutputError(
                f"{output}: the records written so far hold {' and '.join(sorted(written))}, this model gives "
                f"{' and '.join(sorted(classifier.tasks))}; resume with the model that began the run, or start over",
                settings=("model", "force"),
            )
        summary = write_results(
            results(len(earlier)), classifier.tasks, fmt, stream, header=not earlier,
            earlier=Counter((record.get("label"), record.get("sentiment")) for record in earlier),
            earlier_languages=Counter(record.get("language") for record in earlier),
        )
    return ClassifyOutcome(thread, summary, len(earlier))
