"""How long a `stance report` takes to open in a browser, at 20,000 comments beside a thread of 200.

Comments are real NYT reader comments (ARC train's texts, reused in turn) with made-up labels, times
and a reply tree (each comment answers an earlier one with probability 0.6), written as `stance classify`
writes them, so the report reads them without a model. Each report is built with `make_report`, then
opened three times in headless Chromium; "open" is from navigation until the first frame painted after the
page loaded (its scripts have run, the first threads are laid out), "filter" the time from a click on a
stance's filter to the frame that shows its comments.

    python -m scripts.bench_report
    python -m scripts.bench_report --screenshot docs/report_reddit.png   # also the README's picture
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from scripts.headless_browser import console_errors, headless_chromium
from scripts.shared_data import BENCHMARKS, REPO, read_jsonl

# Calls back with the time once the browser has laid out and painted what the page did so far.
NEXT_FRAME = "const nextFrame = (done) => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));"
STANCES = ("support", "oppose", "mixed", "neutral")
FEELINGS = ("positive", "negative", "neutral", "mixed")


def write_comments(path: Path, count: int, seed: int = 0) -> Path:
    """``count`` classified records of real comment texts with a made-up tree, labels, times and likes."""
    texts = [row["text"] for row in read_jsonl(BENCHMARKS / "arc" / "train.jsonl")]
    rng = random.Random(seed)
    start = datetime(2024, 5, 1, tzinfo=timezone.utc)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            parent = f"c{rng.randrange(n)}" if n and rng.random() < 0.6 else None
            stance, feeling = rng.choice(STANCES), rng.choice(FEELINGS)
            record = {"id": f"c{n}", "text": texts[n % len(texts)], "author": f"reader{rng.randrange(count // 3 + 1)}",
                      "time": (start + timedelta(minutes=n * 7 * 24 * 60 / count)).isoformat(), "parent": parent,
                      "likes": rng.randrange(200), "target": "A city votes to close its old town to cars", "language": "en",
                      "label": stance, "confidence": round(rng.uniform(0.3, 1), 3),
                      "sentiment": feeling, "sentiment_confidence": round(rng.uniform(0.3, 1), 3)}
            handle.write(json.dumps(record) + "\n")
    return path


def build(comments: Path, output: Path) -> float:
    from stance.report.report import make_report

    began = time.perf_counter()
    make_report([str(comments)], output)
    return time.perf_counter() - began


def open_times(driver, report: Path, tries: int = 3) -> tuple[float, float]:
    """The median seconds to the page's ready mark, and to lay out one stance's comments after a click."""
    opens, filters = [], []
    for _ in range(tries):
        driver.get("about:blank")
        driver.get(report.resolve().as_uri())
        opens.append(driver.execute_async_script(f"{NEXT_FRAME} nextFrame(arguments[0]);") / 1000)
        filters.append(driver.execute_async_script(f"""{NEXT_FRAME}
            const began = performance.now();
            document.querySelector('.explorer button.filter[data-task="stance"][data-label="oppose"]').click();
            nextFrame((now) => arguments[0](now - began));""") / 1000)
        errors = console_errors(driver)
        if errors:
            raise SystemExit(f"{report}: the page logged errors: {errors}")
    return statistics.median(opens), statistics.median(filters)


def screenshot(driver, path: Path, folder: Path) -> None:
    """The README's picture: the top of the report of the Reddit thread in ../shared, labelled by the bundled model."""
    from stance.model.runtime import Runtime
    from stance.report.report import make_report

    report = folder / "reddit.html"
    make_report([str(REPO.parent / "shared" / "exports" / "reddit_thread.json")], report, runtime=Runtime(precision="auto"))  # as the CLI
    driver.set_window_size(1000, 1700)
    driver.get(report.resolve().as_uri())
    driver.save_screenshot(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 20_000], help="comments per report; the first is the baseline")
    parser.add_argument("--screenshot", type=Path, help="also save a screenshot of the Reddit thread's report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, headless_chromium(1100, 1300) as driver:
        print("| comments | file | build (Python) | open in Chromium | filter to one stance |")
        print("|---|---|---|---|---|")
        for size in args.sizes:
            comments = write_comments(Path(folder) / f"{size}.jsonl", size)
            report = Path(folder) / f"{size}.html"
            built = build(comments, report)
            opened, filtered = open_times(driver, report)
            print(f"| {size:,} | {report.stat().st_size / 2**20:.1f} MiB | {built:.2f} s | {opened:.2f} s | {filtered:.2f} s |", flush=True)
        if args.screenshot:
            screenshot(driver, args.screenshot, Path(folder))
            print(f"screenshot: {args.screenshot}")


if __name__ == "__main__":
    main()
