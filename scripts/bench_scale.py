"""Past one process: `stance classify` on a folder of comment files, on the local engine and on Ray with
1 and 2 workers, in one run on the same files; then the overhead of Ray on a small input, and the
parts of the cost model (model load per worker, one worker's throughput) measured here.

    python -m scripts.bench_scale [--comments 20000] [--files 8] [--workers 1,2] [--small 200]

The comments are distinct tweets of P-Stance train and val and TweetEval stance train, each with its
own target (no test split is read), split over ``--files``
JSONL files; every run classifies them at the default precision (auto's: `stance info` names it) into a fresh folder,
and each is timed end to end as a user runs it (a new `stance` process: start, model load, Ray's
start where it is used, reading, inference, writing). Needs ``pip install "stance[ray]"`` and ../shared.
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

from scripts.shared_data import pstance, tweeteval
from stance.model.classifier import StanceClassifier


def write_files(folder: Path, n: int, files: int) -> int:
    """``n`` distinct comments (fewer if the sets hold fewer) split evenly over ``files`` files."""
    seen: dict[str, str] = {}
    for row in [*pstance("train"), *pstance("val"), *tweeteval("train")]:
        seen.setdefault(row.text, row.target)
    rows = list(seen.items())[:n]
    folder.mkdir(parents=True)
    for part in range(files):
        with open(folder / f"part{part:02d}.jsonl", "w", encoding="utf-8") as handle:
            for i in range(part, len(rows), files):
                handle.write(json.dumps({"id": str(i), "text": rows[i][0], "target": rows[i][1]}) + "\n")
    return len(rows)


def io_rate(folder: Path) -> float:
    """Comments per second that one process reads (parsing, language detection) and writes as JSONL:
    the work of the Ray engine's reading tasks and of its driver, without the model."""
    from stance.extract import open_comments
    from stance.io.records import write_records

    count, started = 0, time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for path in sorted(folder.iterdir()):
            comments = list(open_comments(path)[1])
            write_records((comment.to_dict() for comment in comments), "jsonl", sink)
            count += len(comments)
    return count / (time.perf_counter() - started)


def driver_rate(folder: Path, tasks: dict) -> float:
    """Comments per second that the Ray engine's driver turns from labelled rows back into records and
    writes as JSONL (its share of the work, done in one process however many workers label): timed on
    the local run's records, laid out as the workers hand them back."""
    from stance.classify.writers import write_results
    from stance.distributed.many_files import result_from_row
    from stance.io.outputs import FLAT_COLUMNS, SCORES_KEYS

    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            row = record | {"_target": record["target"]}
            for task, (_, _, prefix) in FLAT_COLUMNS.items():
                row |= {f"{prefix}{label}": p for label, p in (record.get(SCORES_KEYS[task]) or {}).items()}
            rows.append(row)
    started = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        write_results((result_from_row(row, tasks) for row in rows), tasks, "jsonl", sink)
    return len(rows) / (time.perf_counter() - started)


def timed(args: list[str]) -> float:
    """Wall seconds of one `stance` process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "stance", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"stance {' '.join(args)} failed: {done.stderr[-800:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workers", default="1,2", help="comma-separated Ray worker counts")
    parser.add_argument("--small", type=int, default=200, help="comments in the small-input overhead check")
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        n = write_files(root / "in", args.comments, args.files)
        small = write_files(root / "small", args.small, 2)
        print(f"{n} distinct comments (P-Stance train+val, TweetEval stance train) in {args.files} JSONL files; "
              f"{cores} cores; int8")

        started = time.perf_counter()
        tasks = StanceClassifier.from_pretrained(precision="int8").tasks
        print(f"model load (int8, export cached): {time.perf_counter() - started:.1f} s")
        print(f"reading and writing alone (parse, language, JSONL out; one process): {io_rate(root / 'in'):.0f} comments/s")

        runs = [("local, 1 process", [])] + [
            (f"ray, {w} worker{'s' if w > 1 else ''}", ["--engine", "ray", "--workers", str(w)])
            for w in map(int, args.workers.split(","))
        ]
        results = {}
        print(f"\n{'engine':<20} {'wall s':>8} {'comments/s':>11} {'vs local':>9}")
        for name, options in runs:
            seconds = timed(["classify", str(root / "in"), "-o", str(root / f"out-{len(results)}"), *options])
            results[name] = seconds
            print(f"{name:<20} {seconds:>8.1f} {n / seconds:>11.1f} {results['local, 1 process'] / seconds:>8.2f}x")

        print(f"the Ray driver's share alone (labelled rows back to records, JSONL out): "
              f"{driver_rate(root / 'out-0', tasks):.0f} comments/s")

        print(f"\nsmall input ({small} comments, 2 files): the fixed cost of each engine")
        local_small = timed(["classify", str(root / "small"), "-o", str(root / "small-local")])
        ray_small = timed(["classify", str(root / "small"), "-o", str(root / "small-ray"), "--engine", "ray", "--workers", "1"])
        print(f"local {local_small:.1f} s, ray (1 worker) {ray_small:.1f} s: Ray adds {ray_small - local_small:.1f} s "
              "(starting a local cluster, its worker processes and the worker's model load)")
        # The fixed costs cancel in the difference between the large run and the small one.
        print(f"throughput past the fixed costs ({n} − {small} comments over the difference in wall time):")
        for name, seconds in results.items():
            fixed = ray_small if name.startswith("ray") else local_small
            print(f"  {name:<20} {(n - small) / (seconds - fixed):>7.1f} comments/s")


if __name__ == "__main__":
    main()
