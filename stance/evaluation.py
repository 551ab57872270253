"""Scoring a model on labelled comments with scikit-learn, beside a TF-IDF baseline from the same run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stance.baseline import cross_validated_baseline
from stance.classifier import StanceClassifier
from stance.data import LabelledComment, check_label_set
from stance.metrics import headline_scores

CONFUSION_PNG = "confusion_matrix.png"
REPORT_JSON = "report.json"


@dataclass
class EvaluationReport:
    """Everything ``stance evaluate`` reports; ``to_dict`` is what report.json holds."""

    labels: list[str]
    n: int
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    per_label: dict[str, dict[str, float]]
    confusion_matrix: list[list[int]]
    classification_report: str
    baseline_classification_report: str
    model: str = ""
    data: str = ""
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def render(self) -> str:
        """Plain-text report: the model's scores beside the baseline's, per-label report, confusion matrix."""
        names = [name for name in self.metrics if not name.startswith("f1_") or name == "f1_support_oppose"]
        rows = [f"{'':24}{'model':>10}{'tf-idf+lr':>12}"]
        rows += [f"{name:24}{self.metrics[name]:>10.3f}{self.baseline_metrics[name]:>12.3f}" for name in names]
        width = max(len(label) for label in self.labels) + 2
        matrix = [" " * width + "".join(f"{label:>{width}}" for label in self.labels) + "   <- predicted"]
        matrix += [
            f"{label:<{width}}" + "".join(f"{count:>{width}}" for count in row)
            for label, row in zip(self.labels, self.confusion_matrix)
        ]
        return "\n".join(
            [f"{self.n} comments, model {self.model or '?'}", "", *rows, "", self.classification_report,
             "confusion matrix (rows: gold)", *matrix]
        )


def evaluate(
    classifier: StanceClassifier,
    examples: Sequence[LabelledComment],
    output_dir: str | Path | None = None,
    *,
    model_name: str = "",
    data_name: str = "",
    progress: bool = False,
) -> EvaluationReport:
    """Score ``classifier`` on ``examples``; with ``output_dir`` also write report.json and the confusion PNG.

    The baseline (TF-IDF + logistic regression) is trained and scored on the same examples by
    stratified 5-fold cross-validation, so each of its predictions comes from a fold that did not
    see that comment.
    """
    from sklearn.metrics import classification_report, confusion_matrix

    check_label_set(examples, data_name or "evaluation data", known=classifier.labels)
    y_true = [example.label for example in examples]
    predictions = classifier.predict(
        [example.text for example in examples], [example.target for example in examples], progress=progress
    )
    y_pred = [prediction.label for prediction in predictions]
    baseline_pred = cross_validated_baseline(examples)
    # Score over the labels present in the data or predicted: a 'mixed' prediction on data without
    # 'mixed' is a mistake, but F1 of a class the data never has is not averaged in.
    labels = [label for label in classifier.labels if label in set(y_true)]
    shown = [label for label in classifier.labels if label in set(y_true) | set(y_pred)]
    per_label = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    report = EvaluationReport(
        labels=shown,
        n=len(examples),
        metrics=headline_scores(y_true, y_pred, labels),
        baseline_metrics=headline_scores(y_true, baseline_pred, labels),
        per_label={label: per_label[label] for label in labels},
        confusion_matrix=confusion_matrix(y_true, y_pred, labels=shown).tolist(),
        classification_report=classification_report(y_true, y_pred, labels=labels, digits=3, zero_division=0),
        baseline_classification_report=classification_report(
            y_true, baseline_pred, labels=labels, digits=3, zero_division=0
        ),
        model=model_name,
        data=data_name,
    )
    if output_dir is not None:
        write_report(report, y_true, y_pred, Path(output_dir))
    return report


def write_report(report: EvaluationReport, y_true: Sequence[str], y_pred: Sequence[str], output_dir: Path) -> None:
    """Write the confusion-matrix PNG and report.json into ``output_dir`` (each atomically)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.metrics import ConfusionMatrixDisplay

    from stance.files import atomic_file

    output_dir.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(5.5, 4.5))  # no pyplot: the caller's matplotlib backend stays as it is
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, labels=report.labels, ax=axes, colorbar=False)
    axes.set_title(f"macro-F1 {report.metrics['macro_f1']:.3f} on {report.n} comments")
    figure.tight_layout()
    with atomic_file(output_dir / CONFUSION_PNG, "wb") as handle:
        figure.savefig(handle, format="png", dpi=120)
    report.files = {"confusion_matrix": str(output_dir / CONFUSION_PNG), "report": str(output_dir / REPORT_JSON)}
    with atomic_file(output_dir / REPORT_JSON) as handle:
        json.dump(report.to_dict(), handle, indent=2)
        handle.write("\n")
