"""Sentiment figures of the default model beside VADER and a TF-IDF + logistic regression, in one run.

- TweetEval sentiment test (12,284 tweets), its official metric: macro-averaged recall over
  negative/neutral/positive. The model reads each tweet without a target. Two columns: "as is"
  counts a `mixed` prediction as a miss (TweetEval has no mixed); "3 labels" takes the most probable
  of the set's three labels, as a scorer for this set would. VADER uses its documented compound
  thresholds (>= 0.05 positive, <= -0.05 negative); TF-IDF + LR is trained on the train split here
  (TweetEval's is a rebuilt stand-in, see its SOURCE.md). Leaderboard rows are cited, not run.
- data/test sentiment (our comments, four labels): macro-F1 and F1(mixed).
- FanChuan English test (real Reddit/TikTok/forum comments, sentiment toward the thread's subject):
  macro-F1, the subject as target.
- GoEmotions test (real Reddit comments; raters' emotions grouped by sentiment, positive and negative
  together as mixed; the "ambiguous" ones left out): macro-F1 over the four labels and F1(mixed). Not
  the paper's multi-label setting.
- With --throughput N: comments per second of `predict` on N distinct comments, both heads against
  the stance head alone (the same model with its sentiment head left out), same precision, same run.

    python -m scripts.bench_sentiment [--model DIR] [--precision auto] [--throughput 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence

import numpy as np

from scripts.shared_data import corpus_split, fanchuan, goemotions, tweeteval_sentiment
from stance.core.labelled import LabelledComment
from stance.evaluation.baselines import tfidf_logreg
from stance.model.classifier import StanceClassifier

LEADERBOARD = {"TimeLMs-2021": 73.7, "BERTweet": 73.4, "RoBERTa-base": 71.3, "FastText": 62.9, "SVM": 62.9}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--precision", default="auto", help="auto (the path `stance info` names), fp32, bf16 or int8")
    parser.add_argument("--throughput", type=int, default=0, help="also time N distinct comments, both heads vs stance only")
    args = parser.parse_args()

    classifier = StanceClassifier.from_pretrained(args.model, precision=args.precision)
    print(f"model {args.model or 'default'} ({classifier.precision}), tasks {', '.join(classifier.tasks)}")
    vader = _vader()

    test = tweeteval_sentiment("test")
    labels = ["negative", "neutral", "positive"]
    gold = [row.sentiment for row in test]
    as_is, three = _model_sentiment(classifier, test, labels)
    tfidf = _tfidf(tweeteval_sentiment("train"), test)
    print(f"\nTweetEval sentiment test ({len(test)} tweets), macro-averaged recall (official metric)")
    for name, value in [
        ("stance default model, as is", _recall(gold, as_is, labels)),
        ("stance default model, 3 labels", _recall(gold, three, labels)),
        ("VADER (vaderSentiment 3.3.2)", _recall(gold, [vader(row.text) for row in test], labels)),
        ("TF-IDF + LR (trained on train)", _recall(gold, tfidf, labels)),
        *((f"{name} (leaderboard, cited)", value / 100) for name, value in LEADERBOARD.items()),
    ]:
        print(f"  {name:42} {100 * value:5.1f}")

    for title, train_rows, test_rows in (
        ("data/test sentiment", corpus_split("train"), corpus_split("test")),
        ("FanChuan English test", fanchuan("train"), fanchuan("test")),
        ("GoEmotions test", goemotions("train"), goemotions("test")),
    ):
        gold = [row.sentiment for row in test_rows]
        present = sorted(set(gold))
        as_is, _ = _model_sentiment(classifier, test_rows, present)
        systems = {
            "stance default model": as_is,
            "VADER": [vader(row.text) for row in test_rows],
            "TF-IDF + LR (trained on train)": _tfidf(train_rows, test_rows),
        }
        print(f"\n{title} ({len(test_rows)} comments): macro-F1" + (", F1 mixed" if "mixed" in present else ""))
        for name, predicted in systems.items():
            f1 = _f1(gold, predicted, present)
            mixed = f"  {100 * f1['mixed']:5.1f}" if "mixed" in present else ""
            print(f"  {name:42} {100 * np.mean(list(f1.values())):5.1f}{mixed}")

    if args.throughput:
        _throughput(classifier, args, args.throughput)


def _model_sentiment(classifier: StanceClassifier, rows: Sequence[LabelledComment], labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """The model's sentiment labels as it gives them, and restricted to ``labels``."""
    probabilities = classifier.predict_proba([row.text for row in rows], [row.target for row in rows], task="sentiment")
    names = classifier.tasks["sentiment"]
    as_is = [names[i] for i in probabilities.argmax(axis=1)]
    columns = [names.index(label) for label in labels]
    restricted = [labels[i] for i in probabilities[:, columns].argmax(axis=1)]
    return as_is, restricted


def _tfidf(train_rows: Sequence[LabelledComment], test_rows: Sequence[LabelledComment]) -> list[str]:
    model = tfidf_logreg().fit([row.text for row in train_rows], [row.sentiment for row in train_rows])
    return [str(label) for label in model.predict([row.text for row in test_rows])]


def _vader() -> Callable[[str], str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def label(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

    return label


def _recall(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    from sklearn.metrics import recall_score

    return float(recall_score(gold, predicted, labels=list(labels), average="macro", zero_division=0))


def _f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    return dict(zip(labels, f1_score(gold, predicted, labels=list(labels), average=None, zero_division=0)))


def _throughput(classifier: StanceClassifier, args: argparse.Namespace, n: int) -> None:
    """Comments per second of both heads and of the stance head alone, on the same ``n`` distinct comments."""
    comments = list(dict.fromkeys(row.text for row in tweeteval_sentiment("train")))[:n]
    target = "The council will run buses until 2am on weekends"
    with tempfile.TemporaryDirectory() as tmp:
        StanceClassifier.from_pretrained(args.model).only("stance").save_pretrained(tmp)
        systems = {
            "both heads": classifier,
            "stance head only": StanceClassifier.from_pretrained(tmp, precision=args.precision),
        }
        systems["stance head only"].predict(comments[:64], target)  # warm both, as classify runs would be
        classifier.predict(comments[:64], target)
        rates = {}
        for name, system in systems.items():
            started = time.perf_counter()
            system.predict(comments, target)
            rates[name] = len(comments) / (time.perf_counter() - started)
    print(f"\nthroughput on {len(comments)} distinct comments ({classifier.precision}), comments per second")
    for name, rate in rates.items():
        print(f"  {name:42} {rate:7.1f}")
    print(f"  both heads / stance only                   {rates['both heads'] / rates['stance head only']:7.3f}")


if __name__ == "__main__":
    main()
