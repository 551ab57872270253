"""Choosing what to label: simulated rounds of `stance suggest` + `stance train --init-from` on real
labelled pools, each strategy against random, the bundled model untouched and a TF-IDF + LR trained on
the same labels.

    python -m scripts.bench_active [--seeds 3] [--sizes 50,100,200,400] [--pool-rows 2000] [--pools pstance,fanchuan]

Each pool's train split is the unlabelled pool (a seeded sample of --pool-rows), its validation split
the score (never its test split). A round asks `stance.suggest.suggest` (the command's own function)
for the comments that bring the labels up to the next size, "labels" them from the gold, and trains
the bundled model on all the labels so far as `stance train --init-from default` does (its defaults:
4 epochs, the top 3 layers, a tenth held out to keep the best epoch); the next round chooses with
that model. Macro-F1 by each set's measure (bench_real's), mean and spread over the seeds.

The pools, neither in the bundled model's stance training:
- P-Stance: tweets on three politicians (favor/against); the pool is the 11,224 train tweets the
  bundled model never read (its training sampled 6,000 others, scripts/train_default.py's sample).
- FanChuan EN: real Reddit/TikTok/forum comments, stance toward the thread's subject from its
  SOURCE.md mapping; the bundled model's sentiment head saw these comments, its stance head never did.
Every run is kept in ~/.cache/stance/bench_active/runs.jsonl: a killed run continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scripts.bench_real import fanchuan_stance, model_labels, score
from scripts.shared_data import pstance
from stance.core.labelled import LabelledComment
from stance.evaluation.baselines import tfidf_logreg
from stance.io.files import cache_root
from stance.model.classifier import StanceClassifier
from stance.model.precision import vector_precision
from stance.model.runtime import Runtime
from stance.model.storage import default_model_path
from stance.suggest import DEFAULT_STRATEGY, STRATEGIES
from stance.suggest.pool import PoolComment, text_key
from stance.suggest.suggest import suggest
from stance.training.config import TrainingConfig
from stance.training.trainer import train


@dataclass
class Pool:
    name: str
    pool: Callable[[], list[LabelledComment]]  # the unlabelled pool, gold labels kept aside
    score_rows: Callable[[], list[LabelledComment]]
    measure: str  # as bench_real.score


def pstance_unseen() -> list[LabelledComment]:
    """P-Stance train less the 6,000 rows the bundled model trained on (train_default's sample)."""
    seen = {(r.text, r.target) for r in pstance("train", 6000)}
    return [r for r in pstance("train") if (r.text, r.target) not in seen]


POOLS = {
    "pstance": Pool("P-Stance", pstance_unseen, lambda: pstance("val", 1000, seed=1), "per_target"),
    "fanchuan": Pool("FanChuan EN", lambda: fanchuan_stance("train"), lambda: fanchuan_stance("val"), "macro"),
}


def evaluate(model: str, rows: Sequence[LabelledComment], measure: str, runtime: Runtime) -> float:
    classifier = StanceClassifier.from_pretrained(model, runtime=runtime)
    labels = [label for label in ("support", "oppose", "mixed", "neutral") if label in {r.label for r in rows}]
    return 100 * score(measure, rows, model_labels(classifier, rows, labels)[1], labels)


def tfidf_score(labelled: Sequence[LabelledComment], rows: Sequence[LabelledComment], measure: str) -> float:
    labels = [label for label in ("support", "oppose", "mixed", "neutral") if label in {r.label for r in rows}]
    if len({r.label for r in labelled}) < 2:
        return float("nan")
    baseline = tfidf_logreg().fit([r.text for r in labelled], [r.label for r in labelled])
    return 100 * score(measure, rows, list(baseline.predict([r.text for r in rows])), labels)


def one_run(pool: Pool, strategy: str, seed: int, sizes: Sequence[int], pool_rows: int, runtime: Runtime, work: Path) -> list[dict]:
    """The rounds of one strategy and seed: the score after each size of labels."""
    rows = pool.pool()
    rows = random.Random(seed).sample(rows, min(pool_rows, len(rows)))
    gold = {text_key(r.text): r for r in rows}
    comments = [PoolComment(str(i), r.text, r.target) for i, r in enumerate(rows)]
    score_rows = pool.score_rows()
    model, labelled, results = default_model_path(), [], []
    for size in sizes:
        started = time.perf_counter()
        classifier = StanceClassifier.from_pretrained(model, runtime=runtime)
        chosen = suggest(comments, classifier, size - len(labelled), strategy=strategy, exclude={text_key(r.text) for r in labelled}, seed=seed)
        labelled += [gold[text_key(s.comment.text)] for s in chosen]
        output = work / f"{pool.name}-{strategy}-{seed}-{size}".replace(" ", "_")
        config = TrainingConfig(init_from=default_model_path(), seed=seed)
        train([LabelledComment(r.text, r.label, r.target) for r in labelled], output, config, force=True)
        if model != default_model_path():
            shutil.rmtree(model, ignore_errors=True)
        model = str(output)
        result = {"pool": pool.name, "strategy": strategy, "seed": seed, "labels": len(labelled),
                  "macro_f1": evaluate(model, score_rows, pool.measure, runtime),
                  "tfidf": tfidf_score(labelled, score_rows, pool.measure),
                  "label_counts": {label: sum(r.label == label for r in labelled) for label in ("support", "oppose", "neutral")},
                  "seconds": round(time.perf_counter() - started, 1)}
        print(f"  {pool.name} {strategy} seed {seed} {len(labelled)} labels: {result['macro_f1']:.1f} "
              f"(TF-IDF {result['tfidf']:.1f}; {result['label_counts']}; {result['seconds']} s)", flush=True)
        results.append(result)
    shutil.rmtree(model, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sizes", default="50,100,200,400")
    parser.add_argument("--pool-rows", type=int, default=2000)
    parser.add_argument("--pools", default=",".join(POOLS))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--runs", default=str(cache_root() / "bench_active" / "runs.jsonl"), help="where each run is kept (resumable)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    runtime = Runtime(precision=vector_precision("auto"))
    runs_path = Path(args.runs)
    runs_path.parent.mkdir(parents=True, exist_ok=True)
    done = [json.loads(line) for line in runs_path.read_text().splitlines()] if runs_path.exists() else []
    print(f"bench_active: sizes {sizes}, {args.seeds} seeds, pool of {args.pool_rows}, {runtime.precision}; runs kept in {runs_path}")
    with tempfile.TemporaryDirectory(prefix="bench-active-", dir=runs_path.parent) as tmp:
        for key in args.pools.split(","):
            pool = POOLS[key]
            for seed in range(args.seeds):
                for strategy in args.strategies.split(","):
                    if any(r["pool"] == pool.name and r["strategy"] == strategy and r["seed"] == seed and r["labels"] == sizes[-1] for r in done):
                        continue
                    results = one_run(pool, strategy, seed, sizes, args.pool_rows, runtime, Path(tmp))
                    with runs_path.open("a") as handle:
                        handle.writelines(json.dumps(r) + "\n" for r in results)
                    done += results
    report(done, sizes, args, runtime)


def report(done: list[dict], sizes: Sequence[int], args: argparse.Namespace, runtime: Runtime) -> None:
    """The table: each strategy's mean (spread) after each size, the bundled model and TF-IDF beside, and the goals."""
    for key in args.pools.split(","):
        pool = POOLS[key]
        untouched = evaluate(default_model_path(), pool.score_rows(), pool.measure, runtime)
        print(f"\n{pool.name} ({'per-target F1 favor/against' if pool.measure == 'per_target' else 'macro-F1'} on validation); "
              f"bundled model untouched: {untouched:.1f}")
        print(f"{'strategy':14}" + "".join(f"{size:>14}" for size in sizes) + f"{'TF-IDF@200':>12}   (TF-IDF@200: TF-IDF + LR on its 200 labels)")
        means: dict[str, dict[int, float]] = {}
        for strategy in args.strategies.split(","):
            cells, tfidf = [], []
            for size in sizes:
                values = [r["macro_f1"] for r in done if r["pool"] == pool.name and r["strategy"] == strategy and r["labels"] == size]
                means.setdefault(strategy, {})[size] = float(np.mean(values)) if values else float("nan")
                cells.append(f"{np.mean(values):.1f} ±{np.std(values):.1f}" if values else "-")
                if size == 200:
                    tfidf = [r["tfidf"] for r in done if r["pool"] == pool.name and r["strategy"] == strategy and r["labels"] == size]
            print(f"{strategy:14}" + "".join(f"{cell:>14}" for cell in cells) + (f"{np.mean(tfidf):>12.1f}" if tfidf else f"{'-':>12}"))
        baseline = [[r["tfidf"] for r in done if r["pool"] == pool.name and r["strategy"] == "random" and r["labels"] == size] for size in sizes]
        print(f"{'TF-IDF + LR':14}" + "".join(f"{np.mean(v):>9.1f} ±{np.std(v):.1f}" if v else f"{'-':>14}" for v in baseline)
              + "   (on random's labels)")
        chance = means.get("random", {})
        for strategy, scores in means.items():
            if 200 not in scores:
                continue
            tfidf200 = np.mean([r["tfidf"] for r in done if r["pool"] == pool.name and r["strategy"] == strategy and r["labels"] == 200])
            reached = next((size for size in sizes if size <= 200 and scores[size] >= chance.get(400, float("inf"))), None)
            print(f"{strategy}{' (default)' if strategy == DEFAULT_STRATEGY else ''}: random's 400-label score ({chance.get(400, float('nan')):.1f}) "
                  f"with at most 200 labels: {'yes, ' + str(reached) if reached else 'no'}; after 200 ({scores[200]:.1f}) above the "
                  f"untouched model ({untouched:.1f}) and TF-IDF + LR on the same labels ({tfidf200:.1f}): "
                  f"{'yes' if scores[200] > max(untouched, tfidf200) else 'no'}")

if __name__ == "__main__":
    main()
