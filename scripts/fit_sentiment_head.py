"""Give a trained stance model a sentiment head without touching its encoder or stance head.

The head is fitted on frozen features: the tensor the model's own head reads, for every window of
the sentiment training comments (our corpus with both labels, a sample of TweetEval sentiment train,
FanChuan English train), by class-balanced multinomial logistic regression (scikit-learn); its
coefficients become the head's linear layer. The stance figures cannot move, and the fit takes
minutes on a CPU where fine-tuning both heads takes half an hour an epoch.

    python -m scripts.fit_sentiment_head --model models/default --output /tmp/with-sentiment
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from scripts.shared_data import corpus_split, fanchuan, tweeteval_sentiment
from stance.core.labelled import LabelledComment
from stance.core.labels import SENTIMENT_LABELS
from stance.core.metrics import headline_scores
from stance.model.classifier import StanceClassifier
from stance.model.heads import TaskHead, head_attribute, new_head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/default")
    parser.add_argument("--output", required=True)
    parser.add_argument("--tweeteval-sentiment-rows", type=int, default=4000)
    parser.add_argument("--corpus-repeat", type=int, default=2, help="weight of our corpus (the target domain)")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength of the logistic regression")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    stance = StanceClassifier.from_pretrained(args.model)
    rows = corpus_split("train") * args.corpus_repeat + tweeteval_sentiment("train", args.tweeteval_sentiment_rows) + fanchuan("train")
    rows = [row for row in rows if row.sentiment is not None]
    labels = [label for label in SENTIMENT_LABELS if any(row.sentiment == label for row in rows)]
    features, owners = _head_inputs(stance, rows)
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=args.c, max_iter=3000, class_weight="balanced")
    fit.fit(features, [rows[i].sentiment for i in owners])
    head = _linear_head(stance, fit, labels)
    both = StanceClassifier(
        stance.model, stance.tokenizer, heads={"sentiment": TaskHead(labels, head)}, max_length=stance.max_length,
        max_target_tokens=stance.max_target_tokens, stride=stance.stride, base_model=stance.base_model,
        temperature={"stance": stance.temperature, "sentiment": 1.0},
    )
    storage = "delta" if (_is_compact(args.model)) else "full"
    if args.force:
        import shutil

        shutil.rmtree(args.output, ignore_errors=True)
    card = _card(args.model, rows, labels)
    both.save_pretrained(args.output, storage=storage, card=card)
    print(f"fitted on {len(rows)} comments ({len(owners)} windows) in {(time.perf_counter() - started) / 60:.1f} min")
    reloaded = StanceClassifier.from_pretrained(args.output)
    for name, val in (("corpus dev", corpus_split("dev")), ("TweetEval sentiment val", tweeteval_sentiment("val", 500)),
                      ("FanChuan val", fanchuan("val", 500))):
        val = [row for row in val if row.sentiment is not None]
        predicted = [p.sentiment for p in reloaded.predict([r.text for r in val], [r.target for r in val])]
        gold = [r.sentiment for r in val]
        scores = headline_scores(gold, predicted, sorted(set(gold)))
        print(f"validation {name} sentiment:", {k: round(v, 4) for k, v in scores.items()})


def _head_inputs(classifier: StanceClassifier, rows: list[LabelledComment]) -> tuple[np.ndarray, list[int]]:
    """What the model's own head reads for every window of ``rows``, and the row each window is from."""
    import torch

    windows, owners, _ = classifier.encode_windows([r.text for r in rows], [r.target for r in rows])
    model = classifier.model
    captured: list[np.ndarray] = []
    handle = getattr(model, head_attribute(model)).register_forward_hook(
        lambda _m, args, _o: captured.append(args[0].float().cpu().numpy())
    )
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]["input_ids"]))
    try:
        with torch.inference_mode():
            for start in range(0, len(order), 64):
                batch = order[start : start + 64]
                inputs = classifier.windows.pad([windows[i] for i in batch])
                model(**{name: torch.from_numpy(array) for name, array in inputs.items()})
    finally:
        handle.remove()
    features = np.zeros((len(windows), captured[0].shape[1]), dtype=np.float32)
    features[order] = np.concatenate(captured)
    return features, owners.tolist()


def _linear_head(classifier: StanceClassifier, fit: object, labels: list[str]) -> object:
    """A new head for ``labels`` whose output layer holds the regression's coefficients."""
    import torch

    head = new_head(classifier.model, len(labels))
    order = [list(fit.classes_).index(label) for label in labels]
    with torch.no_grad():
        head.weight.copy_(torch.tensor(fit.coef_[order], dtype=head.weight.dtype))
        head.bias.copy_(torch.tensor(fit.intercept_[order], dtype=head.bias.dtype))
    return head


def _is_compact(model: str) -> bool:
    from pathlib import Path

    return (Path(model) / "delta.safetensors").exists()


def _card(model: str, rows: list[LabelledComment], labels: list[str]) -> str:
    from collections import Counter
    from pathlib import Path

    stance_card = (Path(model) / "README.md").read_text(encoding="utf-8") if (Path(model) / "README.md").exists() else ""
    counts = dict(Counter(row.sentiment for row in rows))
    return stance_card + (
        "\n## Sentiment head\n\n"
        f"Labels: {', '.join(f'`{label}`' for label in labels)}, in `heads.safetensors`. Fitted by "
        "`scripts/fit_sentiment_head.py` on the frozen features the stance head reads (class-balanced logistic "
        f"regression): {len(rows)} comments ({counts}) from our corpus (train, x2), a sample of TweetEval "
        "sentiment train and FanChuan English train. The encoder and stance head are unchanged.\n"
    )


if __name__ == "__main__":
    main()
