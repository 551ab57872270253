"""Does reading the comment replied to help? Reply context measured on the real sets that give parents.

Two fine-tunes of the same start (the bundled model, ``--init-from``) on the same comments, one epoch,
the same seed: one reads each reply alone, the other reads it after the comment it answers (the
model's ``reply_context``). Training: a sample of IAC 4forums train (stance: the author's side, so a
reply that attacks a pro post is likely anti) and FanChuan English train (sentiment toward the
thread's subject), with data/real's train comments (no parents; they hold the mixed labels that
keep the start model's head). Scored on the validation splits, over all comments and over the replies alone;
the start model, untouched, is the baseline. No test split is read.

    python -m scripts.bench_replies [--iac-rows 3000] [--epochs 1] [--default DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from scripts.shared_data import fanchuan, iac, real
from scripts.train_default import SPACES
from stance.core.labelled import LabelledComment
from stance.core.metrics import headline_scores
from stance.model.classifier import StanceClassifier
from stance.model.storage import default_model_path
from stance.training.config import TrainingConfig
from stance.training.trainer import train

MAX_WORDS = 120  # the start of long IAC posts, as train_default.py reads them


def scores(classifier: StanceClassifier, rows: list[LabelledComment], task: str, with_parents: bool) -> tuple[float, float]:
    """Macro-F1 of ``task`` over the set's labels, on all ``rows`` and on the replies among them."""
    predictions = classifier.predict(
        [r.text for r in rows], [r.target for r in rows], parents=[r.parent for r in rows] if with_parents else None
    )
    labels = sorted({r.gold(task) for r in rows})
    predicted = [p.label_for(task) for p in predictions]
    replies = [i for i, r in enumerate(rows) if r.parent]
    every = headline_scores([r.gold(task) for r in rows], predicted, labels)["macro_f1"]
    among_replies = headline_scores([rows[i].gold(task) for i in replies], [predicted[i] for i in replies], labels)["macro_f1"]
    return 100 * every, 100 * among_replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iac-rows", type=int, default=3000, help="sample of IAC 4forums train")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--learning-rate", type=float, default=4e-5)
    parser.add_argument("--default", default=None, help="the trained model to start from (default: the bundled one)")
    parser.add_argument("--keep", default=None, help="a folder to keep the two fine-tuned models in (default: a temporary one)")
    args = parser.parse_args()
    start = str(args.default or default_model_path())

    training = [replace(r, label_space=SPACES["iac"]) for r in iac("train", args.iac_rows, max_words=MAX_WORDS, parents=True)]
    training += [replace(r, label_space=SPACES["fanchuan"]) for r in fanchuan("train", parents=True)]
    training += real("train")
    validation = {
        "IAC val (stance)": (iac("val", max_words=MAX_WORDS, parents=True), "stance"),
        "FanChuan val (sentiment)": (fanchuan("val", parents=True), "sentiment"),
    }
    print(f"start: {start}; {len(training)} training comments ({sum(bool(r.parent) for r in training)} replies with their "
          f"parent), {args.epochs:g} epoch(s)")
    models = {"start model, untouched": (start, False)}
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or scratch
        for name, folder, with_parents in (("fine-tuned, replies alone", "alone", False), ("fine-tuned, reading parents", "parents", True)):
            rows = training if with_parents else [replace(r, parent="") for r in training]
            config = TrainingConfig(init_from=start, epochs=args.epochs, learning_rate=args.learning_rate)
            started = time.perf_counter()
            # the best checkpoint is chosen on 10 % of the training comments, as `stance train` does
            train(rows, Path(work) / folder, config)
            print(f"trained '{name}' in {(time.perf_counter() - started) / 60:.1f} min", flush=True)
            models[name] = (str(Path(work) / folder), with_parents)
        print(f"\n{'model':32}" + "".join(f"{set_name + ': all / replies':>42}" for set_name in validation))
        for name, (path, with_parents) in models.items():
            classifier = StanceClassifier.from_pretrained(path)
            cells = [scores(classifier, rows, task, with_parents) for rows, task in validation.values()]
            print(f"{name:32}" + "".join(f"{f'{every:.1f} / {replies:.1f}':>42}" for every, replies in cells), flush=True)


if __name__ == "__main__":
    main()
