"""Score stance systems on the TweetEval stance test split, beside a per-target TF-IDF + LinearSVC baseline.

The official score is the mean of F1(against) and F1(favor) over all test rows (our labels: oppose and
support). Every run scores the given model (by default the bundled models/default, which saw TweetEval
train and val, never test) and two per-target linear systems trained on train + val in the same run:
the baseline, and word/character n-grams beside the base model's sentence embedding with logistic
regression (``systems.ngram_embedding_logreg``, its settings chosen by cross-validation on
train + val).

- ``--train-epochs N`` also fine-tunes the base model on TweetEval train with our training code (val
  for choosing the epoch) and scores that model.
- ``--contrastive`` also tunes the encoder on train + val (``sentence_embeddings.tune_sentence_encoder``,
  SetFit's contrastive step: same label under the same target pulled together) and scores the n-gram +
  embedding system on that encoder. With ``--train-epochs`` too, it scores the fine-tune's probabilities
  averaged with that system's: everything trained on TweetEval alone, the time to train it printed
  (choosing its weight tunes a second encoder, on train alone: not counted).
- ``--cv`` (implies ``--contrastive``) also scores the tuned system averaged with the frozen-embedding
  one. The embedding weight of the tuned system and its weight in the average are chosen by 3-fold
  cross-validation on train + val, an encoder tuned in each fold (about 17 more minutes).
- ``--ensemble`` also scores the given model's probabilities averaged with the n-gram + embedding system's.

The weights of the fine-tune + tuned average and of ``--ensemble`` are chosen on val, with the linear
system (and its encoder) fit on train alone for that choice, then refit on train + val for test.
Every score counts a model's mixed as neutral (``systems.probabilities``). The seconds column is the
time to predict test, plus the time to fit a linear system whose training time is not in its name.

    python -m scripts.bench_tweeteval [--model DIR] [--train-epochs 4] [--contrastive] [--cv] [--ensemble]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from scripts.sentence_embeddings import tune_sentence_encoder
from scripts.shared_data import tweeteval
from scripts.systems import (
    DEFAULT_EMBEDDING_WEIGHT,
    LABELS,
    fit_per_target,
    labels_of,
    ngram_embedding_logreg,
    ngram_svm,
    pairs,
    probabilities,
    scores_of,
    timed,
    tuned_logreg,
)
from stance.core.labelled import LabelledComment
from stance.model.classifier import StanceClassifier
from stance.training.config import TrainingConfig
from stance.training.trainer import train

# What --cv chooses from: the tuned system's embedding weight (the first is the default, the one the tuned
# row uses), and its weight when averaged with the frozen system.
EMBEDDING_WEIGHTS = (DEFAULT_EMBEDDING_WEIGHT, 3.0)
TUNED_WEIGHTS = np.linspace(0, 1, 11)
LEADERBOARD = {"TimeLMs (leaderboard best)": 72.9, "BERTweet": 71.2, "RoBERTa-base": 68.0, "SVM (SemEval)": 67.3}


def blend_weight(model_val: np.ndarray, linear_val: np.ndarray, val: list[LabelledComment]) -> tuple[float, str]:
    """The model's weight in ``weight * model + (1 - weight) * linear`` (steps of 0.05) that scores best
    on val, and a note of that val score beside the linear system's alone."""
    def val_score(weight: float) -> float:
        return scores_of(val, labels_of(weight * model_val + (1 - weight) * linear_val))["f1_support_oppose"]

    weight = float(max(np.linspace(0, 1, 21), key=val_score))
    return weight, f"val {100 * val_score(weight):.1f}, LR alone {100 * val_score(0):.1f}"


def cross_validated_blend(rows: list[LabelledComment], work: str, folds: int = 3) -> tuple[float, float, str]:
    """The embedding weight and tuned weight (``EMBEDDING_WEIGHTS`` x ``TUNED_WEIGHTS``) whose average of
    the tuned and frozen systems scores best on held-out folds of ``rows``, the encoder tuned on each
    fold's training part; and a note of that score beside the tuned system's alone (embedding weight
    ``EMBEDDING_WEIGHTS[0]``, as in the tuned row)."""
    from sklearn.model_selection import StratifiedKFold

    frozen = np.zeros((len(rows), len(LABELS)))
    tuned = {weight: np.zeros_like(frozen) for weight in EMBEDDING_WEIGHTS}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
    for fold, (fit_rows, held_rows) in enumerate(splitter.split(rows, [r.target + r.label for r in rows])):
        fit, held = [rows[i] for i in fit_rows], [rows[i] for i in held_rows]
        frozen[held_rows] = probabilities(fit_per_target(ngram_embedding_logreg, fit), held)
        encoder = tune_sentence_encoder(fit, f"{work}/encoder-fold{fold}", progress=True)
        for weight in EMBEDDING_WEIGHTS:
            tuned[weight][held_rows] = probabilities(tuned_logreg(encoder, fit, weight), held)

    def cv_score(choice: tuple[float, float]) -> float:
        embedding_weight, tuned_weight = choice
        blended = tuned_weight * tuned[embedding_weight] + (1 - tuned_weight) * frozen
        return scores_of(rows, labels_of(blended))["f1_support_oppose"]

    best = max(((e, float(w)) for e in EMBEDDING_WEIGHTS for w in TUNED_WEIGHTS), key=cv_score)
    return *best, f"CV {100 * cv_score(best):.1f} vs tuned {100 * cv_score((EMBEDDING_WEIGHTS[0], 1.0)):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--train-epochs", type=float, default=0, help="also fine-tune a TweetEval-only model for N epochs")
    parser.add_argument("--ensemble", action="store_true", help="also score the model averaged with a per-target linear model")
    parser.add_argument("--contrastive", action="store_true",
                        help="also score the per-target linear model on an encoder contrastively tuned on train + val")
    parser.add_argument("--cv", action="store_true",
                        help="also score the tuned and frozen systems averaged, weights chosen by 3-fold cross-validation")
    args = parser.parse_args()

    train_rows, val, test = tweeteval("train"), tweeteval("val"), tweeteval("test")
    results: list[tuple[str, list[str], float]] = []  # name, test labels, seconds (see the docstring)

    model, load_seconds = timed(lambda: StanceClassifier.from_pretrained(args.model))
    model_test, model_seconds = timed(lambda: probabilities(model, test))
    results.append(("stance model " + (args.model or "models/default"), labels_of(model_test), load_seconds + model_seconds))

    frozen_test, frozen_seconds = timed(lambda: probabilities(fit_per_target(ngram_embedding_logreg, train_rows + val), test))
    if args.ensemble:
        started = time.perf_counter()
        linear_val = probabilities(fit_per_target(ngram_embedding_logreg, train_rows), val)
        weight, val_note = blend_weight(probabilities(model, val), linear_val, val)
        blended = weight * model_test + (1 - weight) * frozen_test
        name = f"model + n-gram/embedding LR (model weight {weight:.2f}; {val_note})"
        results.append((name, labels_of(blended), time.perf_counter() - started))

    with tempfile.TemporaryDirectory() as work:
        if args.train_epochs:
            config = TrainingConfig(epochs=args.train_epochs, max_length=96, max_target_tokens=16, learning_rate=6e-5)
            trained, fine_tune_seconds = timed(lambda: train(train_rows, f"{work}/model", config, validation=val))
            fine_tuned = StanceClassifier.from_pretrained(str(trained.output_dir))
            fine_tuned_test, fine_tuned_seconds = timed(lambda: probabilities(fine_tuned, test))
            name = f"stance fine-tune on TweetEval ({fine_tune_seconds / 60:.1f} min)"
            results.append((name, labels_of(fine_tuned_test), fine_tuned_seconds))
        results.append(("per-target n-grams + MiniLM embedding + LR", labels_of(frozen_test), frozen_seconds))

        if args.contrastive or args.cv:
            encoder, tune_seconds = timed(lambda: tune_sentence_encoder(train_rows + val, f"{work}/encoder", progress=True))
            tuned, fit_seconds = timed(lambda: tuned_logreg(encoder, train_rows + val))
            tuned_test, tuned_predict_seconds = timed(lambda: probabilities(tuned, test))
            name = f"same, encoder tuned contrastively ({(tune_seconds + fit_seconds) / 60:.1f} min)"
            results.append((name, labels_of(tuned_test), tuned_predict_seconds))
            if args.cv:
                (embedding_weight, tuned_weight, cv_note), cv_seconds = timed(lambda: cross_validated_blend(train_rows + val, work))
                if embedding_weight == EMBEDDING_WEIGHTS[0]:
                    chosen_test, chosen_seconds = tuned_test, tuned_predict_seconds
                else:  # refit on the same encoder; the fit counts in the seconds column
                    chosen_test, chosen_seconds = timed(
                        lambda: probabilities(tuned_logreg(encoder, train_rows + val, embedding_weight), test))
                blended = tuned_weight * chosen_test + (1 - tuned_weight) * frozen_test
                minutes = (tune_seconds + fit_seconds + cv_seconds) / 60
                name = (f"tuned + frozen LR, tuned weight {tuned_weight:.1f}, emb. {embedding_weight:g} "
                        f"({minutes:.1f} min; {cv_note})")
                results.append((name, labels_of(blended), chosen_seconds + frozen_seconds))
            if args.train_epochs:
                tuned_on_train = tuned_logreg(tune_sentence_encoder(train_rows, f"{work}/encoder-train", progress=True), train_rows)
                weight, val_note = blend_weight(probabilities(fine_tuned, val), probabilities(tuned_on_train, val), val)
                minutes = (fine_tune_seconds + tune_seconds + fit_seconds) / 60
                name = f"fine-tune + tuned LR ({minutes:.1f} min; weight {weight:.2f}; {val_note})"
                blended = weight * fine_tuned_test + (1 - weight) * tuned_test
                results.append((name, labels_of(blended), fine_tuned_seconds + tuned_predict_seconds))

    svm_test, svm_seconds = timed(lambda: list(fit_per_target(ngram_svm, train_rows + val).predict(pairs(test))))
    results.append(("per-target TF-IDF + LinearSVC (baseline)", svm_test, svm_seconds))

    print(f"TweetEval stance test, {len(test)} tweets; score = mean F1 of favor and against (x100)")
    print(f"{'system':80}{'score':>7}{'macro-F1':>10}{'seconds':>9}")
    for name, predicted, system_seconds in results:
        scores = scores_of(test, predicted)
        print(f"{name:80}{100 * scores['f1_support_oppose']:>7.1f}{100 * scores['macro_f1']:>10.1f}{system_seconds:>9.1f}")
    for name, score in LEADERBOARD.items():
        print(f"{name + ' (published)':80}{score:>7.1f}")


if __name__ == "__main__":
    main()
