"""The evaluation harness: scores agree with scikit-learn, files are written, bad label sets refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import f1_score

from stance.classifier import StanceClassifier
from stance.data import LabelledComment
from stance.errors import DataError
from stance.evaluation import evaluate


def test_report_matches_sklearn_and_writes_png_and_json(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    examples = [LabelledComment(f"comment {i} {'good' if i % 2 else 'bad'}", "support" if i % 2 else "oppose", "t")
                for i in range(20)]
    report = evaluate(classifier, examples, tmp_path / "out")
    predicted = [p.label for p in classifier.predict([e.text for e in examples], "t")]
    gold = [e.label for e in examples]
    assert report.metrics["macro_f1"] == pytest.approx(
        f1_score(gold, predicted, labels=["support", "oppose"], average="macro", zero_division=0)
    )
    assert sum(map(sum, report.confusion_matrix)) == 20
    assert report.labels == [label for label in classifier.labels if label in set(gold) | set(predicted)]
    assert report.baseline_metrics["macro_f1"] == 1.0  # 'good' vs 'bad' separates the labels
    png = (tmp_path / "out" / "confusion_matrix.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["metrics"] == report.metrics and saved["n"] == 20
    assert "tf-idf+lr" in report.render() and "confusion matrix" in report.render()


def test_baseline_learns_a_separable_set(tiny_classifier_dir: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    examples = [LabelledComment(f"wonderful lovely {i}", "support") for i in range(10)]
    examples += [LabelledComment(f"dreadful awful {i}", "oppose") for i in range(10)]
    assert evaluate(classifier, examples).baseline_metrics["macro_f1"] == 1.0


def test_labels_unknown_to_the_model_are_refused(tiny_classifier_dir: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    with pytest.raises(DataError, match=r"\['sarcasm'\] are not among the model's labels"):
        evaluate(classifier, [LabelledComment("x", "sarcasm"), LabelledComment("y", "support")])
