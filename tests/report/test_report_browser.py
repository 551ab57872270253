"""The report opened in a real browser (headless Chromium): of real files from ../shared (the Reddit thread
with its reply tree, a saved page, the seed page) and of sections with nothing to chart. Its scripts run
without a console error, the counts it shows are the classified records', filtering to a stance shows
exactly those comments, threads open, and the sortable overview sorts."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import read_jsonl, run, shared_file, stance_cli, write_jsonl

from scripts.headless_browser import console_errors, headless_chromium, missing_reason

pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))]


@pytest.fixture(scope="module")
def browser() -> Any:
    with headless_chromium() as driver:
        yield driver


def open_report(driver: Any, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.documentElement.dataset.ready") == "1"
    assert console_errors(driver) == []


def shown_counts(driver: Any, section: int, task: str) -> dict[str, int]:
    rows = driver.find_elements("css selector", f'#section-{section} table.shares[data-task="{task}"] tbody tr')
    return {row.get_attribute("data-label"): int(row.find_elements("css selector", "td")[0].text) for row in rows}


def laid_out(driver: Any, section: int) -> list[Any]:
    """Every comment the section's list holds once "show more" is pressed until none are left."""
    explorer = driver.find_element("css selector", f'.explorer[data-section="{section}"]')
    more = explorer.find_element("css selector", "button.more")
    while more.is_displayed():
        driver.execute_script("arguments[0].click()", more)
    return explorer.find_elements("css selector", ".comments > article.comment")


def click_filter(driver: Any, section: int, task: str, label: str) -> None:
    button = driver.find_element("css selector", f'.explorer[data-section="{section}"] button.filter[data-task="{task}"][data-label="{label}"]')
    driver.execute_script("arguments[0].click()", button)


@pytest.mark.e2e
def test_the_reddit_thread(browser: Any, tmp_path: Path) -> None:
    thread = shared_file("exports/reddit_thread.json")
    labelled = tmp_path / "labelled.jsonl"
    done = stance_cli("classify", str(thread), "-o", str(labelled))
    assert done.returncode == 0, done.stderr
    records = read_jsonl(labelled)
    report = tmp_path / "thread.html"
    done = stance_cli("report", str(labelled), "-o", str(report))
    assert done.returncode == 0, done.stderr
    open_report(browser, report)
    assert shown_counts(browser, 0, "stance") == {label: sum(r["label"] == label for r in records) for label in ("support", "oppose", "mixed", "neutral")}
    assert shown_counts(browser, 0, "sentiment") == {label: sum(r["sentiment"] == label for r in records)
                                                     for label in ("positive", "negative", "neutral", "mixed")}

    # The tree: one thread per top-level comment; a thread opens onto exactly the replies to its comment.
    ids = {r["id"] for r in records}
    roots = [r for r in records if r["parent"] not in ids]
    threads = browser.find_elements("css selector", ".explorer .comments > article.comment")
    assert [t.get_attribute("data-id") for t in threads] == [r["id"] for r in roots][:50]
    opened = next(t for t in threads if t.find_elements("css selector", ":scope > details.replies"))
    replies = opened.find_element("css selector", ":scope > details.replies")
    assert replies.find_elements("css selector", ":scope > article.comment") == []
    browser.execute_script("arguments[0].scrollIntoView()", replies)
    replies.find_element("css selector", "summary").click()
    shown = [a.get_attribute("data-id") for a in replies.find_elements("css selector", ":scope > article.comment")]
    assert shown == [r["id"] for r in records if r["parent"] == opened.get_attribute("data-id")] and shown
    browser.save_screenshot(str(tmp_path / "thread-open.png"))

    # Filtering to one stance shows exactly its comments, in the input's order.
    click_filter(browser, 0, "stance", "oppose")
    listed = [a.get_attribute("data-id") for a in laid_out(browser, 0)]
    assert listed == [r["id"] for r in records if r["label"] == "oppose"]
    click_filter(browser, 0, "sentiment", "negative")
    listed = [a.get_attribute("data-id") for a in laid_out(browser, 0)]
    assert listed == [r["id"] for r in records if r["label"] == "oppose" and r["sentiment"] == "negative"]
    browser.find_element("css selector", ".explorer button.clear").click()
    search = browser.find_element("css selector", ".explorer input[type=search]")
    search.send_keys("post-it")
    time.sleep(0.4)  # the search waits for typing to pause
    listed = [a.get_attribute("data-id") for a in laid_out(browser, 0)]
    assert listed == [r["id"] for r in records if "post-it" in r["text"].lower() or "post-it" in (r["author"] or "").lower()]
    assert console_errors(browser) == []
    browser.save_screenshot(str(tmp_path / "thread.png"))
    assert (tmp_path / "thread.png").stat().st_size > 20_000


@pytest.mark.e2e
def test_a_saved_page_and_the_seed_page_side_by_side(browser: Any, tmp_path: Path) -> None:
    inputs = [shared_file("pages/foxyfolksy.com.buttercream.html"), shared_file("examples/seed_article.txt")]
    expected = []
    for n, page in enumerate(inputs):
        labelled = tmp_path / f"{n}.jsonl"
        assert stance_cli("classify", str(page), "-o", str(labelled)).returncode == 0
        expected.append(Counter(r["label"] for r in read_jsonl(labelled)))
    report = tmp_path / "two.html"
    done = stance_cli("report", *map(str, inputs), "-o", str(report))
    assert done.returncode == 0, done.stderr
    open_report(browser, report)
    for n, counts in enumerate(expected):
        assert {label: count for label, count in shown_counts(browser, n, "stance").items() if count} == dict(counts)
    rows = lambda: [row.find_elements("css selector", "td")[1].text for row in browser.find_elements("css selector", "table.sortable tbody tr")]  # noqa: E731
    assert rows() == [str(sum(c.values())) for c in expected]
    browser.find_element("css selector", 'table.sortable button[data-sort="1"]').click()
    assert rows() == sorted(rows(), key=int, reverse=True)
    browser.find_element("css selector", 'table.sortable button[data-sort="1"]').click()
    assert rows() == sorted(rows(), key=int)
    assert console_errors(browser) == []


def test_sections_with_nothing_to_chart_still_render(browser: Any, tmp_path: Path, capsys) -> None:
    """No times, no likes, no replies, one comment; and a page with no comment at all."""
    one = write_jsonl(tmp_path / "one.jsonl", [{"id": "1", "text": "Fine by me.", "target": "A new bus stop", "label": "support",
                                                "confidence": 0.8, "sentiment": "positive", "sentiment_confidence": 0.7}])
    empty = tmp_path / "empty.html"
    empty.write_text("<html><head><title>Nothing said</title></head><body><article><h1>Nothing said</h1>"
                     "<p>An article nobody answered.</p></article></body></html>", encoding="utf-8")
    report = tmp_path / "bare.html"
    assert run(["report", str(one), str(empty), "-o", str(report)], capsys)[0] == 0
    open_report(browser, report)
    first = browser.find_element("css selector", "#section-0").text
    for said in ("No comment here has a time", "No likes in this input", "No replies here"):
        assert said in first
    assert [a.get_attribute("data-id") for a in laid_out(browser, 0)] == ["1"]
    assert "No comments in this input" in browser.find_element("css selector", "#section-1").text
    click_filter(browser, 0, "stance", "oppose")
    assert laid_out(browser, 0) == [] and "0 of 1 comment" in browser.find_element("css selector", ".explorer .shown").text
    assert json.loads(browser.execute_script("return document.getElementById('report-data').textContent"))["sections"][1] == []
    assert console_errors(browser) == []


def test_many_sections_lay_out_their_comments_as_they_come_near(browser: Any, tmp_path: Path, capsys) -> None:
    inputs = []
    for n in range(6):
        rows = [{"id": f"{n}-{i}", "text": f"comment {i} on article {n}", "target": f"Article {n}", "label": label, "confidence": 0.6}
                for i, label in enumerate(["support", "oppose", "neutral"][: 1 + n % 3])]
        inputs.append(str(write_jsonl(tmp_path / f"{n}.jsonl", rows)))
    report = tmp_path / "many.html"
    assert run(["report", *inputs, "-o", str(report)], capsys)[0] == 0
    browser.set_window_size(1100, 700)
    open_report(browser, report)
    ready = lambda: browser.execute_script("return Array.from(document.querySelectorAll('.explorer[data-ready]'), e => e.dataset.section)")  # noqa: E731
    assert "5" not in ready()
    browser.execute_script("document.querySelector('#section-5 .explorer').scrollIntoView()")
    time.sleep(0.3)
    assert "5" in ready()
    assert [a.get_attribute("data-id") for a in laid_out(browser, 5)] == ["5-0", "5-1", "5-2"]
    browser.set_window_size(1100, 1400)
    assert console_errors(browser) == []
