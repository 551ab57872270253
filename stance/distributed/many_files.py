"""The Ray engine of ``stance classify``: files read by Ray tasks, comments labelled by an actor pool,
each file's records written whole by the driver as they come back in input order."""

from __future__ import annotations

import functools
import itertools
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from stance.classify.many_files import FileJob
from stance.classify.stream import (
    CommentStance,
    RecentTexts,
    ThreadSummary,
    recording,
    resolve_targets,
)
from stance.classify.writers import write_results
from stance.core.thread import COMMENT_FIELDS, Comment
from stance.distributed.dataset import classify_dataset, require_ray
from stance.errors import StanceError, first_line
from stance.extract import open_comments
from stance.io.outputs import FLAT_COLUMNS, comment_schema, open_output
from stance.model.classifier import StanceClassifier
from stance.model.prediction import Prediction
from stance.model.runtime import Runtime

_READ_ROWS = 1024  # comments per block a reading task hands on
_FILE, _TARGET, _PARENT, _EXTRA = "_file", "_target", "_parent_text", "_extra"  # the columns the engine adds to a comment's


def classify_on_ray(
    classifier: StanceClassifier,
    fmt: str,
    *,
    workers: int | None = None,
    runtime: Runtime | None = None,
    address: str | None = None,
    target: str | None = None,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    include_removed: bool = False,
    progress: bool = False,
) -> Callable[[Sequence[FileJob]], Iterator[tuple[FileJob, ThreadSummary, int]]]:
    """An engine for :func:`~stance.classify.many_files.classify_files` on Ray: a local cluster it
    starts (and stops), or the one at ``address`` (``auto``, ``ray://host:10001``; default: the
    ``RAY_ADDRESS`` variable, else a local one). ``classifier`` is the model loaded once by the
    driver (to check it, and for int8 to build its export); each worker loads the same, computing as ``runtime`` says
    (its device settled on the worker, its threads by default Ray's share) in the precision the driver settled.
    """
    ray = require_ray()

    def run(jobs: Sequence[FileJob]) -> Iterator[tuple[FileJob, ThreadSummary, int]]:
        if not jobs:
            return
        started = not ray.is_initialized()
        if started:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        try:
            records = _read_files(ray, [str(job.source) for job in jobs], workers, target, input_format, columns,
                                  include_removed, classifier.reply_context)
            labelled = classify_dataset(
                records, "text", target_column=_TARGET, parent_column=_PARENT if classifier.reply_context else None,
                model=classifier.source, workers=workers, runtime=Runtime.of(runtime, precision=classifier.precision),
            )
            labelled.context.execution_options.preserve_order = True  # each file's records come back together
            labelled.context.enable_progress_bars = False  # the driver shows its own
            labelled.context.print_on_execution_start = False
            yield from _write_files(labelled, jobs, classifier.tasks, fmt, progress)
        except Exception as err:
            raise _user_error(err) or err
        finally:
            if started:
                ray.shutdown()

    return run


def _read_files(
    ray: Any, sources: list[str], workers: int | None, target: str | None, input_format: str | None,
    columns: Mapping[str, str] | None, include_removed: bool, parents: bool,
) -> Any:
    """A dataset of every comment of ``sources``, each with its file's index and its target: one
    reading task per file (reading costs little beside the model, so it takes no CPU of its own)."""
    read = functools.partial(
        _read_file, sources=sources, target=target, input_format=input_format, columns=dict(columns or {}),
        include_removed=include_removed, parents=parents,
    )
    files = ray.data.from_items([{_FILE: index} for index in range(len(sources))], override_num_blocks=len(sources))
    workers = workers or int(ray.cluster_resources().get("CPU", 1))
    readers = max(1, min(len(sources), workers // 4))
    return files.map_batches(
        read, batch_size=1, batch_format="pyarrow", num_cpus=0, compute=ray.data.TaskPoolStrategy(size=readers)
    )


def _read_file(
    batch: Any, *, sources: list[str], target: str | None, input_format: str | None, columns: dict[str, str],
    include_removed: bool, parents: bool,
) -> Iterator[Any]:
    """The comments of the file (or files) in ``batch`` as blocks of rows, as the local path reads them."""
    import pyarrow as pa

    schema = comment_schema().append(pa.field(_FILE, pa.int64())).append(pa.field(_TARGET, pa.string()))
    schema = schema.append(pa.field(_EXTRA, pa.binary()))  # the input's other columns, as they were (pickled)
    if parents:
        schema = schema.append(pa.field(_PARENT, pa.string()))
    for index in batch.column(_FILE).to_pylist():
        thread, comments = open_comments(sources[index], input_format, columns)
        texts = RecentTexts()  # as the local path keeps them: the last comments read, removed ones too
        if parents:
            comments = recording(comments, texts)
        kept = (comment for comment in comments if include_removed or not comment.removed)
        for chunk in iter(lambda: list(itertools.islice(kept, _READ_ROWS)), []):
            targets = resolve_targets(chunk, target, thread.default_target(), thread.source)
            rows = [
                comment.to_dict() | {_FILE: index, _TARGET: judged_against, _EXTRA: pickle.dumps(comment.extra) if comment.extra else None}
                for comment, judged_against in zip(chunk, targets)
            ]
            if parents:
                for row, comment in zip(rows, chunk):
                    row[_PARENT] = texts.get(comment.parent, "") if comment.parent else ""
            yield pa.Table.from_pylist(rows, schema=schema)


def _write_files(
    labelled: Any, jobs: Sequence[FileJob], tasks: Mapping[str, Sequence[str]], fmt: str, progress: bool
) -> Iterator[tuple[FileJob, ThreadSummary, int]]:
    """Write each job's output whole from the labelled rows, which come in input order; a file with
    no comments gets an empty output, so that a resumed run knows it is done."""
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(desc="classifying", unit=" comments", delay=1.0)
    rows = _results(labelled, tasks, bar)
    try:
        done = 0
        for index, group in itertools.groupby(rows, key=lambda pair: pair[0]):
            if index < done:  # the rows of a file came back apart: writing them would replace its output
                raise RuntimeError(f"the rows of {jobs[index].source} came back out of order; nothing of it was kept")
            for empty in jobs[done:index]:
                yield empty, _write(empty, iter(()), tasks, fmt), 0
            yield jobs[index], _write(jobs[index], (result for _, result in group), tasks, fmt), 0
            done = index + 1
        for empty in jobs[done:]:
            yield empty, _write(empty, iter(()), tasks, fmt), 0
    finally:
        if bar is not None:
            bar.close()


def _write(job: FileJob, results: Iterator[CommentStance], tasks: Mapping[str, Sequence[str]], fmt: str) -> ThreadSummary:
    with open_output(job.output, fmt) as stream:
        return write_results(results, tasks, fmt, stream)


def _results(labelled: Any, tasks: Mapping[str, Sequence[str]], bar: Any) -> Iterator[tuple[int, CommentStance]]:
    """(file index, result) for each labelled row, the result as the local path makes it."""
    for batch in labelled.iter_batches(batch_format="pyarrow", batch_size=None):
        for row in batch.to_pylist():
            yield row[_FILE], result_from_row(row, tasks)
        if bar is not None:
            bar.update(batch.num_rows)


def result_from_row(row: Mapping[str, Any], tasks: Mapping[str, Sequence[str]]) -> CommentStance:
    """A labelled row (a comment's fields, its target, the label columns) as the local path's result."""
    extra = pickle.loads(row[_EXTRA]) if row.get(_EXTRA) else None  # written by _read_file, in this run
    comment = Comment(**{name: row[name] for name in COMMENT_FIELDS}, extra=extra)
    scores = {task: {name: row[f"{FLAT_COLUMNS[task][2]}{name}"] for name in labels} for task, labels in tasks.items()}
    return CommentStance(comment, Prediction.of(scores), row[_TARGET])


def _user_error(err: BaseException) -> StanceError | None:
    """The stance error (a bad input line, a model that will not load) inside what Ray raised, if any:
    a worker's error reaches the driver wrapped in Ray's own."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [err]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, StanceError) and type(current).__module__ == StanceError.__module__:
            # The worker's own (not Ray's wrapper that also passes for one), whose message Ray lengthens.
            return type(current)(first_line(current), settings=current.settings)
        pending += [current.__cause__, current.__context__, getattr(current, "cause", None)]
    return None
