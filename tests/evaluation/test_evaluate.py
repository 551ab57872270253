"""The evaluation harness: scores agree with scikit-learn, intervals and tests behave as statistics say."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from stance.core.labelled import LabelledComment
from stance.core.metrics import headline_scores
from stance.errors import DataError, InputError
from stance.evaluation.baselines import cross_validated_predictions
from stance.evaluation.cross_validation import cross_validate
from stance.evaluation.evaluate import evaluate, resolve_score
from stance.evaluation.folds import fold_indices, most_folds
from stance.evaluation.report import render_comparison, render_text, write_report
from stance.evaluation.uncertainty import (
    bootstrap_intervals,
    mcnemar,
    paired_bootstrap_difference,
)
from stance.model.classifier import StanceClassifier
from stance.training.config import TrainingConfig

LABELS = ["support", "oppose", "mixed", "neutral"]


def toy(n: int = 40) -> list[LabelledComment]:
    words = {"support": "wonderful", "oppose": "dreadful"}
    return [
        LabelledComment(f"comment {i} {words[label]} " + "long " * (i % 3 * 20), label, f"target {i % 4}", group=f"topic {i % 2}")
        for i, label in enumerate(["support", "oppose"] * (n // 2))
    ]


def test_report_matches_sklearn_and_writes_every_file(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    examples = toy()
    report = evaluate(classifier, examples, n_resamples=200, data_name="toy")
    predicted = [p.label for p in classifier.predict([e.text for e in examples], [e.target for e in examples])]
    gold = [e.label for e in examples]
    assert report.metrics["macro_f1"] == pytest.approx(f1_score(gold, predicted, labels=["support", "oppose"], average="macro", zero_division=0))
    assert report.metrics["kappa"] == pytest.approx(cohen_kappa_score(gold, predicted))
    assert set(report.systems) == {"model", "majority", "tfidf_logreg"}
    assert report.systems["tfidf_logreg"].metrics["macro_f1"] == 1.0  # 'wonderful' vs 'dreadful' separates the labels
    assert report.systems["majority"].metrics["accuracy"] == pytest.approx(0.5, abs=0.13)
    for system in report.systems.values():
        for name, value in system.metrics.items():
            low, high = system.intervals[name]
            assert low - 1e-9 <= value <= high + 1e-9
    assert sum(map(sum, report.confusion_matrix)) == 40
    assert all(sum(row) == pytest.approx(1.0) for row in report.confusion_matrix_normalized if sum(row))
    assert sum(row["n"] for row in report.breakdowns["group"]) == 40
    assert {row["group"] for row in report.breakdowns["group"]} == {"topic 0", "topic 1"}
    assert [row["group"] for row in report.breakdowns["length"]] == ["1-10 words", "11-30 words", "31-100 words"]
    assert all(m["gold"] != m["predicted"] for m in report.mistakes)
    assert [m["confidence"] for m in report.mistakes] == sorted((m["confidence"] for m in report.mistakes), reverse=True)

    write_report(report, tmp_path / "out")
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["systems"]["model"]["metrics"] == report.metrics and saved["n"] == 40
    for png in ("confusion_matrix.png", "reliability.png"):
        assert (tmp_path / "out" / png).read_bytes().startswith(b"\x89PNG")
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "![confusion matrix](confusion_matrix.png)" in markdown and "![reliability diagram](reliability.png)" in markdown
    text = render_text(report)
    assert "tf-idf+lr" in text and "McNemar" in text and "expected calibration error" in text


def test_bootstrap_interval_contains_the_estimate_and_narrows_with_more_data() -> None:
    rng = np.random.default_rng(1)

    def interval(n: int) -> tuple[float, tuple[float, float]]:
        gold = rng.choice(LABELS, n)
        pred = np.where(rng.random(n) < 0.7, gold, rng.choice(LABELS, n))
        scorer = lambda t, p: headline_scores(t, p, LABELS)  # noqa: E731
        return scorer(gold, pred)["macro_f1"], bootstrap_intervals(gold, pred, scorer, n_resamples=300)["macro_f1"]

    small_value, (small_low, small_high) = interval(100)
    large_value, (large_low, large_high) = interval(2000)
    assert small_low <= small_value <= small_high and large_low <= large_value <= large_high
    assert large_high - large_low < small_high - small_low


def test_mcnemar_on_a_known_table() -> None:
    # 10 comments only A gets right, 2 only B: exact two-sided p = 2 * P(X <= 2 | n=12, 1/2) = 158/4096.
    a = [True] * 10 + [False] * 2 + [True] * 30 + [False] * 5
    b = [False] * 10 + [True] * 2 + [True] * 30 + [False] * 5
    result = mcnemar(a, b)
    assert (result.only_a_right, result.only_b_right, result.method) == (10, 2, "exact")
    assert result.p_value == pytest.approx(158 / 4096)
    # With many discordant pairs: chi-square with continuity correction, (|40-20|-1)^2/60 = 6.0167.
    big = mcnemar([True] * 40 + [False] * 20, [False] * 40 + [True] * 20)
    assert big.method == "chi2" and big.p_value == pytest.approx(0.014171, abs=1e-5)
    assert mcnemar([True, False], [True, False]).p_value == 1.0


def test_paired_difference_sees_a_real_lead_and_no_lead() -> None:
    rng = np.random.default_rng(0)
    gold = rng.choice(LABELS, 300)
    good = np.where(rng.random(300) < 0.9, gold, rng.choice(LABELS, 300))
    poor = np.where(rng.random(300) < 0.4, gold, rng.choice(LABELS, 300))
    scorer = lambda t, p: headline_scores(t, p, LABELS)  # noqa: E731
    lead = paired_bootstrap_difference(gold, good, poor, scorer, "macro_f1", n_resamples=300)
    assert lead.significant and lead.low <= lead.difference <= lead.high and lead.p_value < 0.01
    same = paired_bootstrap_difference(gold, good, good, scorer, "macro_f1", n_resamples=100)
    assert same.difference == 0 and not same.significant


def test_score_names_aliases_and_label_subsets() -> None:
    assert resolve_score(None, LABELS) == ("macro_f1", None)
    assert resolve_score("f1_favor_against", LABELS) == ("f1_support_oppose", None)
    assert resolve_score("support,oppose", LABELS) == ("mean_f1(support,oppose)", ["support", "oppose"])
    with pytest.raises(InputError, match="score 'f2'"):
        resolve_score("f2", LABELS)


def test_labels_unknown_to_the_model_are_refused(tiny_classifier_dir: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    with pytest.raises(DataError, match=r"\['sarcasm'\] are not among the model's labels"):
        evaluate(classifier, [LabelledComment("x", "sarcasm"), LabelledComment("y", "support")])


def test_compare_lays_reports_side_by_side(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    for name, n in (("first", 20), ("second", 40)):
        write_report(evaluate(classifier, toy(n), n_resamples=100), tmp_path / name)
    table = render_comparison([tmp_path / "first", tmp_path / "second" / "report.json"])
    header, counts = table.splitlines()[:2]
    assert "first" in header and "second" in header and counts.split()[1:] == ["20", "40"]
    (tmp_path / "other.json").write_text('{"a": 1}')
    with pytest.raises(InputError, match="not an evaluation report"):
        render_comparison([tmp_path / "other.json"])


def test_grouped_folds_keep_each_group_in_one_fold() -> None:
    examples = toy(40)
    for train, test in fold_indices(examples, 2, "group", seed=0):
        assert not {examples[i].group for i in train} & {examples[i].group for i in test}
    for train, test in fold_indices(examples, 4, None, seed=0):
        assert sorted(examples[i].label for i in test).count("support") == len(test) // 2
    with pytest.raises(DataError, match="only 2 distinct groups"):
        fold_indices(examples, 3, "group", seed=0)


def test_the_baseline_shrinks_its_folds_where_an_asked_for_split_refuses() -> None:
    rows = toy(6) + [LabelledComment("a third label", "mixed"), LabelledComment("once more", "mixed")]
    assert most_folds(rows, 5) == 2 and most_folds(toy(40), 5) == 5
    with pytest.raises(DataError, match="rarest label has 2 comments"):
        fold_indices(rows, 5)
    with pytest.raises(DataError, match="1 folds: expected 2 or more"):
        fold_indices(rows, 1)
    assert len(cross_validated_predictions(rows)) == len(rows)


def test_baseline_survives_a_label_seen_once() -> None:
    rows = [LabelledComment(f"good {i}", "support") for i in range(5)] + [LabelledComment("bad", "oppose")]
    assert most_folds(rows, 5) == 1
    assert cross_validated_predictions(rows) == ["support"] * 6


def test_cross_validation_trains_and_scores_each_fold(tiny_base_model: Path) -> None:
    config = TrainingConfig(base_model=str(tiny_base_model), epochs=1, batch_size=8, max_length=32)
    report = cross_validate(toy(24), config, k=2)
    assert len(report.model_folds) == len(report.baseline_folds) == 2
    mean, std = report.summary(report.model_folds)["macro_f1"]
    assert mean == pytest.approx(np.mean([fold["macro_f1"] for fold in report.model_folds]))
    assert "2-fold cross-validation on 24 comments" in report.render()


def test_a_one_label_sample_raises_no_library_warnings_and_says_what_the_averages_hide(
    tiny_classifier_dir: Path, tmp_path: Path
) -> None:
    import warnings

    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    examples = [example for example in toy(12) if example.label == "oppose"]
    predicted = {p.label for p in classifier.predict([e.text for e in examples], [e.target for e in examples])}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = evaluate(classifier, examples, n_resamples=200)
        write_report(report, tmp_path)
    assert [str(w.message) for w in caught] == []
    assert report.metrics["kappa"] == 0.0  # undefined with a single label: no agreement beyond chance
    absent = [label for label in LABELS if label != "oppose"]
    assert [note.split("'")[1] for note in report.notes] == (["oppose"] if "oppose" not in predicted else []) + absent
    assert all(note in render_text(report) for note in report.notes)


def test_baselines_trained_on_a_train_split_are_named_so(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    examples = toy(20)
    crossed = evaluate(classifier, examples, n_resamples=200)
    assert crossed.baselines == "baselines cross-validated on these same comments (5 folds), not trained on a separate split"
    # A train split whose words point the other way: a fitted baseline gets every comment wrong, a cross-validated one right.
    flipped = [LabelledComment(e.text, "oppose" if e.label == "support" else "support", e.target) for e in toy(40)]
    report = evaluate(classifier, examples, n_resamples=200, baseline_train=flipped, baseline_train_name="train.jsonl")
    assert report.systems["tfidf_logreg"].metrics["accuracy"] == 0.0 and crossed.systems["tfidf_logreg"].metrics["accuracy"] == 1.0
    write_report(report, tmp_path / "rep")
    saved = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert saved["baselines"] == "baselines trained on train.jsonl (40 comments), scored on these"
    assert saved["baselines"] in render_text(report)
    with pytest.raises(DataError, match="train.jsonl"):
        evaluate(classifier, examples, baseline_train=flipped[:1], baseline_train_name="train.jsonl")


def test_data_too_small_to_train_a_baseline_on_other_comments_gets_none(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    """A baseline fitted on the comments it is scored on (all one label here) would score 1.000 for nothing."""
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    one_label = [LabelledComment(f"I agree, point {i}", "support", "the plan") for i in range(6)]
    report = evaluate(classifier, one_label, n_resamples=100)
    assert set(report.systems) == {"model"} and report.comparisons == {}
    assert report.baselines.startswith("no baselines: too few comments per label")
    write_report(report, tmp_path / "rep")
    assert report.baselines in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
