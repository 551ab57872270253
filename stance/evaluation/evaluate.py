"""Scoring a model on labelled comments the way a careful reviewer would.

scikit-learn does the scores; :mod:`stance.evaluation.uncertainty` adds bootstrap intervals and paired tests
against two baselines trained in the same run (majority class, TF-IDF + logistic regression);
:mod:`stance.evaluation.calibration` measures whether confidences mean what they say. Breakdowns by group and
by comment length and the most confident mistakes point at where the model fails.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from stance.core.labelled import LabelledComment, check_label_set
from stance.core.metrics import SCORE_ALIASES, headline_scores, mean_f1
from stance.errors import InputError
from stance.evaluation.baselines import (
    BASELINE_FOLDS,
    BASELINES,
    cross_validated_predictions,
    fitted_predictions,
)
from stance.evaluation.folds import most_folds
from stance.evaluation.uncertainty import (
    bootstrap_intervals,
    mcnemar,
    paired_bootstrap_difference,
)
from stance.model.classifier import StanceClassifier

LENGTH_BUCKETS = ((1, 10), (11, 30), (31, 100), (101, None))  # words per comment
MODEL = "model"


@dataclass
class SystemScores:
    """One system's headline scores and their 95 % bootstrap intervals."""

    metrics: dict[str, float]
    intervals: dict[str, tuple[float, float]]


@dataclass
class EvaluationReport:
    """Everything ``stance evaluate`` reports; ``to_dict`` is what report.json holds."""

    labels: list[str]
    n: int
    headline: str  # the metric the user cares most about (macro_f1 unless the score setting says otherwise)
    systems: dict[str, SystemScores]  # "model" and each baseline
    per_label: dict[str, dict[str, float]]
    classification_report: str
    confusion_matrix: list[list[int]]
    confusion_matrix_normalized: list[list[float]]
    comparisons: dict[str, dict[str, Any]]  # baseline name -> paired tests of the model against it
    calibration: dict[str, Any]
    breakdowns: dict[str, list[dict[str, Any]]]
    mistakes: list[dict[str, Any]]
    model: str = ""
    data: str = ""
    files: dict[str, str] = field(default_factory=dict)
    task: str = "stance"  # which head was scored: stance or sentiment
    baselines: str = ""  # how the baselines were trained, in words
    notes: list[str] = field(default_factory=list)  # what the scores hide: labels never predicted, labels absent

    @property
    def metrics(self) -> dict[str, float]:
        """The model's scores."""
        return self.systems[MODEL].metrics

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_score(score: str | None, labels: Sequence[str]) -> tuple[str, Sequence[str] | None]:
    """The headline metric's name, and the label subset to average F1 over where it is one.

    ``score`` is a metric name (``macro_f1``, ``accuracy``, ``f1_support_oppose``, ``f1_favor_against``)
    or a comma-separated label subset such as ``support,oppose``.
    """
    if not score:
        return "macro_f1", None
    score = SCORE_ALIASES.get(score, score)
    known = set(headline_scores(list(labels), list(labels), labels))
    if score in known:
        return score, None
    subset = [part.strip() for part in score.split(",") if part.strip()]
    if len(subset) > 1 and all(label in labels for label in subset):
        return f"mean_f1({','.join(subset)})", subset
    raise InputError(
        f"score {score!r}: expected one of {', '.join(sorted(known | set(SCORE_ALIASES)))} "
        f"or labels to average F1 over, e.g. 'support,oppose' (labels: {', '.join(labels)})",
        settings="score",
    )


def evaluate(
    classifier: StanceClassifier,
    examples: Sequence[LabelledComment],
    *,
    score: str | None = None,
    model_name: str = "",
    data_name: str = "",
    n_resamples: int = 1000,
    progress: bool = False,
    task: str | None = None,
    baseline_train: Sequence[LabelledComment] | None = None,
    baseline_train_name: str = "",
) -> EvaluationReport:
    """Score ``classifier``'s ``task`` head (default: its own) on the ``examples`` labelled for that
    task, beside the baselines, with intervals and tests.

    With ``baseline_train`` each baseline is fitted on those comments and scored on ``examples``;
    without, it is trained and scored on ``examples`` themselves by stratified 5-fold
    cross-validation (each prediction from a fold that did not see that comment), which the report
    says, as it differs from a baseline trained on a separate split.
    """
    from sklearn.metrics import classification_report, confusion_matrix

    task = classifier.resolve_task(task)
    model_labels = classifier.tasks[task]
    check_label_set(examples, data_name or "evaluation data", known=model_labels, task=task)
    # From here on each comment's label is its gold label for this task.
    examples = _labelled_for(examples, task)
    y_true = [example.label for example in examples]
    probabilities = classifier.predict_proba(
        [example.text for example in examples], [example.target for example in examples],
        parents=[example.parent for example in examples], task=task, progress=progress,
    )
    y_pred = [model_labels[i] for i in probabilities.argmax(axis=1)]
    # Score over the labels present in the data: a 'mixed' prediction on data without 'mixed' is a
    # mistake, but F1 of a class the data never has is not averaged in.
    labels = [label for label in model_labels if label in set(y_true)]
    shown = [label for label in model_labels if label in set(y_true) | set(y_pred)]
    headline, subset = resolve_score(score, labels)
    scorer = _scorer(labels, headline, subset)
    if baseline_train is not None:
        train_name = baseline_train_name or "baseline training data"
        check_label_set(baseline_train, train_name, task=task)
        baseline_train = _labelled_for(baseline_train, task)
        baseline_predictions = {name: fitted_predictions(baseline_train, examples, make) for name, make in BASELINES.items()}
        baselines = f"baselines trained on {train_name} ({len(baseline_train)} comments), scored on these"
    elif (folds := most_folds(examples, BASELINE_FOLDS)) > 1:
        baseline_predictions = {name: cross_validated_predictions(examples, make) for name, make in BASELINES.items()}
        baselines = f"baselines cross-validated on these same comments ({folds} folds), not trained on a separate split"
    else:  # a baseline fitted on the very comments it is scored on would score itself, not the task
        baseline_predictions = {}
        baselines = "no baselines: too few comments per label to train one on other comments than it is scored on"
    predictions = {MODEL: y_pred} | baseline_predictions
    systems = {
        name: SystemScores(scorer(y_true, pred), bootstrap_intervals(y_true, pred, scorer, n_resamples=n_resamples))
        for name, pred in predictions.items()
    }
    per_label = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    with warnings.catch_warnings():  # a 1x1 matrix is right when gold and predictions share one label
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)
        matrix = confusion_matrix(y_true, y_pred, labels=shown)
    confidences = probabilities.max(axis=1)
    return EvaluationReport(
        labels=shown,
        n=len(examples),
        headline=headline,
        systems=systems,
        per_label={label: per_label[label] for label in labels},
        classification_report=classification_report(y_true, y_pred, labels=labels, digits=3, zero_division=0),
        confusion_matrix=matrix.tolist(),
        confusion_matrix_normalized=_row_normalized(matrix),
        comparisons={
            name: _compare(y_true, y_pred, pred, scorer, headline, n_resamples)
            for name, pred in predictions.items()
            if name != MODEL
        },
        calibration=_calibration(confidences, np.asarray(y_pred) == np.asarray(y_true)),
        breakdowns=_breakdowns(examples, y_pred, labels),
        mistakes=_confident_mistakes(examples, y_pred, confidences),
        model=model_name,
        data=data_name,
        task=task,
        baselines=baselines,
        notes=_label_notes(y_true, y_pred, model_labels),
    )


def _labelled_for(examples: Sequence[LabelledComment], task: str) -> list[LabelledComment]:
    """The comments labelled for ``task``, each with that task's gold label as its ``label``."""
    return [replace(example, label=example.gold(task)) for example in examples if example.gold(task) is not None]


def _label_notes(y_true: Sequence[str], y_pred: Sequence[str], model_labels: Sequence[str]) -> list[str]:
    """In words, what the averages hide: a label the data has that the model never predicts, and a
    label the model has that the data lacks (left out of the averages)."""
    gold, predicted = Counter(y_true), Counter(y_pred)
    notes = [
        f"the model never predicted '{label}' ({gold[label]} comments have it): its recall and F1 are 0"
        for label in model_labels if gold[label] and not predicted[label]
    ]
    for label in model_labels:
        if not gold[label]:
            mistakes = f"; the model predicted it {predicted[label]} times, each a mistake" if predicted[label] else ""
            notes.append(f"no comment here is labelled '{label}': it is left out of the averages{mistakes}")
    return notes


def _scorer(labels: Sequence[str], headline: str, subset: Sequence[str] | None) -> Callable[[Any, Any], dict[str, float]]:
    def score(y_true: Any, y_pred: Any) -> dict[str, float]:
        scores = headline_scores(y_true, y_pred, labels)
        if subset is not None:
            scores[headline] = mean_f1(y_true, y_pred, subset)
        return scores

    return score


def _row_normalized(matrix: np.ndarray) -> list[list[float]]:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0).round(4).tolist()


def _compare(
    y_true: Sequence[str], model: Sequence[str], baseline: Sequence[str], scorer: Any, headline: str, n_resamples: int
) -> dict[str, Any]:
    """Is the model's lead over a baseline real? McNemar on right/wrong, and a paired bootstrap."""
    gold = np.asarray(y_true)
    test = mcnemar(np.asarray(model) == gold, np.asarray(baseline) == gold)
    difference = paired_bootstrap_difference(y_true, model, baseline, scorer, headline, n_resamples=n_resamples)
    return {"mcnemar": asdict(test), "difference": asdict(difference) | {"significant": difference.significant}}


def _calibration(confidences: np.ndarray, correct: np.ndarray) -> dict[str, Any]:
    from stance.evaluation.calibration import (
        expected_calibration_error,
        reliability_bins,
    )

    return {
        "ece": expected_calibration_error(confidences, correct),
        "mean_confidence": float(confidences.mean()),
        "accuracy": float(correct.mean()),
        "bins": reliability_bins(confidences, correct),
        # kept so the reliability diagram can be drawn from the report alone
        "confidences": confidences.round(4).tolist(),
        "correct": correct.astype(int).tolist(),
    }


def _breakdowns(examples: Sequence[LabelledComment], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Scores per group (the data's group column, else the target) and per comment length."""
    by_group: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_group.setdefault(example.group or example.target or "(no target)", []).append(index)
    by_length: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        words = len(example.text.split())
        low, high = next((low, high) for low, high in LENGTH_BUCKETS if high is None or words <= high)
        by_length.setdefault(f"{low}-{high} words" if high else f"over {low - 1} words", []).append(index)
    order = {f"{low}-{high} words" if high else f"over {low - 1} words": n for n, (low, high) in enumerate(LENGTH_BUCKETS)}

    def rows(groups: dict[str, list[int]]) -> list[dict[str, Any]]:
        result = []
        for name, indices in groups.items():
            gold = [examples[i].label for i in indices]
            pred = [y_pred[i] for i in indices]
            scores = headline_scores(gold, pred, [label for label in labels if label in set(gold)])
            result.append({"group": name, "n": len(indices), "accuracy": scores["accuracy"], "macro_f1": scores["macro_f1"]})
        return result

    return {
        "group": sorted(rows(by_group), key=lambda row: -row["n"]),
        "length": sorted(rows(by_length), key=lambda row: order[row["group"]]),
    }


def _confident_mistakes(
    examples: Sequence[LabelledComment], y_pred: Sequence[str], confidences: np.ndarray, limit: int = 10
) -> list[dict[str, Any]]:
    wrong = [i for i, example in enumerate(examples) if example.label != y_pred[i]]
    wrong.sort(key=lambda i: -confidences[i])
    return [
        {
            "text": examples[i].text,
            "target": examples[i].target,
            "gold": examples[i].label,
            "predicted": y_pred[i],
            "confidence": float(confidences[i]),
        }
        for i in wrong[:limit]
    ]
