"""Score a stance model on the TweetEval stance test split, beside a per-target TF-IDF + LinearSVC baseline.

The official score is the mean of F1(against) and F1(favor) over all test rows (our labels: oppose and
support). The baseline is trained on train + val in the same run; the model is used as given (by
default the bundled models/default, which saw TweetEval train and val, never test). With
``--train-epochs N`` the script also fine-tunes the base model on TweetEval train with our training
code (val for choosing the epoch) and scores that model too. With ``--ensemble`` it also scores the
model's probabilities averaged with a per-target TF-IDF + logistic regression's, the weight chosen on
val (the linear models trained on train for that choice, then on train + val for test).

    python scripts/bench_tweeteval.py [--model DIR] [--train-epochs 4] [--ensemble]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from shared_data import tweeteval

from stance.classifier import StanceClassifier
from stance.data import LabelledComment
from stance.metrics import headline_scores
from stance.training import TrainingConfig, train

LEADERBOARD = {"TimeLMs (leaderboard best)": 72.9, "BERTweet": 71.2, "RoBERTa-base": 68.0, "SVM (SemEval)": 67.3}


def per_target_models(train: list[LabelledComment], classifier: Callable[[], Any]) -> dict[str, Any]:
    """One TF-IDF (word 1-2-grams + char 2-5-grams) + ``classifier()`` per target, as in the SemEval baselines."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union

    by_target: dict[str, list[LabelledComment]] = defaultdict(list)
    for row in train:
        by_target[row.target].append(row)
    models = {}
    for target, rows in by_target.items():
        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        )
        models[target] = make_pipeline(features, classifier()).fit([r.text for r in rows], [r.label for r in rows])
    return models


def per_target_svm(train: list[LabelledComment], test: list[LabelledComment]) -> list[str]:
    from sklearn.svm import LinearSVC

    models = per_target_models(train, lambda: LinearSVC(C=0.5))
    return [str(models[row.target].predict([row.text])[0]) for row in test]


def linear_probabilities(train: list[LabelledComment], rows: list[LabelledComment], labels: list[str]) -> np.ndarray:
    """Per-target TF-IDF + logistic regression probabilities, columns in ``labels`` order."""
    from sklearn.linear_model import LogisticRegression

    models = per_target_models(train, lambda: LogisticRegression(C=10, max_iter=2000))
    out = np.zeros((len(rows), len(labels)))
    for i, row in enumerate(rows):
        model = models[row.target]
        for label, p in zip(model.classes_, model.predict_proba([row.text])[0]):
            out[i, labels.index(label)] = p
    return out


def model_probabilities(classifier: StanceClassifier, rows: list[LabelledComment], labels: list[str]) -> np.ndarray:
    """The model's probabilities over ``labels``; mixed (neither favor nor against) counts as neutral."""
    scores = classifier.predict_proba([r.text for r in rows], [r.target for r in rows])
    columns = {label: scores[:, i] for i, label in enumerate(classifier.labels)}
    if "mixed" in columns:
        columns["neutral"] = columns["neutral"] + columns.pop("mixed")
    return np.stack([columns[label] for label in labels], axis=1)


def ensemble_predictions(classifier: StanceClassifier, labels: list[str]) -> tuple[list[str], float, float]:
    """Test labels of the averaged probabilities, with the model's weight and the val score it got."""
    train, val, test = tweeteval("train"), tweeteval("val"), tweeteval("test")
    model_val, linear_val = model_probabilities(classifier, val, labels), linear_probabilities(train, val, labels)
    val_gold = [r.label for r in val]

    def val_score(weight: float) -> float:
        mixed = weight * model_val + (1 - weight) * linear_val
        return headline_scores(val_gold, [labels[i] for i in mixed.argmax(1)], labels)["f1_support_oppose"]

    weight = max(np.linspace(0, 1, 21), key=val_score)
    mixed = weight * model_probabilities(classifier, test, labels) + (1 - weight) * linear_probabilities(train + val, test, labels)
    return [labels[i] for i in mixed.argmax(1)], float(weight), val_score(weight)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--train-epochs", type=float, default=0, help="also fine-tune a TweetEval-only model for N epochs")
    parser.add_argument("--ensemble", action="store_true", help="also score the model averaged with a per-target linear model")
    args = parser.parse_args()

    svm_train, test = tweeteval("train") + tweeteval("val"), tweeteval("test")
    gold = [row.label for row in test]
    labels = ["support", "oppose", "neutral"]

    started = time.perf_counter()
    baseline = headline_scores(gold, per_target_svm(svm_train, test), labels)
    baseline_seconds = time.perf_counter() - started

    def score_model(directory: str | None) -> tuple[dict[str, float], float]:
        started = time.perf_counter()
        classifier = StanceClassifier.from_pretrained(directory)
        predicted = [p.label for p in classifier.predict([r.text for r in test], [r.target for r in test])]
        return headline_scores(gold, predicted, labels), time.perf_counter() - started

    rows = [("stance model " + (args.model or "models/default"), *score_model(args.model))]
    if args.ensemble:
        started = time.perf_counter()
        predicted, weight, val = ensemble_predictions(StanceClassifier.from_pretrained(args.model), labels)
        name = f"ensemble with TF-IDF+LR (model weight {weight:.2f}, val {100 * val:.1f})"
        rows.append((name, headline_scores(gold, predicted, labels), time.perf_counter() - started))
    if args.train_epochs:
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            config = TrainingConfig(epochs=args.train_epochs, max_length=96, max_target_tokens=16, learning_rate=6e-5)
            train_result = train(tweeteval("train"), f"{work}/model", config, validation=tweeteval("val"))
            minutes = (time.perf_counter() - started) / 60
            scores, seconds = score_model(str(train_result.output_dir))
            rows.append((f"stance fine-tune on TweetEval ({minutes:.1f} min)", scores, seconds))

    print(f"TweetEval stance test, {len(test)} tweets; score = mean F1 of favor and against (x100)")
    print(f"{'system':58}{'score':>8}{'macro-F1':>10}{'seconds':>9}")
    for name, model, model_seconds in rows:
        print(f"{name:58}{100 * model['f1_support_oppose']:>8.1f}{100 * model['macro_f1']:>10.1f}{model_seconds:>9.1f}")
    print(f"{'per-target TF-IDF + LinearSVC (this run)':58}{100 * baseline['f1_support_oppose']:>8.1f}"
          f"{100 * baseline['macro_f1']:>10.1f}{baseline_seconds:>9.1f}")
    for name, score in LEADERBOARD.items():
        print(f"{name + ' (published)':58}{score:>8.1f}")


if __name__ == "__main__":
    main()
