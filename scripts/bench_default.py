"""Score the shipped default model on each validation source, on data/test.jsonl and on the seed page,
beside a TF-IDF + logistic-regression baseline trained in the same run on the same training rows.

    python -m scripts.bench_default [--model DIR] [--full DIR]

``--full DIR`` also reports how often the model agrees with a full (uncompacted) model directory.
"""

from __future__ import annotations

import argparse

from scripts.shared_data import arc, corpus_split, seed_page_line, tweeteval
from stance.core.metrics import headline_scores
from stance.evaluation.baselines import tfidf_logreg
from stance.model.classifier import StanceClassifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--full", default=None, help="full model directory to compare labels with")
    args = parser.parse_args()

    training = corpus_split("train") * 2 + arc("train", max_words=100) + tweeteval("train")
    baseline = tfidf_logreg().fit([r.text for r in training], [r.label for r in training])
    classifier = StanceClassifier.from_pretrained(args.model)
    sets = {"data/dev": corpus_split("dev"), "ARC val": arc("val"), "TweetEval val": tweeteval("val"),
            "data/test": corpus_split("test")}
    sets["all validation"] = sets["data/dev"] + sets["ARC val"] + sets["TweetEval val"]

    print(f"{'set':16}{'rows':>6}{'macro-F1':>10}{'F1 mixed':>10}{'F1 sup/opp':>12}{'TF-IDF+LR macro-F1':>20}")
    for name, rows in sets.items():
        gold = [r.label for r in rows]
        labels = [label for label in classifier.labels if label in set(gold)]
        model = headline_scores(gold, [p.label for p in classifier.predict([r.text for r in rows], [r.target for r in rows])], labels)
        base = headline_scores(gold, list(baseline.predict([r.text for r in rows])), labels)
        mixed = f"{100 * model['f1_mixed']:.1f}" if "f1_mixed" in model else "-"
        print(f"{name:16}{len(rows):>6}{100 * model['macro_f1']:>10.1f}{mixed:>10}"
              f"{100 * model['f1_support_oppose']:>12.1f}{100 * base['macro_f1']:>20.1f}")

    if seed := seed_page_line(classifier):
        print(seed)

    if args.full:
        rows = sets["all validation"]
        texts, targets = [r.text for r in rows], [r.target for r in rows]
        full = StanceClassifier.from_pretrained(args.full).predict_proba(texts, targets).argmax(1)
        compact = classifier.predict_proba(texts, targets).argmax(1)
        print(f"label agreement with {args.full} on all validation: {100 * (full == compact).mean():.1f} %")


if __name__ == "__main__":
    main()
