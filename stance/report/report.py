"""`stance report`'s work: the sections of the inputs (classified where they are not yet), their figures,
and the page written whole."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from stance import __version__
from stance.classify.stream import Progress
from stance.core.labels import TASK_LABELS, ordered_labels
from stance.io.files import atomic_file
from stance.model.classifier import StanceClassifier
from stance.model.runtime import Runtime
from stance.model.storage import ModelSettings, default_model_path
from stance.report.figures import section_figures
from stance.report.page import Provenance, render_report
from stance.report.sections import Section, read_sections
from stance.training.model_card import describe_figure


@dataclass(frozen=True)
class ReportOutcome:
    """What a report shows."""

    sections: list[Section]
    comments: int
    classified_here: int  # comments this run labelled (the rest were read labelled)


def make_report(
    inputs: Sequence[str],
    output: str | Path,
    *,
    model: str | None = None,
    runtime: Runtime | None = None,
    target: str | None = None,
    input_format: str | None = None,
    columns: Mapping[str, str] | None = None,
    include_removed: bool = False,
    progress: Progress | None = None,
) -> ReportOutcome:
    """Write the report of ``inputs`` to ``output`` (whole, or not at all). Inputs `stance classify` wrote
    keep their labels; others are labelled by ``model`` (default: the bundled one) on ``runtime``."""
    loaded: list[StanceClassifier] = []

    def load_classifier() -> StanceClassifier:
        loaded.append(StanceClassifier.from_pretrained(model, runtime=runtime))
        return loaded[0]

    sections = read_sections(inputs, load_classifier, target=target, input_format=input_format, columns=columns,
                             include_removed=include_removed, progress=progress)
    classifier = loaded[0] if loaded else None
    settings = _settings_of(classifier.source if classifier and classifier.source else model or default_model_path())
    tasks = _tasks(sections, classifier.tasks if classifier else {})
    figures = [section_figures(section, tasks, settings.languages if settings else None) for section in sections]
    provenance = Provenance(
        version=__version__, made=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), inputs=list(inputs),
        model=classifier.source if classifier else None,
        figures=[describe_figure(figure) for figure in (settings.figures or [])] if classifier and settings else [],
        read_labelled=sorted({section.source for section in sections if section.labelled_by is None and section.comments}),
    )
    page = render_report(sections, figures, tasks, provenance)
    with atomic_file(output) as stream:  # a full disk, a folder in the way: one line, and no partial file left
        stream.write(page)
    return ReportOutcome(sections, sum(len(s.comments) for s in sections),
                         sum(len(s.comments) for s in sections if s.labelled_by is not None))


def _settings_of(source: str) -> ModelSettings | None:
    """A model folder's ``stance.json`` (its languages and figures), without loading the model."""
    return ModelSettings.read(Path(source)) if Path(source).is_dir() else None


def _tasks(sections: Sequence[Section], model_tasks: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each task some comment has a label for (or the model answers), with every label of its set in order."""
    found: dict[str, set[str]] = {task: set(labels) for task, labels in model_tasks.items()}
    for section in sections:
        for comment in section.comments:
            for task, label in (("stance", comment.stance), ("sentiment", comment.sentiment)):
                if label is not None:
                    found.setdefault(task, set()).add(label)
    own = {task: set(labels) for task, labels in TASK_LABELS.items()}
    return {task: ordered_labels(labels if labels - own[task] else labels | own[task], task)  # a custom label set as it is
            for task, labels in found.items() if task in own}
