"""Comment extraction on the 12 real saved pages in ../shared/pages, beside trafilatura in the same run.

Per page and in total: comments found vs the count INDEX.tsv gives, recall of the gold comment
snippets (a snippet counts when it lies inside exactly one extracted comment), gold comment snippets
leaked into the article body, comments with an author and with a time, and pages per second.
trafilatura (the baseline) returns a page's comments as one text blob, which counts as one comment.

    python scripts/bench_extract.py [--pages ../shared/pages]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from stance.extract import read_text
from stance.extract.html import parse_html

_COUNT = re.compile(r"(\d+) comments", re.I)


@dataclass
class PageResult:
    found: int
    snippets_found: int
    leaks: int
    with_author: int
    with_time: int
    seconds: float


def normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).lower()


def expected_count(description: str) -> int:
    """The page's comment count from INDEX.tsv; pages marked NEGATIVE have none in the HTML."""
    if description.startswith("NEGATIVE"):
        return 0
    match = _COUNT.search(description)
    if match is None:
        raise SystemExit(f"INDEX.tsv: no comment count in {description!r}")
    return int(match.group(1))


def score(comments: list[str], body: str, snippets: list[str], authors: int, times: int, seconds: float) -> PageResult:
    texts = [normalise(c) for c in comments]
    found = sum(1 for s in snippets if sum(normalise(s) in t for t in texts) == 1)
    leaks = sum(1 for s in snippets if normalise(s) in normalise(body))
    return PageResult(len(comments), found, leaks, authors, times, seconds)


def run_ours(html: str, name: str, snippets: list[str]) -> PageResult:
    started = time.perf_counter()
    thread = parse_html(html, name)
    seconds = time.perf_counter() - started
    comments = [c.text for c in thread.comments]
    authors = sum(1 for c in thread.comments if c.author)
    times = sum(1 for c in thread.comments if c.time)
    return score(comments, thread.body, snippets, authors, times, seconds)


def run_trafilatura(html: str, snippets: list[str]) -> PageResult:
    started = time.perf_counter()
    document = trafilatura.bare_extraction(html, include_comments=True, with_metadata=False)
    seconds = time.perf_counter() - started
    blob = (document.comments if document else None) or ""
    body = (document.text if document else None) or ""
    return score([blob] if blob.strip() else [], body, snippets, 0, 0, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "pages")
    args = parser.parse_args()
    with open(args.pages / "INDEX.tsv", encoding="utf-8") as handle:
        index = {row["file"]: row["description"] for row in csv.DictReader(handle, delimiter="\t")}
    gold = {entry["file"]: entry for entry in json.loads((args.pages / "GOLD_comment_snippets.json").read_text()).values()}

    header = f"{'page':32} {'expected':>8} | {'found':>5} {'snip':>5} {'leak':>4} {'author':>6} {'time':>5} | {'trafilatura: found':>18} {'snip':>5} {'leak':>4}"
    print(header)
    print("-" * len(header))
    totals = {"ours": [], "trafilatura": []}
    exact = {"ours": 0, "trafilatura": 0}
    snippets_total = 0
    for name, description in index.items():
        html = read_text(args.pages / name)
        expected = expected_count(description)
        # A page whose comments are not in the HTML has no snippets to find, only comments not to invent.
        snippets = gold.get(name, {}).get("comments", []) if expected else []
        ours = run_ours(html, name, snippets)
        baseline = run_trafilatura(html, snippets)
        snippets_total += len(snippets)
        for system, result in (("ours", ours), ("trafilatura", baseline)):
            totals[system].append(result)
            exact[system] += result.found == expected
        print(
            f"{name[:32]:32} {expected:8d} | {ours.found:5d} {ours.snippets_found:>3}/{len(snippets)} {ours.leaks:4d} "
            f"{ours.with_author:6d} {ours.with_time:5d} | {baseline.found:18d} {baseline.snippets_found:>3}/{len(snippets)} "
            f"{baseline.leaks:4d}"
        )
    print()
    pages = len(index)
    for system, results in totals.items():
        found = sum(r.found for r in results)
        snippet_recall = sum(r.snippets_found for r in results) / snippets_total
        seconds = sum(r.seconds for r in results)
        print(
            f"{system:12} snippet recall {snippet_recall:6.1%}   leaks {sum(r.leaks for r in results)}   "
            f"exact count on {exact[system]}/{pages} pages   comments {found}   "
            f"with author {sum(r.with_author for r in results) / max(found, 1):6.1%}   "
            f"with time {sum(r.with_time for r in results) / max(found, 1):6.1%}   {pages / seconds:6.1f} pages/s"
        )


if __name__ == "__main__":
    main()
