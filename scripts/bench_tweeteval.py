"""Score a stance model on the TweetEval stance test split, beside a per-target TF-IDF + LinearSVC baseline.

The official score is the mean of F1(against) and F1(favor) over all test rows (our labels: oppose and
support). The baseline is trained on train + val in the same run; the model is used as given (by
default the bundled models/default, which saw TweetEval train and val, never test). With
``--train-epochs N`` the script also fine-tunes the base model on TweetEval train with our training
code (val for choosing the epoch) and scores that model too.

    python scripts/bench_tweeteval.py [--model DIR] [--train-epochs 4]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict

from shared_data import tweeteval

from stance.classifier import StanceClassifier
from stance.data import LabelledComment
from stance.metrics import headline_scores
from stance.training import TrainingConfig, train

LEADERBOARD = {"TimeLMs (leaderboard best)": 72.9, "BERTweet": 71.2, "RoBERTa-base": 68.0, "SVM (SemEval)": 67.3}


def per_target_svm(train: list[LabelledComment], test: list[LabelledComment]) -> list[str]:
    """One TF-IDF (word 1-2-grams + char 2-5-grams) + LinearSVC per target, as in the SemEval baselines."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    by_target: dict[str, list[LabelledComment]] = defaultdict(list)
    for row in train:
        by_target[row.target].append(row)
    models = {}
    for target, rows in by_target.items():
        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        )
        models[target] = make_pipeline(features, LinearSVC(C=0.5)).fit([r.text for r in rows], [r.label for r in rows])
    return [str(models[row.target].predict([row.text])[0]) for row in test]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--train-epochs", type=float, default=0, help="also fine-tune a TweetEval-only model for N epochs")
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
    if args.train_epochs:
        with tempfile.TemporaryDirectory() as work:
            started = time.perf_counter()
            config = TrainingConfig(epochs=args.train_epochs, max_length=96, max_target_tokens=16, learning_rate=6e-5)
            train_result = train(tweeteval("train"), f"{work}/model", config, validation=tweeteval("val"))
            minutes = (time.perf_counter() - started) / 60
            scores, seconds = score_model(str(train_result.output_dir))
            rows.append((f"stance fine-tune on TweetEval ({minutes:.1f} min)", scores, seconds))

    print(f"TweetEval stance test, {len(test)} tweets; score = mean F1 of favor and against (x100)")
    print(f"{'system':44}{'score':>8}{'macro-F1':>10}{'seconds':>9}")
    for name, model, model_seconds in rows:
        print(f"{name:44}{100 * model['f1_support_oppose']:>8.1f}{100 * model['macro_f1']:>10.1f}{model_seconds:>9.1f}")
    print(f"{'per-target TF-IDF + LinearSVC (this run)':44}{100 * baseline['f1_support_oppose']:>8.1f}"
          f"{100 * baseline['macro_f1']:>10.1f}{baseline_seconds:>9.1f}")
    for name, score in LEADERBOARD.items():
        print(f"{name + ' (published)':44}{score:>8.1f}")


if __name__ == "__main__":
    main()
