"""The README.md written into every model directory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stance.model.windows import REPLY_MARKER


def render_model_card(
    *,
    tasks: Mapping[str, Sequence[str]],
    base_model: str,
    data: Mapping[str, Any],
    settings: Mapping[str, Any],
    metrics: Mapping[str, float],
    report: str,
    compact: bool = False,
    languages: Sequence[str] = (),
    reply_context: bool = False,
) -> str:
    """Markdown with each task's labels (``tasks``: the model's own head's first), the languages of
    its training comments, whether it reads replies with their parents, the training data, the
    settings and the validation metrics."""
    replies = (
        "\nA reply is read with the comment it answers: the first text is the target, then `" + REPLY_MARKER.strip()
        + "` and the parent comment (`predict(..., parents=[...])`; `stance classify` passes them)." if reply_context else ""
    )
    metric_rows = "\n".join(f"| {name} | {value:.4f} |" for name, value in metrics.items())
    data_rows = "\n".join(f"| {name} | {value} |" for name, value in data.items())
    setting_rows = "\n".join(f"| {name} | {value} |" for name, value in settings.items())
    plain_use = (
        "This directory holds only the difference from the base model; `stance export THIS_DIRECTORY PLAIN_DIR` "
        "writes a plain directory for plain transformers: `pipeline(\"text-classification\", model=\"PLAIN_DIR\")`"
        if compact
        else 'or with plain transformers: `pipeline("text-classification", model="THIS_DIRECTORY")`'
    )
    return f"""---
library_name: transformers
pipeline_tag: text-classification
base_model: {base_model}
tags: [{", ".join(f"{task}-detection" if task == "stance" else f"{task}-analysis" for task in tasks)}, text-classification]
---

# {" and ".join(tasks).capitalize()} classifier

{_task_lines(tasks)}
Input is a text pair: the target (article title and lead) first, the comment second; one pass of the
encoder serves every task. Trained on comments in: {", ".join(languages) or "(not known)"} (ISO 639-1,
detected); `stance classify` warns when most comments are in other languages.{replies}

```python
from stance import StanceClassifier
clf = StanceClassifier.from_pretrained("THIS_DIRECTORY")
clf.predict("Finally, the right call.", "Council bans cars from the old town")
```

{plain_use}
called with `{{"text": target, "text_pair": comment}}`.

## Training data

| | |
|---|---|
{data_rows}

## Training settings

| setting | value |
|---|---|
{setting_rows}

## Validation metrics

| metric | value |
|---|---|
{metric_rows}

```
{report}
```
"""


def _task_lines(tasks: Mapping[str, Sequence[str]]) -> str:
    """What the model labels, one line per task, and where a further task's head is stored."""
    lines = []
    for n, (task, labels) in enumerate(tasks.items()):
        toward = "toward a target (the article)" if task == "stance" else "(the feeling it is written with)"
        where = "" if n == 0 else " (a second head in `heads.safetensors`; `stance export --task " + task + "` makes it a plain directory)"
        lines.append(f"Labels each reader comment with its {task} {toward}: {', '.join(f'`{label}`' for label in labels)}{where}.")
    return "\n".join(lines)


def describe_figure(figure: Mapping[str, Any]) -> str:
    """One stored figure on a line, for ``stance info``: ``ARC val (351): macro-F1 55.4 (baseline: TF-IDF + LR 45.3)``."""
    baseline = f" (baseline: {figure['baseline']})" if figure.get("baseline") else ""
    return f"{figure['set']}: {figure['measure']} {_number(figure['value'])}{baseline}"


def render_figures_table(figures: Sequence[Mapping[str, Any]]) -> str:
    """The card's benchmark table, rendered from the figures stored in ``stance.json``."""
    rows = [f"| {f['set']} | {f['measure']} | {_number(f['value'])} | {f.get('baseline') or '-'} |" for f in figures]
    return "\n".join(["| set | score | this model | baseline (same run) |", "|---|---|---|---|", *rows])


def _number(value: float) -> str:
    """A figure as the scripts print it: a count (an int) whole, a score (in percent) with one decimal."""
    return str(value) if isinstance(value, int) else f"{value:.1f}"
