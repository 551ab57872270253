"""Classification speed and accuracy: the transformers pipeline (batch 1 and 32) beside our fp32 path and
our fast paths (bf16; int8 on ONNX Runtime), in one process on the same texts (TweetEval stance test
tweets with their targets), each at its default batch size; then `stance classify` end to end on a
JSONL file (read, tokenise, infer, write) with its peak memory, the cold start on the seed page (int8
with its export cached, and on a first run that builds it), and a scale check.

    python -m scripts.bench_speed [--model DIR] [--e2e 20000] [--scale 10000,100000,1000000]

Accuracy is TweetEval's score (mean F1 of favor and against) on the 1,249 test tweets, the share
of labels equal to the fp32 path's, and macro-F1 on our own test articles (data/test.jsonl).
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

from scripts.shared_data import SEED_PAGE, corpus_split, tweeteval
from stance.core.metrics import headline_scores
from stance.model.classifier import StanceClassifier
from stance.model.precision import PRECISIONS

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model directory (default: the bundled model)")
    parser.add_argument("--e2e", type=int, default=20000, help="comments in the end-to-end run")
    parser.add_argument("--scale", default="", help="comma-separated sizes for the scale check, e.g. 10000,100000,1000000")
    parser.add_argument("--fast", default="int8", choices=PRECISIONS, help="the fast path for the end-to-end runs")
    args = parser.parse_args()

    from transformers import pipeline

    rows = tweeteval("test")
    texts, targets, gold = [r.text for r in rows], [r.target for r in rows], [r.label for r in rows]
    labels = ["support", "oppose", "neutral"]
    reference = StanceClassifier.from_pretrained(args.model)
    pipe = pipeline("text-classification", model=reference.model, tokenizer=reference.tokenizer, device=-1)
    pairs = [{"text": t, "text_pair": c} for t, c in zip(targets, texts)]

    print(f"in-process, {len(texts)} tweets, {os.cpu_count()} cores")
    print(f"{'system':34}{'comments/s':>10}{'x pipeline':>11}{'score':>8}{'agree fp32':>12}{'data/test mF1':>17}{'agree fp32':>14}")
    results = {}
    started = time.perf_counter()
    pipe(pairs[:300], batch_size=1, truncation=True)
    results["pipeline batch 1"] = (300 / (time.perf_counter() - started), None)
    started = time.perf_counter()
    out = pipe(pairs, batch_size=32, truncation=True)
    results["pipeline batch 32"] = (len(pairs) / (time.perf_counter() - started), [o["label"] for o in out])
    corpus_test = corpus_split("test")
    corpus_gold = [r.label for r in corpus_test]
    corpus_labels = {}
    # int8 at its default of one window per batch (scores independent of the neighbours) and, beside
    # it, at 8 windows per batch (the default before: faster, but a batch shares one quantisation range).
    for precision, batch_size in [*((p, None) for p in PRECISIONS), ("int8", 8)]:
        classifier = StanceClassifier.from_pretrained(args.model, precision=precision, batch_size=batch_size)
        classifier.predict_proba(texts[:128], targets[:128])  # warm-up: kernels for the first shapes
        started = time.perf_counter()
        predicted = [p.label for p in classifier.predict(texts, targets)]
        name = f"stance {precision} (batch {classifier.batch_size})"
        results[name] = (len(texts) / (time.perf_counter() - started), predicted)
        corpus_labels[name] = [p.label for p in classifier.predict([r.text for r in corpus_test], [r.target for r in corpus_test])]
    base_rate = results["pipeline batch 1"][0]
    fp32 = next(predicted for name, (_, predicted) in results.items() if name.startswith("stance fp32"))
    corpus_fp32 = next(labels for name, labels in corpus_labels.items() if name.startswith("stance fp32"))
    for name, (speed, predicted) in results.items():
        score = f"{100 * headline_scores(gold, predicted, labels)['f1_support_oppose']:8.1f}" if predicted else f"{'-':>8}"
        agree = f"{100 * sum(a == b for a, b in zip(predicted, fp32)) / len(fp32):11.1f}%" if predicted else f"{'-':>12}"
        if name in corpus_labels:
            corpus_score = headline_scores(corpus_gold, corpus_labels[name], sorted(set(corpus_gold)))["macro_f1"]
            corpus_agree = sum(a == b for a, b in zip(corpus_labels[name], corpus_fp32)) / len(corpus_fp32)
            corpus = f"{100 * corpus_score:17.1f}{100 * corpus_agree:13.1f}%"
        else:
            corpus = f"{'-':>17}{'-':>14}"
        print(f"{name:34}{speed:10.0f}{speed / base_rate:10.1f}x{score}{agree}{corpus}")

    model_args = ["--model", args.model] if args.model else []
    with tempfile.TemporaryDirectory() as work:
        print(f"\nend to end: stance classify on a JSONL of {args.e2e} comments -> JSONL file")
        print(f"{'precision':12}{'seconds':>9}{'comments/s':>12}{'peak RSS MiB':>14}")
        source = Path(work) / "comments.jsonl"
        write_comments(source, rows, args.e2e)
        for precision in ("fp32", args.fast):
            seconds, rss = run_cli(["classify", str(source), "-o", f"{work}/out-{precision}.jsonl", "--precision", precision, *model_args])
            print(f"{precision:12}{seconds:9.1f}{args.e2e / seconds:12.0f}{rss:14.0f}")

        print("\ncold start: stance classify on the seed page, process start to last line")
        for precision in ("fp32", args.fast):
            seconds, _ = run_cli(["classify", str(SEED_PAGE), "-f", "jsonl", "--precision", precision, *model_args])
            print(f"{precision:12}{seconds:9.2f} s")
        if args.fast == "int8":
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
