"""Labelling the rows of a Ray Dataset: an actor pool of classifiers, each loading the model once."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from stance.core.checks import is_whole_number
from stance.errors import ConfigError, InputError
from stance.io.outputs import FLAT_COLUMNS, kept_column_name
from stance.model.runtime import Runtime

# Rows handed to a worker at a time: enough that Ray's per-call cost is small beside the model's; the
# model batches them itself (``batch_size``).
_ROWS_PER_CALL = 256


def require_ray() -> Any:
    """The ray module, or an error that says which extra installs it."""
    try:
        import ray
        import ray.data  # noqa: F401 (ray without its data extra lacks it)
    except ImportError:
        raise ConfigError('the Ray engine needs Ray Data: pip install "stance[ray]"') from None
    return ray


def classify_dataset(
    ds: Any,
    text_column: str = "text",
    target: str | None = None,
    *,
    target_column: str | None = None,
    parent_column: str | None = None,
    model: str | None = None,
    workers: int | None = None,
    runtime: Runtime | None = None,
    **options: Any,
) -> Any:
    """The rows of the ``ray.data.Dataset`` ``ds`` with the label columns added: per task of the
    model ``label``/``sentiment``, its confidence and one ``score_<label>`` column per label. A column
    of ``ds`` that has one of those names (a gold ``label``) is kept, as ``input_<name>``.

    Each row is judged against ``target``, or its own ``target_column`` value where given; a model
    trained with reply context reads ``parent_column`` (the text replied to) where given. ``workers``
    actors each load ``model``
    (default: the bundled one) once, computing as ``runtime`` says, with ``options`` (``precision``,
    ``batch_size``, ``device``, ``threads``) in place of its fields. By default there is one worker per CPU
    of the cluster, each computing with one thread; with ``workers`` given, each gets an equal share of the
    CPUs unless the runtime's ``threads`` says. Nothing runs until the dataset is consumed.
    """
    ray = require_ray()
    if target is None and target_column is None:
        raise ConfigError("give a target (what the comments respond to) or a target column", settings="target")
    runtime = Runtime.of(runtime, **options)
    if workers is not None and not is_whole_number(workers, 1):
        raise ConfigError(f"workers {workers!r}: expected a whole number, 1 or more", settings="workers")
    if not ray.is_initialized():  # as Ray Data itself would on first use
        ray.init()
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    threads = runtime.threads or (max(1, cpus // workers) if workers else 1)
    workers = workers or max(1, cpus // threads)
    if workers * threads > cpus:  # the actors that do not fit would be waited for, silently
        raise ConfigError(
            f"{workers} workers of {threads} threads need {workers * threads} CPUs; the cluster has {cpus}", settings="workers"
        )
    settings = {
        "model": model, "runtime": dataclasses.replace(runtime, threads=threads), "text_column": text_column, "target": target,
        "target_column": target_column, "parent_column": parent_column,
    }
    return ds.map_batches(
        _Labeller,
        fn_constructor_kwargs={"settings": settings},
        batch_format="pyarrow",
        batch_size=max(_ROWS_PER_CALL, runtime.batch_size or 0),
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=threads,
        num_gpus=1 if runtime.device == "cuda" else 0,
    )


class _Labeller:
    """One worker: the classifier it loaded, applied to a batch of rows at a time."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        from stance.model.classifier import StanceClassifier

        self.classifier = StanceClassifier.from_pretrained(settings["model"], runtime=settings["runtime"])
        self.text_column, self.target = settings["text_column"], settings["target"]
        self.target_column, self.parent_column = settings["target_column"], settings["parent_column"]

    def __call__(self, batch: Any) -> Any:
        texts = _strings(batch, self.text_column, "text")
        targets = _strings(batch, self.target_column, "target") if self.target_column else self.target
        parents = batch.column(self.parent_column).to_pylist() if self.parent_column else None
        predictions = self.classifier.predict(texts, targets, parents=parents)
        added = {
            name for task, labels in self.classifier.tasks.items()
            for name in (*FLAT_COLUMNS[task][:2], *(f"{FLAT_COLUMNS[task][2]}{label}" for label in labels))
        }
        if added & set(batch.column_names):
            batch = batch.rename_columns([
                kept_column_name(column, batch.column_names) if column in added else column for column in batch.column_names
            ])
        for task, labels in self.classifier.tasks.items():
            label, confidence, prefix = FLAT_COLUMNS[task]
            answers = [prediction.label_for(task) for prediction in predictions]
            batch = batch.append_column(label, _array(answers, "string"))
            batch = batch.append_column(confidence, _array([prediction.confidence_for(task) for prediction in predictions]))
            for name in labels:
                batch = batch.append_column(f"{prefix}{name}", _array([prediction.scores_for(task).get(name) for prediction in predictions]))
        return batch


def _strings(batch: Any, column: str, what: str) -> list[str]:
    """A column of text, every value present: a row without one cannot be judged."""
    if column not in batch.column_names:
        raise InputError(f"no {column!r} column (found: {', '.join(batch.column_names)}); name the {what} column")
    values = batch.column(column).to_pylist()
    if any(not isinstance(value, str) for value in values):
        bad = next(value for value in values if not isinstance(value, str))
        raise InputError(f"a row's {column!r} is {bad!r}; every row needs a {what} (a string)")
    return values


def _array(values: Sequence[Any], kind: str = "float64") -> Any:
    import pyarrow as pa

    return pa.array(values, type=pa.string() if kind == "string" else pa.float64())
