"""Each comment's language, and the warning when most comments are in one the model was not trained on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run, shared_file, write_jsonl

from stance.extract.language import detect_language, main_languages, unfamiliar_majority


@pytest.mark.parametrize(
    "text, language",
    [
        ("This is the worst idea the council has had in years.", "en"),
        ("Danke für den Artikel, das sehe ich ganz genauso.", "de"),
        ("Bonjour, je ne suis pas d'accord avec cet article.", "fr"),
        ("lol ok", None),  # too short to tell
        ("👍👍👍 !!! 100%", None),
    ],
)
def test_detect_language_names_the_language_or_admits_it_cannot_tell(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_main_languages_keep_those_of_a_real_share_of_the_texts() -> None:
    english = [f"I think the council got this one badly wrong, number {i}." for i in range(30)]
    german = ["Ich finde, der Stadtrat hat hier völlig falsch entschieden."] * 3
    french = ["Je pense que le conseil a eu tort."]
    assert main_languages(english + german + french) == ["en", "de"]  # French is 1 in 34: under 5 %
    assert main_languages(["ok", "lol"]) == []


def test_unfamiliar_majority_only_when_most_comments_are_outside_the_known_languages() -> None:
    assert unfamiliar_majority({"de": 40, "en": 2}, ["en"]) == {"de": 40}
    assert unfamiliar_majority({"de": 5, "fr": 4, "en": 8}, ["en"]) == {"de": 5, "fr": 4}
    assert unfamiliar_majority({"de": 10, "en": 10}, ["en"]) == {}
    assert unfamiliar_majority({}, ["en"]) == {}


def test_extract_and_classify_write_each_comments_language(tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:
    rows = [{"text": "Ich finde, der Stadtrat hat hier völlig falsch entschieden."},
            {"text": "I think the council got this one badly wrong."}, {"text": "ok"}]
    comments = write_jsonl(tmp_path / "c.jsonl", rows)
    code, out, _ = run(["extract", str(comments)], capsys)
    assert code == 0 and [json.loads(line)["language"] for line in out.splitlines()] == ["de", "en", None]
    code, out, _ = run(["classify", str(comments), "--model", str(tiny_classifier_dir), "--target", "the council"], capsys)
    assert code == 0 and [json.loads(line)["language"] for line in out.splitlines()] == ["de", "en", None]


def test_classify_warns_once_when_most_comments_are_in_a_language_the_model_was_not_trained_on(
    copy_tiny_classifier, tmp_path: Path, capsys
) -> None:
    model = copy_tiny_classifier(tmp_path / "model")
    settings = json.loads((model / "stance.json").read_text())
    (model / "stance.json").write_text(json.dumps(settings | {"languages": ["en"]}))
    german = write_jsonl(tmp_path / "de.jsonl", [{"text": f"Ich finde, der Stadtrat hat hier völlig falsch entschieden ({i})."} for i in range(4)])
    code, _, err = run(["classify", str(german), "--model", str(model), "--target", "the council", "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 0
    assert err.count("warning: most comments are in a language the model was not trained on (de 4 of 4") == 1
    assert "it was trained on en" in err
    english = write_jsonl(tmp_path / "en.jsonl", [{"text": f"I think the council got this one badly wrong ({i})."} for i in range(4)])
    assert "warning" not in run(["classify", str(english), "--model", str(model), "--target", "the council"], capsys)[2]
    # a model that does not say what it was trained on gets no warning
    plain = copy_tiny_classifier(tmp_path / "plain")
    assert "warning" not in run(["classify", str(german), "--model", str(plain), "--target", "the council"], capsys)[2]


def test_training_records_the_languages_of_its_comments(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    from stance.model.classifier import StanceClassifier
    from stance.training.config import TrainingConfig
    from stance.training.data import load_labelled
    from stance.training.trainer import train

    config = TrainingConfig(base_model=str(tiny_base_model), epochs=1, batch_size=8, max_length=32)
    train(load_labelled(toy_labelled), tmp_path / "model", config)
    assert json.loads((tmp_path / "model" / "stance.json").read_text())["languages"] == ["en"]
    assert StanceClassifier.from_pretrained(tmp_path / "model").languages == ["en"]
    assert "Trained on comments in: en" in (tmp_path / "model" / "README.md").read_text()


def test_the_german_saved_page_is_told_apart(capsys) -> None:
    page = shared_file("pages/taz.de.siemens.html")
    code, out, _ = run(["extract", str(page)], capsys)
    languages = [json.loads(line)["language"] for line in out.splitlines()]
    assert code == 0 and languages.count("de") >= 0.9 * len(languages)
