"""Score stance systems on the TweetEval stance test split, beside a per-target TF-IDF + LinearSVC baseline.

The official score is the mean of F1(against) and F1(favor) over all test rows (our labels: oppose and
support). Every run scores the given model (by default the bundled models/default, which saw TweetEval
train and val, never test) and two per-target linear systems trained on train + val in the same run:
the baseline, and word/character n-grams beside the base model's sentence embedding with logistic
regression (``stance.baseline.ngram_embedding_logreg``, its settings chosen by cross-validation on
train + val). With ``--train-epochs N`` the script also fine-tunes the base model on TweetEval train
with our training code (val for choosing the epoch) and scores that model too. With ``--contrastive`` it
first tunes the encoder on train + val (``stance.sentence_embeddings.tune_sentence_encoder``, SetFit's
contrastive step: same label under the same target pulled together) and scores the n-gram +
embedding system on that encoder. With ``--ensemble`` it
also scores the model's probabilities averaged with the n-gram + embedding system's, the weight chosen
on val (the linear models trained on train for that choice, then on train + val for test).

    python scripts/bench_tweeteval.py [--model DIR] [--train-epochs 4] [--ensemble] [--contrastive]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from shared_data import tweeteval

from stance.baseline import PerTargetClassifier, ngram_embedding_logreg, ngram_svm
from stance.classifier import StanceClassifier
from stance.data import LabelledComment
from stance.metrics import headline_scores
from stance.sentence_embeddings import tune_sentence_encoder
from stance.training import TrainingConfig, train

LEADERBOARD = {"TimeLMs (leaderboard best)": 72.9, "BERTweet": 71.2, "RoBERTa-base": 68.0, "SVM (SemEval)": 67.3}


def pairs(rows: list[LabelledComment]) -> list[tuple[str, str]]:
    return [(row.text, row.target) for row in rows]


def linear_probabilities(linear: PerTargetClassifier, rows: list[LabelledComment], labels: list[str]) -> np.ndarray:
    """``linear``'s probabilities with columns in ``labels`` order."""
    scores = linear.predict_proba(pairs(rows))
    return np.stack([scores[:, list(linear.classes_).index(label)] for label in labels], axis=1)


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
    linear_val = linear_probabilities(fit_linear(train), val, labels)
    model_val = model_probabilities(classifier, val, labels)
    val_gold = [r.label for r in val]

    def val_score(weight: float) -> float:
        mixed = weight * model_val + (1 - weight) * linear_val
        return headline_scores(val_gold, [labels[i] for i in mixed.argmax(1)], labels)["f1_support_oppose"]

    weight = max(np.linspace(0, 1, 21), key=val_score)
    linear_test = linear_probabilities(fit_linear(train + val), test, labels)
    mixed = weight * model_probabilities(classifier, test, labels) + (1 - weight) * linear_test
    return [labels[i] for i in mixed.argmax(1)], float(weight), val_score(weight)


def fit_linear(rows: list[LabelledComment]) -> PerTargetClassifier:
    return PerTargetClassifier(ngram_embedding_logreg()).fit(pairs(rows), [r.label for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--train-epochs", type=float, default=0, help="also fine-tune a TweetEval-only model for N epochs")
    parser.add_argument("--ensemble", action="store_true", help="also score the model averaged with a per-target linear model")
    parser.add_argument("--contrastive", action="store_true",
                        help="also score the per-target linear model on an encoder contrastively tuned on train + val")
    args = parser.parse_args()

    linear_train, test = tweeteval("train") + tweeteval("val"), tweeteval("test")
    gold = [row.label for row in test]
    labels = ["support", "oppose", "neutral"]

    def score_linear(make: Callable[[], Any]) -> tuple[dict[str, float], float]:
        started = time.perf_counter()
        linear = PerTargetClassifier(make()).fit(pairs(linear_train), [r.label for r in linear_train])
        return headline_scores(gold, list(linear.predict(pairs(test))), labels), time.perf_counter() - started

    def score_model(directory: str | None) -> tuple[dict[str, float], float]:
        started = time.perf_counter()
        classifier = StanceClassifier.from_pretrained(directory)
        predicted = [p.label for p in classifier.predict([r.text for r in test], [r.target for r in test])]
        return headline_scores(gold, predicted, labels), time.perf_counter() - started

    rows = [("stance model " + (args.model or "models/default"), *score_model(args.model))]
    if args.ensemble:
        started = time.perf_counter()
        predicted, weight, val = ensemble_predictions(StanceClassifier.from_pretrained(args.model), labels)
        name = f"model + n-gram/embedding LR (model weight {weight:.2f}, val {100 * val:.1f})"
        rows.append((name, headline_scores(gold, predicted, labels), time.perf_counter() - started))
    if args.train_epochs:
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            config = TrainingConfig(epochs=args.train_epochs, max_length=96, max_target_tokens=16, learning_rate=6e-5)
            train_result = train(tweeteval("train"), f"{work}/model", config, validation=tweeteval("val"))
            minutes = (time.perf_counter() - started) / 60
            scores, seconds = score_model(str(train_result.output_dir))
            rows.append((f"stance fine-tune on TweetEval ({minutes:.1f} min)", scores, seconds))
    rows.append(("per-target n-grams + MiniLM embedding + LR", *score_linear(ngram_embedding_logreg)))
    if args.contrastive:
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            encoder = tune_sentence_encoder(linear_train, f"{work}/encoder", progress=True)
            scores, seconds = score_linear(lambda: ngram_embedding_logreg(str(encoder)))
            minutes = (time.perf_counter() - started) / 60
            rows.append((f"same, encoder tuned contrastively ({minutes:.1f} min in all)", scores, seconds))
    rows.append(("per-target TF-IDF + LinearSVC (baseline)", *score_linear(ngram_svm)))

    print(f"TweetEval stance test, {len(test)} tweets; score = mean F1 of favor and against (x100)")
    print(f"{'system':58}{'score':>8}{'macro-F1':>10}{'seconds':>9}")
    for name, model, model_seconds in rows:
        print(f"{name:58}{100 * model['f1_support_oppose']:>8.1f}{100 * model['macro_f1']:>10.1f}{model_seconds:>9.1f}")
    for name, score in LEADERBOARD.items():
        print(f"{name + ' (published)':58}{score:>8.1f}")


if __name__ == "__main__":
    main()
