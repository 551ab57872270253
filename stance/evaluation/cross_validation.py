"""K-fold cross-validation of the whole train-and-score procedure: the honest figure for small data.

Each fold fine-tunes a fresh model on the other folds (holding out its own validation split for
model selection) and scores it on the fold; the TF-IDF + logistic-regression baseline is trained
and scored on the same folds. Folds are stratified by label, and with ``group_by`` also kept
apart by target or group, so no article is in both a fold's training and test comments.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stance.core.labelled import LabelledComment, check_label_set
from stance.core.metrics import headline_scores
from stance.evaluation.baselines import tfidf_logreg
from stance.evaluation.folds import fold_indices
from stance.model.classifier import StanceClassifier
from stance.training.config import TrainingConfig
from stance.training.trainer import train

CV_REPORT_JSON = "cv_report.json"  # not report.json: `stance compare` reads evaluation reports only


@dataclass
class CrossValidationReport:
    """Scores per fold for the model and the baseline, and their mean and standard deviation."""

    k: int
    group_by: str | None
    n: int
    model_folds: list[dict[str, float]]
    baseline_folds: list[dict[str, float]]

    def summary(self, folds: list[dict[str, float]]) -> dict[str, tuple[float, float]]:
        """``{score: (mean, std)}`` over folds (std with one degree of freedom)."""
        names = [name for name in folds[0] if all(name in fold for fold in folds)]
        return {name: (float(np.mean([f[name] for f in folds])), float(np.std([f[name] for f in folds], ddof=1))) for name in names}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"model": self.summary(self.model_folds), "baseline": self.summary(self.baseline_folds)}

    def render(self) -> str:
        model, baseline = self.summary(self.model_folds), self.summary(self.baseline_folds)
        split = f", grouped by {self.group_by}" if self.group_by else ""
        lines = [f"{self.k}-fold cross-validation on {self.n} comments (stratified{split}): mean ± std over folds",
                 f"{'':22}{'model':>18}{'tf-idf+lr':>18}"]
        lines += [
            f"{name:22}{f'{m:.3f} ± {s:.3f}':>18}{f'{baseline[name][0]:.3f} ± {baseline[name][1]:.3f}' if name in baseline else '-':>18}"
            for name, (m, s) in model.items()
        ]
        lines += ["", "per fold (model macro-F1 / baseline macro-F1): " + ", ".join(
            f"{m['macro_f1']:.3f}/{b['macro_f1']:.3f}" for m, b in zip(self.model_folds, self.baseline_folds))]
        return "\n".join(lines)


def cross_validate(
    examples: Sequence[LabelledComment],
    config: TrainingConfig | None = None,
    *,
    k: int = 5,
    group_by: str | None = None,
    callbacks: Sequence[Any] = (),
) -> CrossValidationReport:
    """Train and score a model on each of ``k`` folds, beside the baseline on the same folds;
    ``callbacks`` go to each fold's training run (see :func:`~stance.training.trainer.train`), and
    one with an ``on_fold_begin(fold, k, training, scored)`` method hears each fold start (numbered from 1)."""
    config = config or TrainingConfig()
    check_label_set(examples, "cross-validation data")
    labels_all = sorted({example.label for example in examples})
    model_folds, baseline_folds = [], []
    with tempfile.TemporaryDirectory(prefix="stance-cv-") as work:
        for fold, (train_index, test_index) in enumerate(fold_indices(examples, k, group_by, config.seed)):
            train_rows = [examples[i] for i in train_index]
            test_rows = [examples[i] for i in test_index]
            for callback in callbacks:
                if hasattr(callback, "on_fold_begin"):
                    callback.on_fold_begin(fold + 1, k, len(train_rows), len(test_rows))
            result = train(train_rows, f"{work}/fold-{fold}", config, callbacks=callbacks)
            classifier = StanceClassifier.from_pretrained(result.output_dir)
            gold = [row.label for row in test_rows]
            labels = [label for label in labels_all if label in set(gold)]
            predicted = [p.label for p in classifier.predict([r.text for r in test_rows], [r.target for r in test_rows], parents=[r.parent for r in test_rows])]
            model_folds.append(headline_scores(gold, predicted, labels))
            baseline = tfidf_logreg().fit([r.text for r in train_rows], [r.label for r in train_rows])
            baseline_folds.append(headline_scores(gold, [str(p) for p in baseline.predict([r.text for r in test_rows])], labels))
    return CrossValidationReport(k=k, group_by=group_by, n=len(examples), model_folds=model_folds, baseline_folds=baseline_folds)


def write_cv_report(report: CrossValidationReport, folder: str | Path) -> Path:
    """Write ``cv_report.json`` into ``folder`` (atomically) and return its path."""
    import json

    from stance.io.files import atomic_file

    path = Path(folder) / CV_REPORT_JSON
    with atomic_file(path) as handle:
        json.dump(report.to_dict(), handle, indent=2)
    return path
