"""A model's figures are data in stance.json: written by training, checked on load, listed by
`stance info`, and the bundled model's card table is rendered from them (never parsed back)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CopyModel

from stance.errors import ModelError
from stance.model.classifier import StanceClassifier
from stance.model.storage import ModelSettings, default_model_path
from stance.training.model_card import describe_figure, render_figures_table

FIGURES = [
    {"set": "ARC val (351)", "measure": "macro-F1", "value": 55.4, "baseline": "TF-IDF + LR 45.3"},
    {"set": "seed page", "measure": "correct labels of 5", "value": 5},
]


def test_figures_are_stored_and_read_back(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir, precision="fp32")
    classifier.save_pretrained(tmp_path / "model", figures=FIGURES)
    assert ModelSettings.read(tmp_path / "model").figures == FIGURES
    assert [describe_figure(f) for f in FIGURES] == [
        "ARC val (351): macro-F1 55.4 (baseline: TF-IDF + LR 45.3)", "seed page: correct labels of 5 5"
    ]


@pytest.mark.parametrize("figure", [{"set": "x", "measure": "F1"}, {"set": "x", "measure": "F1", "value": "high"}, "55.4"])
def test_a_damaged_figure_is_a_clear_error(figure: object, copy_tiny_classifier: CopyModel, tmp_path: Path) -> None:
    model = copy_tiny_classifier(tmp_path / "model")
    stored = json.loads((model / "stance.json").read_text()) | {"figures": [figure]}
    (model / "stance.json").write_text(json.dumps(stored))
    with pytest.raises(ModelError, match="figure .* is not a set, a measure and a number"):
        ModelSettings.read(model)


def test_the_bundled_cards_table_is_its_stored_figures() -> None:
    model = Path(default_model_path())
    figures = ModelSettings.read(model).figures
    assert figures, "the bundled model's stance.json lists its figures"
    assert render_figures_table(figures) in (model / "README.md").read_text(encoding="utf-8")
