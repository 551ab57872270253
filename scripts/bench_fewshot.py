"""Few labelled comments: which way of training gives the best model from 50, 200 or 500 of them?

For each real set and sample size, one seeded sample of its train split trains four models, scored
on (a seeded sample of) its validation split by macro-F1 over the set's labels:

- ``full``: plain fine-tuning of the bare base model (``stance train``'s default);
- ``contrastive``: SetFit's pair step first, then the same fine-tuning (``--method contrastive``);
- ``full from default`` and ``contrastive from default``: the same, starting from the bundled
  model's encoder (``--base-model models/default``).

Beside them, the start model untouched (with the set's labels only: its other labels' scores dropped).

Each run takes about the same number of optimiser steps (``--steps``), so a small sample gets more
epochs. Only train and validation splits are read.

    python -m scripts.bench_fewshot [--sizes 50,200,500] [--sets pstance,perspectrum,tweeteval] [--default DIR]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from scripts.shared_data import perspectrum, pstance, tweeteval
from stance.core.metrics import headline_scores
from stance.model.classifier import StanceClassifier
from stance.model.storage import default_model_path
from stance.training.config import TrainingConfig
from stance.training.trainer import train

SETS = {
    "pstance": lambda split: pstance(split, 600 if split == "val" else None),
    "perspectrum": lambda split: perspectrum(split, 600 if split == "val" else None),
    "tweeteval": tweeteval,
}
METHODS = {
    "full": ("full", False),
    "contrastive": ("contrastive", False),
    "full from default": ("full", True),
    "contrastive from default": ("contrastive", True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200,500")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated, from: " + ", ".join(METHODS))
    parser.add_argument("--steps", type=int, default=120, help="optimiser steps per run (batch 16)")
    parser.add_argument("--default", default=None, help="the trained model to start from (default: the bundled one)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = args.default or default_model_path()
    methods = [name.strip() for name in args.methods.split(",")]

    print(f"start for 'from default': {start}; {args.steps} steps per run")
    print(f"{'set':12}{'n':>5}" + "".join(f"{name:>28}" for name in methods))
    untouched = StanceClassifier.from_pretrained(start)
    for set_name in args.sets.split(","):
        train_rows, val_rows = SETS[set_name]("train"), SETS[set_name]("val")
        labels = sorted({r.label for r in val_rows})
        probabilities = untouched.predict_proba([r.text for r in val_rows], [r.target for r in val_rows])
        columns = [untouched.labels.index(label) for label in labels]
        predicted = [labels[i] for i in probabilities[:, columns].argmax(axis=1)]
        score = headline_scores([r.label for r in val_rows], predicted, labels)["macro_f1"]
        print(f"{set_name:12}{0:>5}" + f"{f'start model untouched: {100 * score:.1f}':>56}", flush=True)
        for size in (int(n) for n in args.sizes.split(",")):
            sample = random.Random(args.seed).sample(train_rows, size)
            cells = []
            for name in methods:
                method, from_default = METHODS[name]
                config = TrainingConfig(
                    base_model=start if from_default else TrainingConfig.base_model,
                    method=method, epochs=args.steps * 16 / size, seed=args.seed,
                )
                started = time.perf_counter()
                with tempfile.TemporaryDirectory() as work:
                    # the best epoch is chosen on 10 % of the sample, as `stance train` does without --validation
                    train(sample, Path(work) / "model", config)
                    model = StanceClassifier.from_pretrained(Path(work) / "model")
                    predicted = [p.label for p in model.predict([r.text for r in val_rows], [r.target for r in val_rows])]
                score = headline_scores([r.label for r in val_rows], predicted, labels)["macro_f1"]
                cells.append(f"{100 * score:.1f} ({(time.perf_counter() - started) / 60:.1f} min)")
            print(f"{set_name:12}{size:>5}" + "".join(f"{cell:>28}" for cell in cells), flush=True)


if __name__ == "__main__":
    main()
