"""The classifier on a tiny random model: shapes, chunking, batching, saving and loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stance.errors import ModelError
from stance.model.classifier import StanceClassifier
from stance.model.prediction import Prediction


@pytest.fixture(scope="module")
def classifier(tiny_classifier_dir: Path) -> StanceClassifier:
    return StanceClassifier.from_pretrained(tiny_classifier_dir)


def test_single_text_gives_one_prediction_and_list_gives_list(classifier: StanceClassifier) -> None:
    one = classifier.predict("Great move!", "UK-Japan cyber pact")
    assert isinstance(one, Prediction)
    assert set(one.scores) == {"support", "oppose", "mixed", "neutral"}
    assert one.label == max(one.scores, key=one.scores.get) and one.confidence == one.scores[one.label]
    assert sum(one.scores.values()) == pytest.approx(1.0)
    many = classifier.predict(["Great move!", "Terrible idea."], "UK-Japan cyber pact")
    assert isinstance(many, list) and len(many) == 2
    assert many[0].scores == pytest.approx(one.scores)


def test_predict_proba_takes_one_string_or_a_list(classifier: StanceClassifier) -> None:
    one = classifier.predict_proba("Great move!", "UK-Japan cyber pact")
    many = classifier.predict_proba(["Great move!", "Terrible idea."], "UK-Japan cyber pact")
    assert one.shape == (len(classifier.labels),) and many.shape == (2, len(classifier.labels))
    np.testing.assert_allclose(one, many[0], atol=1e-6)
    assert one == pytest.approx([classifier.predict("Great move!", "UK-Japan cyber pact").scores[label] for label in classifier.labels])


def test_the_target_is_spelled_as_in_the_module_predict(classifier: StanceClassifier, tiny_classifier_dir: Path) -> None:
    from stance import predict

    by_keyword = classifier.predict("Great move!", target="UK-Japan cyber pact")
    assert by_keyword.scores == pytest.approx(classifier.predict("Great move!", "UK-Japan cyber pact").scores)
    assert classifier.predict_proba("Great move!", target="UK-Japan cyber pact") == pytest.approx(
        [by_keyword.scores[label] for label in classifier.labels])
    assert predict("Great move!", target="UK-Japan cyber pact", model=str(tiny_classifier_dir)).scores == pytest.approx(by_keyword.scores)


def test_an_empty_comment_gets_no_labels_and_says_it_is_empty(classifier: StanceClassifier) -> None:
    empty, blank, said = classifier.predict(["", "  \n", "Great move!"], "UK-Japan cyber pact")
    for prediction in (empty, blank):
        assert prediction.empty and prediction.label is None and prediction.sentiment is None and prediction.to_dict() == {}
    assert not said.empty and said.label in classifier.labels
    assert classifier.predict("").empty


def test_labels_come_from_the_model_config(tiny_base_model: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(
        tiny_base_model, num_labels=2, id2label={0: "pro", 1: "contra"}, label2id={"pro": 0, "contra": 1}
    )
    clf = StanceClassifier(model, AutoTokenizer.from_pretrained(tiny_base_model))
    assert clf.labels == ["pro", "contra"]
    assert set(clf.predict("x").scores) == {"pro", "contra"}


def test_long_comments_are_split_into_windows_and_averaged(classifier: StanceClassifier) -> None:
    import torch

    long_text = " ".join(f"word{i}" for i in range(400))
    windows, owners, weights = classifier.encode_windows([long_text, "short"], ["target", "target"])
    assert (owners == 0).sum() > 1 and (owners == 1).sum() == 1
    assert all(len(w["input_ids"]) <= classifier.max_length for w in windows)
    # Every window of the long comment repeats the target, so no window reads the comment alone.
    target_ids = classifier.tokenizer("target", add_special_tokens=False)["input_ids"]
    assert all(w["input_ids"][1 : 1 + len(target_ids)] == target_ids for w in windows)
    with torch.inference_mode():
        per_window = [
            torch.softmax(classifier.model(**classifier.tokenizer.pad([w], return_tensors="pt")).logits, -1)[0].numpy()
            for w in windows
        ]
    mask = owners == 0
    expected = np.average(np.array(per_window)[mask], axis=0, weights=weights[mask])
    assert classifier.predict_proba([long_text], "target")[0] == pytest.approx(expected, abs=1e-5)


def test_length_sorted_batches_match_one_by_one(classifier: StanceClassifier) -> None:
    texts = ["a", "a much longer comment " * 5, "mid length comment here", "b" * 30]
    batched = classifier.predict_proba(texts, "t")
    classifier.batch_size, saved = 1, classifier.batch_size
    try:
        single = classifier.predict_proba(texts, "t")
    finally:
        classifier.batch_size = saved
    assert batched == pytest.approx(single, abs=1e-5)


def test_targets_one_per_comment_or_error(classifier: StanceClassifier) -> None:
    a = classifier.predict_proba(["x", "y"], ["first target", "second target"])
    b = classifier.predict_proba(["x"], "first target")
    assert a[0] == pytest.approx(b[0], abs=1e-6)
    with pytest.raises(ValueError, match="got 1 targets for 2 comments"):
        classifier.predict_proba(["x", "y"], ["only one"])


def test_save_and_reload_round_trip_and_pipeline_loads_it(classifier: StanceClassifier, tmp_path: Path) -> None:
    from transformers import pipeline

    classifier.save_pretrained(tmp_path / "m")
    reloaded = StanceClassifier.from_pretrained(tmp_path / "m")
    assert reloaded.predict_proba(["hello"], "t") == pytest.approx(classifier.predict_proba(["hello"], "t"), abs=1e-6)
    pipe = pipeline("text-classification", model=str(tmp_path / "m"))
    out = pipe({"text": "t", "text_pair": "hello"})
    assert out["label"] == classifier.predict("hello", "t").label


def test_not_a_model_directory_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a model directory"):
        StanceClassifier.from_pretrained(tmp_path)


def test_parents_are_read_only_by_a_model_trained_with_reply_context(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    texts, parents = ["No, you're wrong.", "Exactly right."], ["The plan is a disaster for the town.", None]
    plain = StanceClassifier.from_pretrained(tiny_classifier_dir)
    assert not plain.reply_context
    assert plain.predict_proba(texts, "the plan", parents=parents) == pytest.approx(plain.predict_proba(texts, "the plan"))
    plain.reply_context = True
    plain.save_pretrained(tmp_path / "replies")
    reading = StanceClassifier.from_pretrained(tmp_path / "replies")
    assert reading.reply_context and reading.settings().reply_context
    with_parents = reading.predict_proba(texts, "the plan", parents=parents)
    assert with_parents[0] != pytest.approx(reading.predict_proba(texts, "the plan")[0])
    assert with_parents[1] == pytest.approx(reading.predict_proba(texts, "the plan")[1])  # no parent: as before
    assert reading.predict(texts[0], "the plan", parents=parents[0]).label == reading.predict(texts, "the plan", parents=parents)[0].label
    with pytest.raises(ValueError, match="got 1 parents for 2 comments"):
        reading.predict(texts, "the plan", parents=parents[:1])


def test_parents_must_match_the_shape_of_the_texts(tiny_classifier_dir: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    with pytest.raises(TypeError, match="parents: one text for one comment"):
        classifier.predict(["a", "b"], "t", parents="xy")
    with pytest.raises(TypeError, match="parents: one text for one comment"):
        classifier.predict_proba("a", "t", parents=["p"])


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection this process tries fails the test at once."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network use: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("name", ["tiny-model2", "models/default", "someone/no-such-model"])
def test_a_model_that_is_neither_here_nor_cached_fails_at_once_without_the_network(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_network(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match=rf"^{name}: no such model directory here \(.*\), nor a Hugging Face model"):
        StanceClassifier.from_pretrained(name)


def test_a_model_in_the_local_hugging_face_cache_loads_by_name_without_the_network(
    tiny_classifier_dir: Path, tmp_path: Path
) -> None:
    import os
    import shutil

    from conftest import stance_cli, write_jsonl

    revision = "0" * 40
    repo = tmp_path / "hub" / "models--someone--tiny-stance"
    shutil.copytree(tiny_classifier_dir, repo / "snapshots" / revision)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision, encoding="utf-8")
    page = write_jsonl(tmp_path / "comments.jsonl", [{"text": "About time too.", "target": "Council closes the bridge"}])
    # A fresh process reads the cache's place from the environment; its sitecustomize notes any connection.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import socket, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    sys.stderr.write('network use\\n')\n"
        "    raise OSError('no network in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.getaddrinfo = refuse\n",
        encoding="utf-8",
    )
    env = os.environ | {"HF_HUB_CACHE": str(tmp_path / "hub"), "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    done = stance_cli("classify", str(page), "--model", "someone/tiny-stance", "--precision", "fp32", "-f", "jsonl", env=env)
    assert "network use" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1


def test_an_exported_model_gives_the_calibrated_confidences_in_plain_transformers(
    tiny_classifier_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import run
    from transformers import pipeline

    calibrated = tmp_path / "calibrated"
    StanceClassifier.from_pretrained(tiny_classifier_dir, temperature={"stance": 0.2, "sentiment": 3.0}).save_pretrained(calibrated)
    comment, target = "Terrible idea, it will ruin the town.", "City bans cars"
    expected = StanceClassifier.from_pretrained(calibrated).predict(comment, target)
    for task, answer in (("stance", expected.scores), ("sentiment", expected.sentiment_scores)):
        code, _, err = run(["export", str(calibrated), str(tmp_path / task), "--task", task], capsys)
        assert code == 0, err
        scores = pipeline("text-classification", model=str(tmp_path / task), top_k=None)({"text": target, "text_pair": comment})
        assert {s["label"]: s["score"] for s in scores} == pytest.approx(answer, abs=1e-5)
        assert StanceClassifier.from_pretrained(tmp_path / task).predict(comment, target).scores_for(task) == pytest.approx(answer, abs=1e-5)
    code, _, err = run(["export", str(calibrated), str(tmp_path / "both")], capsys)
    assert code == 0, err
    both = StanceClassifier.from_pretrained(tmp_path / "both")
    assert both.temperatures == {"stance": 1.0, "sentiment": 1.0}
    again = both.predict(comment, target)
    assert again.scores == pytest.approx(expected.scores, abs=1e-5) and again.sentiment_scores == pytest.approx(expected.sentiment_scores, abs=1e-5)


def test_predict_with_features_answers_as_predict_and_gives_each_comment_its_middle_layer_vector(tiny_classifier_dir: Path) -> None:
    import torch

    from stance.model.heads import middle_layer_mean

    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir, precision="fp32")
    texts = ["I love this plan", "word " * 200, "I hate this plan"]  # the second runs to several windows
    predictions, features = classifier.predict_with_features(texts, "the plan")
    assert [p.to_dict() for p in predictions] == [p.to_dict() for p in classifier.predict(texts, "the plan")]
    assert features.shape == (3, 32)
    windows, owners, _ = classifier.encode_windows(texts[:1], ["the plan"])
    inputs = {name: torch.from_numpy(array) for name, array in classifier.windows.pad(windows).items()}
    with torch.inference_mode():
        hidden = classifier.model(**inputs, output_hidden_states=True).hidden_states
    assert features[0] == pytest.approx(middle_layer_mean(hidden, inputs["attention_mask"])[0].numpy(), abs=1e-5)
    with pytest.raises(ModelError, match="int8 export gives labels only"):
        StanceClassifier.from_pretrained(tiny_classifier_dir, precision="int8").predict_with_features(texts, "the plan")
