"""Score stance systems on the TweetEval stance test split, beside a per-target TF-IDF + LinearSVC baseline.

The official score is the mean of F1(against) and F1(favor) over all test rows (our labels: oppose and
support). Every run scores the given model (by default the bundled models/default, which saw TweetEval
train and val, never test) and two per-target linear systems trained on train + val in the same run:
the baseline, and word/character n-grams beside the base model's sentence embedding with logistic
regression (``stance.baseline.ngram_embedding_logreg``, its settings chosen by cross-validation on
train + val).

- ``--train-epochs N`` also fine-tunes the base model on TweetEval train with our training code (val
  for choosing the epoch) and scores that model.
- ``--contrastive`` also tunes the encoder on train + val (``stance.sentence_embeddings.tune_sentence_encoder``,
  SetFit's contrastive step: same label under the same target pulled together) and scores the n-gram +
  embedding system on that encoder, alone and averaged with the frozen-embedding system (``TUNED_WEIGHT``,
  chosen by cross-validation on train + val in an exploration run). With ``--train-epochs`` too, it scores
  the fine-tune's probabilities averaged with that system's: everything trained on TweetEval alone, the
  time to train it printed (choosing its weight tunes a second encoder, on train alone: not counted).
- ``--ensemble`` also scores the given model's probabilities averaged with the n-gram + embedding system's.

The weights of the last two averages are chosen on val, with the linear system (and its encoder) fit on
train alone for that choice, then refit on train + val for test. Every score counts a model's mixed as
neutral (``systems.probabilities``). The seconds column is the time to predict test, plus the time to
fit a linear system whose training time is not in its name.

    python scripts/bench_tweeteval.py [--model DIR] [--train-epochs 4] [--contrastive] [--ensemble]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

from shared_data import tweeteval
from systems import fit_per_target, labels_of, pairs, probabilities, scores_of, timed

from stance.baseline import PerTargetClassifier, ngram_embedding_logreg, ngram_svm
from stance.classifier import StanceClassifier
from stance.data import LabelledComment
from stance.sentence_embeddings import tune_sentence_encoder
from stance.training import TrainingConfig, train

# The tuned system's weight when averaged with the frozen-embedding one: best of 0, 0.1, ..., 1 in 3-fold
# cross-validation on train + val with the encoder tuned in each fold (an exploration run, not this script).
TUNED_WEIGHT = 0.4
LEADERBOARD = {"TimeLMs (leaderboard best)": 72.9, "BERTweet": 71.2, "RoBERTa-base": 68.0, "SVM (SemEval)": 67.3}


def blend_weight(model_val: np.ndarray, linear_val: np.ndarray, val: list[LabelledComment]) -> tuple[float, str]:
    """The model's weight in ``weight * model + (1 - weight) * linear`` (steps of 0.05) that scores best
    on val, and a note of that val score beside the linear system's alone."""
    def val_score(weight: float) -> float:
        return scores_of(val, labels_of(weight * model_val + (1 - weight) * linear_val))["f1_support_oppose"]

    weight = float(max(np.linspace(0, 1, 21), key=val_score))
    return weight, f"val {100 * val_score(weight):.1f}, LR alone {100 * val_score(0):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--train-epochs", type=float, default=0, help="also fine-tune a TweetEval-only model for N epochs")
    parser.add_argument("--ensemble", action="store_true", help="also score the model averaged with a per-target linear model")
    parser.add_argument("--contrastive", action="store_true",
                        help="also score the per-target linear model on an encoder contrastively tuned on train + val")
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

        if args.contrastive:
            def tuned_linear(rows: list[LabelledComment], name: str) -> PerTargetClassifier:
                encoder = tune_sentence_encoder(rows, f"{work}/{name}", progress=True)
                return fit_per_target(lambda: ngram_embedding_logreg(str(encoder)), rows)

            tuned, tuned_seconds = timed(lambda: tuned_linear(train_rows + val, "encoder"))
            tuned_test, tuned_predict_seconds = timed(lambda: probabilities(tuned, test))
            name = f"same, encoder tuned contrastively ({tuned_seconds / 60:.1f} min)"
            results.append((name, labels_of(tuned_test), tuned_predict_seconds))
            blended = TUNED_WEIGHT * tuned_test + (1 - TUNED_WEIGHT) * frozen_test
            name = f"tuned LR + frozen LR (tuned weight {TUNED_WEIGHT:.2f}, chosen by cross-validation)"
            results.append((name, labels_of(blended), tuned_predict_seconds + frozen_seconds))
            if args.train_epochs:
                tuned_on_train = tuned_linear(train_rows, "encoder-train")
                weight, val_note = blend_weight(probabilities(fine_tuned, val), probabilities(tuned_on_train, val), val)
                minutes = (fine_tune_seconds + tuned_seconds) / 60
                name = f"fine-tune + tuned LR ({minutes:.1f} min; weight {weight:.2f}; {val_note})"
                blended = weight * fine_tuned_test + (1 - weight) * tuned_test
                results.append((name, labels_of(blended), fine_tuned_seconds + tuned_predict_seconds))

    svm_test, svm_seconds = timed(lambda: list(fit_per_target(ngram_svm, train_rows + val).predict(pairs(test))))
    results.append(("per-target TF-IDF + LinearSVC (baseline)", svm_test, svm_seconds))

    print(f"TweetEval stance test, {len(test)} tweets; score = mean F1 of favor and against (x100)")
    print(f"{'system':72}{'score':>7}{'macro-F1':>10}{'seconds':>9}")
    for name, predicted, system_seconds in results:
        scores = scores_of(test, predicted)
        print(f"{name:72}{100 * scores['f1_support_oppose']:>7.1f}{100 * scores['macro_f1']:>10.1f}{system_seconds:>9.1f}")
    for name, score in LEADERBOARD.items():
        print(f"{name + ' (published)':72}{score:>7.1f}")


if __name__ == "__main__":
    main()
