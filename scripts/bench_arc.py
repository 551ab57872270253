"""Score stance systems on ARC validation (real NYT reader comments against claims), beside per-claim baselines.

ARC val is the part of ../shared/benchmarks/arc/train.jsonl that ``shared_data.arc`` splits off by
body_id (351 comments, every claim also met in the train part); the score is macro-F1 over support,
oppose and neutral (ARC's agree, disagree, discuss). Every run scores the given model (by default the
bundled models/default, which trained on the ARC train part; a model's mixed counts as neutral) and,
fit in the same run on the ARC train part, a TF-IDF + logistic regression over all claims, one
n-gram SVM per claim (the baseline) and one n-gram + sentence-embedding logistic regression per claim.

- ``--train-epochs N`` also fine-tunes the base model on the ARC train part alone with our training
  code, reading ``--max-length`` tokens of each pair (10 % of the train part held out to choose the
  epoch; ARC val is never seen) and scores it.
- ``--contrastive`` also tunes the encoder on the ARC train part (SetFit's contrastive step: comments
  under the same claim with the same stance pulled together, other stances pushed apart; the first
  128 tokens of each) and scores the per-claim n-gram + embedding system on it, as
  ``bench_tweeteval.py --contrastive`` does for TweetEval.

    python -m scripts.bench_arc [--model DIR] [--train-epochs 3 --max-length 256] [--contrastive]
"""

from __future__ import annotations

import argparse
import tempfile

from scripts.sentence_embeddings import ContrastiveConfig, tune_sentence_encoder
from scripts.shared_data import arc
from scripts.systems import (
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
from stance.evaluation.baselines import tfidf_logreg
from stance.model.classifier import StanceClassifier
from stance.training.config import TrainingConfig
from stance.training.trainer import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--train-epochs", type=float, default=0, help="also fine-tune an ARC-only model for N epochs")
    parser.add_argument("--max-length", type=int, default=256, help="tokens per window of that fine-tune")
    parser.add_argument("--contrastive", action="store_true",
                        help="also score the per-claim linear model on an encoder contrastively tuned on the ARC train part")
    args = parser.parse_args()

    train_rows, val = arc("train"), arc("val")
    # name, val labels, seconds (fitting a linear system and predicting; a model's training time is in its name)
    results: list[tuple[str, list[str], float]] = []

    model_val, seconds = timed(lambda: probabilities(StanceClassifier.from_pretrained(args.model), val))
    results.append(("stance model " + (args.model or "models/default"), labels_of(model_val), seconds))
    with tempfile.TemporaryDirectory() as work:
        if args.train_epochs:
            config = TrainingConfig(epochs=args.train_epochs, max_length=args.max_length, max_target_tokens=32)
            trained, train_seconds = timed(lambda: train(train_rows, f"{work}/model", config))
            fine_tuned_val, seconds = timed(lambda: probabilities(StanceClassifier.from_pretrained(str(trained.output_dir)), val))
            name = f"stance fine-tune on ARC, {args.max_length} tokens ({train_seconds / 60:.1f} min)"
            results.append((name, labels_of(fine_tuned_val), seconds))
        if args.contrastive:
            config = ContrastiveConfig(max_length=128)
            encoder, tune_seconds = timed(lambda: tune_sentence_encoder(train_rows, f"{work}/encoder", config, progress=True))
            tuned_val, seconds = timed(lambda: probabilities(tuned_logreg(encoder, train_rows), val))
            name = f"per-claim n-grams + tuned embedding + LR ({tune_seconds / 60:.1f} min)"
            results.append((name, labels_of(tuned_val), seconds))

    texts, labels = [r.text for r in train_rows], [r.label for r in train_rows]
    all_claims, seconds = timed(lambda: list(tfidf_logreg().fit(texts, labels).predict([r.text for r in val])))
    results.append(("TF-IDF + LR, all claims (stance evaluate's baseline)", all_claims, seconds))
    per_claim_val, seconds = timed(lambda: probabilities(fit_per_target(ngram_embedding_logreg, train_rows), val))
    results.append(("per-claim n-grams + MiniLM embedding + LR", labels_of(per_claim_val), seconds))
    svm_val, seconds = timed(lambda: list(fit_per_target(ngram_svm, train_rows).predict(pairs(val))))
    results.append(("per-claim TF-IDF + LinearSVC (baseline)", svm_val, seconds))

    print(f"ARC val, {len(val)} comments under {len({r.target for r in val})} claims; "
          f"trained on {len(train_rows)} comments; score = macro-F1 over support, oppose, neutral (x100)")
    print(f"{'system':60}{'macro-F1':>9}{'F1 sup/opp':>11}{'seconds':>9}")
    for name, predicted, system_seconds in results:
        scores = scores_of(val, predicted)
        print(f"{name:60}{100 * scores['macro_f1']:>9.1f}{100 * scores['f1_support_oppose']:>11.1f}{system_seconds:>9.1f}")


if __name__ == "__main__":
    main()
