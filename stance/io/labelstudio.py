"""Label Studio's formats: the tasks `stance suggest` writes for import (with the model's guesses as
pre-annotations, and the labelling config that shows them), and the exports `stance train` reads back.

Follows Label Studio's documented JSON: a task is ``{"data": {...}, "predictions": [{"model_version",
"score", "result": [...]}]}``, each result ``{"id", "from_name", "to_name", "type": "choices", "value":
{"choices": [label]}}``; the JSON export is a list of tasks, each with its ``annotations`` (results as
above, ``was_cancelled`` for a skipped one); the JSON_MIN export is a list of flat records, the task's
data with each control's choice under the control's name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from stance.errors import InputError
from stance.io.files import atomic_file
from stance.io.inputs import COMPRESSED_SUFFIXES
from stance.io.records import parse_json

TEXT_NAME = "text"  # the object tag the choices label: the comment


def labelling_config(tasks: Mapping[str, Sequence[str]]) -> str:
    """The labelling config (Label Studio's XML) for comments: the target and the comment replied to
    shown above the comment, and one single-choice control per task, named after it."""
    controls = "\n".join(
        f'  <Header value={quoteattr(task.capitalize())}/>\n'
        f'  <Choices name={quoteattr(task)} toName="{TEXT_NAME}" choice="single" showInline="true">\n'
        + "\n".join(f"    <Choice value={quoteattr(label)}/>" for label in labels)
        + "\n  </Choices>"
        for task, labels in tasks.items()
    )
    return (
        "<View>\n"
        '  <Header value="What the comment responds to"/>\n'
        '  <Text name="target" value="$target"/>\n'
        '  <Header value="In reply to"/>\n'
        '  <Text name="parent" value="$parent_text"/>\n'
        '  <Header value="The comment"/>\n'
        f'  <Text name="{TEXT_NAME}" value="$text"/>\n'
        f"{controls}\n"
        "</View>\n"
    )


def label_studio_task(data: Mapping[str, Any], guesses: Mapping[str, tuple[str, float]], model_version: str, number: int) -> dict[str, Any]:
    """One task to import: ``data`` (the comment's fields, ``text`` among them) and the model's guess for
    each task (label, confidence) as a pre-annotation; ``number`` keeps the results' ids unique in a file."""
    results = [
        {"id": f"{number}-{task}", "from_name": task, "to_name": TEXT_NAME, "type": "choices", "value": {"choices": [label]}}
        for task, (label, _) in guesses.items()
    ]
    score = min((confidence for _, confidence in guesses.values()), default=None)
    prediction = {"model_version": model_version, "result": results} | ({"score": round(score, 4)} if score is not None else {})
    return {"data": dict(data), "predictions": [prediction] if results else []}


def is_label_studio_export(name: str, text: str) -> bool:
    """Whether a file is a Label Studio export (JSON or JSON_MIN): a ``.json`` file holding a list."""
    suffixes = [suffix.lower() for suffix in Path(name).suffixes if suffix.lower() not in COMPRESSED_SUFFIXES]
    return suffixes[-1:] == [".json"] and text.lstrip().startswith("[")


def export_rows(text: str, name: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """Each task of a Label Studio export as (its place in the file, from 1; a flat row: the task's data and
    each control's choice under the control's name), or None for a task nobody labelled (no annotation,
    or only skipped ones). A task several people labelled gives its latest annotation's choices."""
    try:
        tasks = parse_json(text)  # lone surrogates made U+FFFD, so every text read can be written again
    except json.JSONDecodeError as err:
        raise InputError(f"{name}: not valid JSON ({err.msg} at line {err.lineno}); expected a Label Studio export") from None
    if not isinstance(tasks, list):
        raise InputError(f"{name}: expected a list of tasks (Label Studio's JSON or JSON_MIN export)")
    for number, task in enumerate(tasks, start=1):
        if not isinstance(task, dict):
            raise InputError(f"{name}: task {number} is {type(task).__name__}, not an object; expected a Label Studio export")
        yield number, _full_row(task, f"{name}: task {number}") if isinstance(task.get("data"), dict) else _min_row(task)


def _full_row(task: dict[str, Any], where: str) -> dict[str, Any] | None:
    """A task of the JSON export: its data, with the choices of its latest annotation that was not skipped."""
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        return None
    latest = max(enumerate(annotations), key=lambda pair: (str(pair[1].get("updated_at") or ""), pair[0]))[1]
    choices = {}
    for result in latest.get("result") or []:
        value = result.get("value") if isinstance(result, dict) else None
        if not isinstance(value, dict) or "choices" not in value:
            continue
        chosen = value["choices"]
        if not isinstance(chosen, list) or len(chosen) != 1 or not isinstance(chosen[0], str):
            raise InputError(f"{where}: {result.get('from_name')!r} holds {chosen!r}; expected one choice")
        choices[str(result.get("from_name"))] = chosen[0]
    return task["data"] | choices if choices else None


def _min_row(record: dict[str, Any]) -> dict[str, Any] | None:
    """A record of the JSON_MIN export: already flat; a choice made among several comes as a list."""
    if "annotation_id" in record and record.get("annotation_id") is None:
        return None
    return {key: value[0] if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) else value
            for key, value in record.items()}


def config_path(tasks_path: str | Path) -> Path:
    """Where the labelling config goes beside a tasks file: ``to_label.json`` → ``to_label.label_config.xml``."""
    path = Path(tasks_path)
    return path.with_name(path.name.removesuffix(".json") + ".label_config.xml")


def write_tasks(path: str | Path, tasks: Sequence[Mapping[str, Any]], config: str) -> Path:
    """Write the tasks to import (one JSON list) to ``path`` and the labelling config beside it, each whole or
    not at all; returns the config's path."""
    with atomic_file(Path(path)) as handle:
        json.dump(list(tasks), handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    with atomic_file(config_path(path)) as handle:
        handle.write(config)
    return config_path(path)
