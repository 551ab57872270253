"""Classification speed and faithfulness: the transformers pipeline (batch 1 and 32) beside our fp32 path and
our fast paths (bf16 on torch; int8 on ONNX Runtime), in one process on the same texts (TweetEval stance test
tweets with their targets), each at its default batch size; then `stance classify` end to end on a JSONL
file (read, tokenise, infer, write) with its peak memory, the cold start on the seed page, and a scale check.

    python -m scripts.bench_speed [--model DIR] [--e2e 20000] [--scale 10000,100000,1000000]

Speed is comments/s and its ratio to the pipeline at batch 32 (fp32), measured in the same run. Faithfulness
is the share of labels equal to our fp32 path's: stance on TweetEval stance test (1,249) and data/test,
sentiment on data/test and 2,000 TweetEval sentiment test tweets. "own scores" says whether every
comment's scores are identical whether it is classified alone or among others: at the path's own batch
size, and at any (1, 8, 32 and 64 windows per batch too). TweetEval's score (mean F1 of favor and
against) and data/test macro-F1 are against gold labels.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from scripts.shared_data import SEED_PAGE, corpus_split, tweeteval, tweeteval_sentiment
from stance.about import SPEED_FLAGS
from stance.core.metrics import headline_scores
from stance.model.classifier import StanceClassifier
from stance.model.devices import cpu_flags, usable_cores
from stance.model.precision import PRECISIONS, cpu_precision

# Runs a command and prints its peak RSS. Measuring from here would be wrong: a child forked from this
# process (which holds loaded models) starts with this process's resident pages in its ru_maxrss.
_PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)"
)


def run_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one `stance` process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, sys.executable, "-m", "stance", *args], capture_output=True, text=True,
        env=os.environ | (env or {}),
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"stance {' '.join(args)} failed: {done.stderr[-500:]}")
    return seconds, int(done.stdout.split()[-1]) / 1024


def write_comments(path: Path, rows: list, n: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            row = rows[i % len(rows)]
            handle.write(json.dumps({"id": str(i), "text": row.text, "target": row.target}) + "\n")


def share_equal(a: list, b: list) -> float:
    """The share of positions where two lists of labels agree."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def own_scores(classifier: StanceClassifier, texts: list[str], targets: list[str]) -> tuple[bool, bool]:
    """Whether the first 16 comments' scores are identical alone and among all ``texts``: at the classifier's own
    batch size, and at 1, 8, 32 and 64 windows a batch as well."""
    batch_size = classifier.batch_size
    alone = np.array([classifier.predict_proba([text], [target])[0] for text, target in zip(texts[:16], targets[:16])])
    together = {}
    for size in (batch_size, 1, 8, 32, 64):
        classifier.batch_size = size
        together[size] = classifier.predict_proba(texts, targets)[:16]
    classifier.batch_size = batch_size
    return np.array_equal(together[batch_size], alone), all(np.array_equal(scores, alone) for scores in together.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--e2e", type=int, default=20000, help="comments in the end-to-end run")
    parser.add_argument("--in-process-only", action="store_true", help="skip the end-to-end, cold-start and scale runs")
    parser.add_argument("--scale", default="", help="comma-separated sizes for the scale check, e.g. 10000,100000,1000000")
    parser.add_argument("--fast", default=cpu_precision()[0], choices=PRECISIONS, help="the precision of the scale check (default: auto's)")
    args = parser.parse_args()

    from transformers import pipeline

    rows = tweeteval("test")
    texts, targets, gold = [r.text for r in rows], [r.target for r in rows], [r.label for r in rows]
    corpus_test = corpus_split("test")
    sentiment_rows = tweeteval_sentiment("test", limit=2000)
    reference = StanceClassifier.from_pretrained(args.model, precision="fp32")
    pipe = pipeline("text-classification", model=reference.model, tokenizer=reference.tokenizer, device=-1)
    pairs = [{"text": t, "text_pair": c} for t, c in zip(targets, texts)]

    print(f"in-process, {len(texts)} tweets, {usable_cores()} cores; CPU flags: {', '.join(sorted(cpu_flags() & SPEED_FLAGS))}")
    print(f"auto precision on this CPU: {cpu_precision()[0]} ({cpu_precision()[1]})")
    started = time.perf_counter()
    pipe(pairs[:300], batch_size=1, truncation=True)
    pipeline_1 = 300 / (time.perf_counter() - started)
    started = time.perf_counter()
    pipe(pairs, batch_size=32, truncation=True)
    pipeline_32 = len(pairs) / (time.perf_counter() - started)
    print(f"{'system':24}{'comments/s':>11}{'x pipeline':>11}{'TweetEval':>10}{'data/test':>10}"
          f"{'agree fp32: stance':>20}{'sentiment':>20}{'own scores: batch':>20}")
    print(f"{'':24}{'':>11}{'batch 32':>11}{'score':>10}{'mF1':>10}{'TweetEval':>10}{'data/test':>10}{'data/test':>10}{'TweetEval':>10}"
          f"{'its own':>10}{'any':>10}")
    for name, speed in (("pipeline batch 1", pipeline_1), ("pipeline batch 32", pipeline_32)):
        print(f"{name:24}{speed:11.0f}{speed / pipeline_32:10.1f}x")
    fp32_labels: dict[str, list[str | None]] = {}
    for precision, batch_size in (("fp32", None), ("bf16", None), ("int8", None), ("int8", 8)):
        classifier = StanceClassifier.from_pretrained(args.model, precision=precision, batch_size=batch_size)
        classifier.predict_proba(texts[:128], targets[:128])  # warm-up: kernels for the first shapes
        started = time.perf_counter()
        predicted = classifier.predict(texts, targets)
        speed = len(texts) / (time.perf_counter() - started)
        corpus = classifier.predict([r.text for r in corpus_test], [r.target for r in corpus_test])
        labels = {
            "TweetEval": [p.label for p in predicted],
            "data/test": [p.label for p in corpus],
            "data/test sentiment": [p.sentiment for p in corpus],
            "TweetEval sentiment": [p.sentiment for p in classifier.predict([r.text for r in sentiment_rows])],
        }
        fp32_labels = fp32_labels or labels
        agree = "".join(f"{100 * share_equal(labels[part], fp32_labels[part]):9.1f}%" for part in labels)
        score = 100 * headline_scores(gold, labels["TweetEval"], ["support", "oppose", "neutral"])["f1_support_oppose"]
        corpus_gold = [r.label for r in corpus_test]
        corpus_score = 100 * headline_scores(corpus_gold, labels["data/test"], sorted(set(corpus_gold)))["macro_f1"]
        name = f"stance {precision} (batch {classifier.batch_size})"
        own = "".join(f"{'yes' if answer else 'no':>10}" for answer in own_scores(classifier, texts[:96], targets[:96]))
        print(f"{name:24}{speed:11.0f}{speed / pipeline_32:10.1f}x{score:10.1f}{corpus_score:10.1f}{agree}{own}")

    if args.in_process_only:
        return
    model_args = ["--model", args.model] if args.model else []
    with tempfile.TemporaryDirectory() as work:
        print(f"\nend to end: stance classify on a JSONL of {args.e2e} comments -> JSONL file")
        print(f"{'precision':12}{'seconds':>9}{'comments/s':>12}{'peak RSS MiB':>14}")
        source = Path(work) / "comments.jsonl"
        write_comments(source, rows, args.e2e)
        for precision in PRECISIONS:
            seconds, rss = run_cli(["classify", str(source), "-o", f"{work}/out-{precision}.jsonl", "--precision", precision, *model_args])
            print(f"{precision:12}{seconds:9.1f}{args.e2e / seconds:12.0f}{rss:14.0f}")

        print("\ncold start: stance classify on the seed page, process start to last line")
        for precision in PRECISIONS:
            seconds, _ = run_cli(["classify", str(SEED_PAGE), "-f", "jsonl", "--precision", precision, *model_args])
            print(f"{precision:12}{seconds:9.2f} s")
        seconds, _ = run_cli(["classify", str(SEED_PAGE), "-f", "jsonl", "--precision", "int8", *model_args],
                             env={"STANCE_CACHE": f"{work}/empty-cache"})
        print(f"{'int8, first run (builds the export)':12}{seconds:9.2f} s")

        if args.scale:
            print(f"\nscale check ({args.fast}): comments, seconds, comments/s, peak RSS MiB")
            for n in (int(size) for size in args.scale.split(",")):
                write_comments(source, rows, n)
                seconds, rss = run_cli(["classify", str(source), "-o", f"{work}/scale-{n}.jsonl", "--precision", args.fast, *model_args])
                print(f"{n:>10}{seconds:9.1f}{n / seconds:12.0f}{rss:14.0f}")


if __name__ == "__main__":
    main()
