"""Comment extraction on the 12 real saved pages in ../shared/pages, beside trafilatura in the same run.

Per page and in total: comments found vs the count INDEX.tsv gives, recall of the gold comment
snippets (a snippet counts when it lies inside exactly one extracted comment), gold comment snippets
leaked into the article body, comments with an author and with a time, and pages per second.
trafilatura (the baseline) returns a page's comments as one text blob, which counts as one comment.
Then the same on synthetic pages, one or more for each way pages trip extractors up (forum quotes,
comments rendered twice, comments split over sibling blocks, lists marked by no known class, a comment's
header and body as sibling elements in four layouts): the fixtures of tests/samples.py, every comment's text a
snippet. "broken" counts records that are not one whole comment (no text, only interface words).

    python -m scripts.bench_extract [--pages ../shared/pages]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from stance.core.thread import Comment
from stance.extract.html import parse_html
from stance.extract.invariants import broken_records
from stance.io.inputs import read_text

_COUNT = re.compile(r"(\d+) comments", re.I)


@dataclass
class PageResult:
    found: int
    broken: int  # records that are not one whole comment (stance.extract.invariants)
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


def score(comments: list[str], body: str, snippets: list[str], authors: int, times: int, seconds: float, broken: int = 0) -> PageResult:
    texts = [normalise(c) for c in comments]
    found = sum(1 for s in snippets if sum(normalise(s) in t for t in texts) == 1)
    leaks = sum(1 for s in snippets if normalise(s) in normalise(body))
    return PageResult(len(comments), broken, found, leaks, authors, times, seconds)


def run_ours(html: str, name: str, snippets: list[str]) -> PageResult:
    started = time.perf_counter()
    thread = parse_html(html, name)
    seconds = time.perf_counter() - started
    comments = [c.text for c in thread.comments]
    authors = sum(1 for c in thread.comments if c.author)
    times = sum(1 for c in thread.comments if c.time)
    return score(comments, thread.body, snippets, authors, times, seconds, sum(broken_records(thread.comments).values()))


def run_trafilatura(html: str, snippets: list[str]) -> PageResult:
    started = time.perf_counter()
    document = trafilatura.bare_extraction(html, include_comments=True, with_metadata=False)
    seconds = time.perf_counter() - started
    blob = (document.comments if document else None) or ""
    body = (document.text if document else None) or ""
    comments = [blob] if blob.strip() else []
    return score(comments, body, snippets, 0, 0, seconds, sum(broken_records(Comment(str(n), c) for n, c in enumerate(comments)).values()))


@dataclass
class Page:
    name: str
    html: str
    expected: int
    snippets: list[str]


def real_pages(folder: Path) -> list[Page]:
    with open(folder / "INDEX.tsv", encoding="utf-8") as handle:
        index = {row["file"]: row["description"] for row in csv.DictReader(handle, delimiter="\t")}
    gold = {entry["file"]: entry for entry in json.loads((folder / "GOLD_comment_snippets.json").read_text()).values()}
    pages = []
    for name, description in index.items():
        expected = expected_count(description)
        # A page whose comments are not in the HTML has no snippets to find, only comments not to invent.
        pages.append(Page(name, read_text(folder / name), expected, gold.get(name, {}).get("comments", []) if expected else []))
    return pages


def synthetic_pages() -> list[Page]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import samples

    texts = {
        "quotes: XenForo": ["Best decision the council made this year.", "Who staffs it on Sundays though?"],
        "quotes: phpBB": ["Sunday opening is overdue. My kids can finally use it.", "Overdue, and unfunded: the van pays for it."],
        "quotes: Discourse": ["The rota was agreed in a hurry.", "It took four months of talks."],
        "rendered twice": ["Not if it kills the van service for villages.", "Wonderful news for families.", "Who is paying the overtime?"],
        "split blocks": ["Weekends are when we can go.", "Not if it kills the van service", "Nobody says. Ask the council."],
        "no known class": ["Endlich öffnet die Bibliothek", "Und wer bezahlt", "Der Bücherbus", "Gute Nachricht für Familien"],
    }
    html = {
        "quotes: XenForo": samples.XENFORO_QUOTES, "quotes: phpBB": samples.PHPBB_QUOTES, "quotes: Discourse": samples.DISCOURSE_QUOTES,
        "rendered twice": samples.DOUBLE_RENDERED, "split blocks": samples.SPLIT_BLOCKS, "no known class": samples.UNMARKED_THREAD,
    }
    expected = {"rendered twice": 3, "split blocks": 3, "no known class": 4}
    pages = [Page(name, html[name], expected.get(name, 2), snippets) for name, snippets in texts.items()]
    # A comment laid out as sibling elements (header, then body): written from the layouts' names, not from a page.
    return pages + [Page(f"siblings: {layout}", samples.sibling_layout(layout, samples.SIBLING_COMMENTS), 3,
                         [text for _, _, text in samples.SIBLING_COMMENTS]) for layout in samples.SIBLING_LAYOUTS]


def report(title: str, pages: list[Page]) -> None:
    header = (f"{title:32} {'expected':>8} | {'found':>5} {'broken':>6} {'snip':>5} {'leak':>4} {'author':>6} {'time':>5} | "
              f"{'trafilatura: found':>18} {'snip':>5} {'leak':>4}")
    print(header)
    print("-" * len(header))
    totals = {"ours": [], "trafilatura": []}
    exact = {"ours": 0, "trafilatura": 0}
    for page in pages:
        ours = run_ours(page.html, page.name, page.snippets)
        baseline = run_trafilatura(page.html, page.snippets)
        for system, result in (("ours", ours), ("trafilatura", baseline)):
            totals[system].append(result)
            exact[system] += result.found == page.expected
        print(
            f"{page.name[:32]:32} {page.expected:8d} | {ours.found:5d} {ours.broken:6d} {ours.snippets_found:>3}/{len(page.snippets)} {ours.leaks:4d} "
            f"{ours.with_author:6d} {ours.with_time:5d} | {baseline.found:18d} {baseline.snippets_found:>3}/{len(page.snippets)} "
            f"{baseline.leaks:4d}"
        )
    print()
    snippets_total = sum(len(page.snippets) for page in pages)
    for system, results in totals.items():
        found = sum(r.found for r in results)
        snippet_recall = sum(r.snippets_found for r in results) / snippets_total
        seconds = sum(r.seconds for r in results)
        print(
            f"{system:12} snippet recall {snippet_recall:6.1%}   leaks {sum(r.leaks for r in results)}   "
            f"broken records {sum(r.broken for r in results)}   "
            f"exact count on {exact[system]}/{len(pages)} pages   comments {found}   "
            f"with author {sum(r.with_author for r in results) / max(found, 1):6.1%}   "
            f"with time {sum(r.with_time for r in results) / max(found, 1):6.1%}   {len(pages) / seconds:6.1f} pages/s"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "pages")
    args = parser.parse_args()
    report("real page", real_pages(args.pages))
    report("synthetic page", synthetic_pages())

if __name__ == "__main__":
    main()
