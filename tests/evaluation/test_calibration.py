"""Calibration: ECE and reliability bins by hand, the classifier's temperature, fitting and `stance calibrate`."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from conftest import CopyModel, run

from stance.core.labelled import LabelledComment
from stance.errors import DataError, ModelError
from stance.evaluation.calibration import (
    calibrate,
    expected_calibration_error,
    fit_temperature,
    plot_reliability,
    reliability_bins,
)
from stance.model.classifier import StanceClassifier

# The overconfident toy model ignores its input: its logits are always these (support, oppose, mixed,
# neutral), so it says "oppose" with probability 0.936 on comments that are 70 % oppose.
LOGITS = np.array([0.0, 4.0, 1.0, 0.0])


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max())
    return e / e.sum()


def with_temperature(classifier: StanceClassifier, temperature: float) -> StanceClassifier:
    return StanceClassifier(
        classifier.model, classifier.tokenizer, max_length=classifier.max_length,
        max_target_tokens=classifier.max_target_tokens, stride=classifier.stride, temperature=temperature,
    )


@pytest.fixture(scope="module")
def classifier(tiny_classifier_dir: Path) -> StanceClassifier:
    return StanceClassifier.from_pretrained(tiny_classifier_dir)


@pytest.fixture(scope="module")
def overconfident(tiny_classifier_dir: Path) -> StanceClassifier:
    import torch

    clf = StanceClassifier.from_pretrained(tiny_classifier_dir)
    with torch.no_grad():
        clf.model.classifier.weight.zero_()
        clf.model.classifier.bias.copy_(torch.tensor(LOGITS))
    return clf


@pytest.fixture
def toy_examples() -> list[LabelledComment]:
    """40 comments, 70 % oppose and 30 % support."""
    topics = ["buses", "taxes", "parks", "schools", "roads"]
    return [
        LabelledComment(text=f"comment {i} about the {topics[i % 5]}", label="oppose" if i % 10 < 7 else "support",
                        target="the plan")
        for i in range(40)
    ]


# --- ECE and reliability bins -------------------------------------------------------------------


def test_ece_is_zero_when_confidence_matches_accuracy() -> None:
    confidences = [0.8] * 10 + [0.6] * 5
    correct = [True] * 8 + [False] * 2 + [True] * 3 + [False] * 2
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.0, abs=1e-12)


def test_ece_of_a_miscalibrated_toy_matches_hand_computation() -> None:
    # Bin (0.9, 1]: 5 comments at 0.95, 3 right: gap 0.35. Bin (0.5, 0.6]: 0.52 and 0.58 (mean 0.55),
    # 5 comments, 4 right: gap 0.25. ECE = 0.5 * 0.35 + 0.5 * 0.25 = 0.30.
    confidences = [0.95] * 5 + [0.52, 0.58, 0.52, 0.58, 0.55]
    correct = [True, True, True, False, False] + [True, True, True, True, False]
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.30)
    # One bin: the gap between overall accuracy (0.7) and mean confidence (0.75).
    assert expected_calibration_error(confidences, correct, n_bins=1) == pytest.approx(0.05)


def test_reliability_bins_cover_every_comment_and_omit_empty_bins() -> None:
    rng = np.random.default_rng(0)
    confidences = rng.uniform(0.25, 1.0, size=200)
    correct = rng.uniform(size=200) < confidences
    bins = reliability_bins(confidences, correct)
    assert sum(b["count"] for b in bins) == 200
    assert [b["lower"] for b in bins] == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    assert all(b["lower"] < b["mean_confidence"] <= b["upper"] and 0 <= b["accuracy"] <= 1 for b in bins)
    # A bin holds (lower, upper]: 0.8 falls in (0.7, 0.8], 0.0 in the first bin.
    edge = reliability_bins([0.8, 0.0, 1.0], [True, False, True])
    assert [(b["lower"], b["upper"], b["count"]) for b in edge] == [(0.0, 0.1, 1), (0.7, 0.8, 1), (0.9, 1.0, 1)]


def test_bad_confidences_are_refused() -> None:
    with pytest.raises(ValueError, match="one each"):
        expected_calibration_error([0.5, 0.6], [True])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        reliability_bins([1.2], [True])
    with pytest.raises(ValueError, match="no confidences"):
        reliability_bins([], [])


def test_reliability_diagram_is_a_png() -> None:
    stream = io.BytesIO()
    plot_reliability([0.95, 0.9, 0.6, 0.55], [True, False, True, True], stream, title="toy")
    assert stream.getvalue().startswith(b"\x89PNG\r\n\x1a\n") and len(stream.getvalue()) > 1000


# --- the classifier's temperature ---------------------------------------------------------------


def test_temperature_one_leaves_probabilities_unchanged(classifier: StanceClassifier) -> None:
    import torch

    texts = ["Great move!", "Terrible idea.", "Not sure about this one"]
    assert classifier.temperature == 1.0
    with torch.inference_mode():
        inputs = classifier.tokenizer(["t"] * 3, texts, padding=True, return_tensors="pt")
        expected = torch.softmax(classifier.model(**inputs).logits, -1).numpy()
    assert classifier.predict_proba(texts, "t") == pytest.approx(expected, abs=1e-6)
    assert with_temperature(classifier, 1.0).predict_proba(texts, "t") == pytest.approx(expected, abs=1e-6)


def test_higher_temperature_flattens_without_changing_the_label(
    classifier: StanceClassifier, overconfident: StanceClassifier
) -> None:
    texts = ["Great move!", "Terrible idea.", "Not sure about this one"]
    for clf in (classifier, overconfident):
        sharp, flat = clf.predict_proba(texts, "t"), with_temperature(clf, 3.0).predict_proba(texts, "t")
        assert (flat.max(axis=1) < sharp.max(axis=1)).all()
        assert (flat.argmax(axis=1) == sharp.argmax(axis=1)).all()
    assert overconfident.predict_proba(texts, "t")[0] == pytest.approx(softmax(LOGITS), abs=1e-6)
    assert with_temperature(overconfident, 3.0).predict_proba(texts, "t")[0] == pytest.approx(softmax(LOGITS / 3), abs=1e-6)


def test_temperature_must_be_positive(classifier: StanceClassifier, copy_tiny_classifier: CopyModel, tmp_path: Path) -> None:
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="must be a positive number"):
            with_temperature(classifier, bad)
    copy_tiny_classifier(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "stance.json").read_text())
    (tmp_path / "m" / "stance.json").write_text(json.dumps(config | {"temperature": 0}))
    with pytest.raises(ModelError, match="temperature 0 in stance.json is not a positive number"):
        StanceClassifier.from_pretrained(tmp_path / "m")


def test_temperature_survives_save_and_load(classifier: StanceClassifier, tmp_path: Path) -> None:
    warm = with_temperature(classifier, 2.5)
    assert warm.settings().temperature == 2.5
    warm.save_pretrained(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "stance.json").read_text())["temperature"] == 2.5
    reloaded = StanceClassifier.from_pretrained(tmp_path / "m")
    assert reloaded.temperature == 2.5
    assert reloaded.predict_proba(["hello"], "t") == pytest.approx(warm.predict_proba(["hello"], "t"), abs=1e-6)
    assert StanceClassifier.from_pretrained(tmp_path / "m", temperature=1.0).temperature == 1.0


# --- fitting and calibrate() --------------------------------------------------------------------


def test_fit_temperature_finds_the_nll_minimum_of_an_overconfident_model(
    overconfident: StanceClassifier, toy_examples: list[LabelledComment]
) -> None:
    gold = np.array([overconfident.labels.index(example.label) for example in toy_examples])

    def nll(t: float) -> float:
        return float(-np.mean(np.log(softmax(LOGITS / t)[gold])))

    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 4001))
    best = grid[np.argmin([nll(t) for t in grid])]
    fitted = fit_temperature(overconfident, toy_examples)
    assert fitted > 1  # overconfident: the fit softens it
    assert fitted == pytest.approx(best, rel=1e-2)
    assert nll(fitted) <= nll(1.0)


def test_calibrate_writes_only_the_temperature_and_from_pretrained_applies_it(
    overconfident: StanceClassifier, toy_examples: list[LabelledComment], tmp_path: Path
) -> None:
    model = tmp_path / "m"
    overconfident.save_pretrained(model)
    config_before = json.loads((model / "stance.json").read_text())
    weights = model / "model.safetensors"
    weights_before = (weights.read_bytes(), weights.stat().st_mtime_ns)

    result = calibrate(model, toy_examples)

    assert result.n == 40 and result.previous_temperature == 1.0
    assert result.temperature == pytest.approx(fit_temperature(overconfident, toy_examples))
    assert result.nll_after <= result.nll_before
    assert result.ece_before == pytest.approx(softmax(LOGITS)[1] - 0.7)  # one bin: 0.936 confidence, 70 % right
    assert result.ece_after < result.ece_before
    config_after = json.loads((model / "stance.json").read_text())
    assert config_after == config_before | {"temperature": result.temperature}
    assert (weights.read_bytes(), weights.stat().st_mtime_ns) == weights_before
    reloaded = StanceClassifier.from_pretrained(model)
    assert reloaded.temperature == result.temperature
    assert reloaded.predict_proba(["anything"], "t")[0] == pytest.approx(softmax(LOGITS / result.temperature), abs=1e-6)
    assert "ECE" in result.render() and f"{result.temperature:.3f}" in result.render()


def test_calibrate_a_plain_hf_directory_writes_stance_json(
    copy_tiny_classifier: CopyModel, toy_examples: list[LabelledComment], tmp_path: Path
) -> None:
    model = tmp_path / "plain"
    copy_tiny_classifier(model)
    (model / "stance.json").unlink()
    plain = StanceClassifier.from_pretrained(model)
    result = calibrate(model, toy_examples)
    config = json.loads((model / "stance.json").read_text())
    # The settings it was read with, now recorded, plus the temperature.
    recorded = {key: value for key, value in asdict(plain.settings()).items() if value is not None}  # unset ones are left out
    assert config == recorded | {"temperature": result.temperature, "format": "full"}
    reloaded = StanceClassifier.from_pretrained(model)
    assert reloaded.temperature == result.temperature and reloaded.max_length == plain.max_length


def test_calibrate_refuses_foreign_labels_and_too_few_comments(
    copy_tiny_classifier: CopyModel, toy_examples: list[LabelledComment], tmp_path: Path
) -> None:
    model = tmp_path / "m"
    copy_tiny_classifier(model)
    config_before = (model / "stance.json").read_text()
    foreign = toy_examples + [LabelledComment(text="lol", label="sarcasm")]
    with pytest.raises(DataError, match=r"labels \['sarcasm'\] are not among the model's labels"):
        calibrate(model, foreign)
    with pytest.raises(DataError, match="19 labelled comments are too few to fit a temperature"):
        calibrate(model, toy_examples[:19])
    assert (model / "stance.json").read_text() == config_before
    with pytest.raises(ModelError, match="not a model directory"):
        calibrate(tmp_path / "nowhere", toy_examples)


def test_result_table_notes_a_temperature_at_the_search_bound() -> None:
    from stance.evaluation.calibration import CalibrationResult

    inside = CalibrationResult(temperature=1.7, ece_before=0.2, ece_after=0.05, nll_before=0.9, nll_after=0.7, n=40)
    assert inside.render().splitlines()[3].split() == ["temperature", "1.000", "1.700"]
    assert not inside.at_bound() and "edge" not in inside.render()
    edge = CalibrationResult(temperature=0.0500002, ece_before=0.2, ece_after=0.2, nll_before=1.4, nll_after=1.3, n=40)
    assert edge.at_bound() and "edge of the search range" in edge.render()


# --- the command line ---------------------------------------------------------------------------


def test_calibrate_command_prints_the_table_and_records_the_temperature(
    toy_labelled: Path, copy_tiny_classifier: CopyModel, tmp_path: Path, capsys
) -> None:
    model = tmp_path / "m"
    copy_tiny_classifier(model)
    code, out, err = run(["calibrate", str(toy_labelled), "--model", str(model)], capsys)
    assert code == 0, err
    assert "ECE" in out and "NLL" in out and "temperature" in out and "on 48 comments" in out
    temperature = json.loads((model / "stance.json").read_text())["temperature"]
    assert f"{temperature:.3f}" in out and "wrote the stance temperature" in err


def test_calibrate_command_refusals_are_one_line(toy_labelled: Path, copy_tiny_classifier: CopyModel, tmp_path: Path, capsys) -> None:
    code, _, err = run(["calibrate", str(toy_labelled)], capsys)
    assert code != 0 and "--model is required" in err and err.count("\n") == 1
    model = tmp_path / "m"
    copy_tiny_classifier(model)
    few = tmp_path / "few.jsonl"
    few.write_text("".join(json.dumps({"text": f"ok {i}", "label": "support"}) + "\n" for i in range(5)))
    code, _, err = run(["calibrate", str(few), "--model", str(model)], capsys)
    assert code == 3 and "too few to fit a temperature" in err and err.count("\n") == 1
    assert "Traceback" not in err
