"""`stance report` through the CLI with the tiny model: labels read as `stance classify` wrote them or made
on the way, one section per target, the page self-contained and safe from the comments' text."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from conftest import read_jsonl, run, write_jsonl

COMMENTS = [
    {"id": "a", "text": "I love the new tram line", "target": "The city builds a tram line", "author": "Ann", "likes": 4,
     "time": "2024-03-01T10:00:00Z"},
    {"id": "b", "text": "It will ruin the high street </script><script>window.reportErrors.push('injected')</script>",
     "target": "The city builds a tram line", "parent": "a", "author": "Bo", "likes": 9, "time": "2024-03-01T12:00:00Z"},
    {"id": "c", "text": "Fares must stay low", "target": "The city builds a tram line", "parent": "b", "time": "2024-03-02T09:00:00Z"},
    {"id": "d", "text": "Parking fees are too high", "target": "Parking fees double", "author": "Cy"},
]


def page_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert found, "the page carries its data"
    return json.loads(found.group(1))


def shares(page: str, section: int, task: str) -> dict[str, int]:
    """The counts a section's shares table shows."""
    body = page.split(f'id="section-{section}"', 1)[1].split("</section>", 1)[0]
    table = body.split(f'<table class="shares" data-task="{task}">', 1)[1].split("</table>", 1)[0]
    return {label: int(count) for label, count in re.findall(r'data-label="([^"]+)" data-count="(\d+)"', table)}


@pytest.fixture
def comments(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "comments.jsonl", COMMENTS)


def test_a_classified_file_keeps_its_labels_and_loads_no_model(tiny_classifier_dir: Path, comments: Path, tmp_path: Path, capsys) -> None:
    labelled = tmp_path / "labelled.jsonl"
    assert run(["classify", str(comments), "--model", str(tiny_classifier_dir), "-o", str(labelled)], capsys)[0] == 0
    records = read_jsonl(labelled)
    out = tmp_path / "report.html"
    code, _, err = run(["report", str(labelled), "-o", str(out), "--model", str(tmp_path / "no-such-model")], capsys)
    assert code == 0, err
    assert "2 comment sections, 4 comments; labels as read" in err
    page = out.read_text(encoding="utf-8")
    for n, target in enumerate(["The city builds a tram line", "Parking fees double"]):
        mine = [r for r in records if r["target"] == target]
        assert shares(page, n, "stance") == {label: sum(r["label"] == label for r in mine) for label in ("support", "oppose", "mixed", "neutral")}
        assert shares(page, n, "sentiment") == {label: sum(r["sentiment"] == label for r in mine)
                                               for label in ("positive", "negative", "neutral", "mixed")}
    data = page_data(page)
    assert [[c[data["fields"].index("id")] for c in section] for section in data["sections"]] == [["a", "b", "c"], ["d"]]
    depth = data["fields"].index("depth")
    assert [c[depth] for c in data["sections"][0]] == [0, 1, 2]
    assert data["sections"][0][1][data["fields"].index("text")] == COMMENTS[1]["text"]  # whole, though it holds </script>
    assert page.count("</script>") == 2  # the data's own and the script's: the comment's is escaped
    assert "labels read as they are from" in page and "labelled by the model" not in page
    assert '<section class="overview">' in page and page.count('href="#section-') == 2


def test_comments_without_labels_are_classified_on_the_way(tiny_classifier_dir: Path, comments: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    code, _, err = run(["report", str(comments), "-o", str(out), "--model", str(tiny_classifier_dir), "--precision", "fp32"], capsys)
    assert code == 0, err
    assert "4 labelled now" in err
    page = out.read_text(encoding="utf-8")
    assert sum(shares(page, 0, "stance").values()) == 3 and sum(shares(page, 1, "stance").values()) == 1
    assert f"labelled by the model {tiny_classifier_dir.resolve()}" in unescape(page)


def test_a_csv_output_of_classify_reads_as_well(tiny_classifier_dir: Path, comments: Path, tmp_path: Path, capsys) -> None:
    labelled = tmp_path / "labelled.csv"
    assert run(["classify", str(comments), "--model", str(tiny_classifier_dir), "-o", str(labelled)], capsys)[0] == 0
    with labelled.open(newline="", encoding="utf-8") as handle:
        wanted = Counter(row["label"] for row in csv.DictReader(handle))
    out = tmp_path / "report.html"
    assert run(["report", str(labelled), "-o", str(out)], capsys)[0] == 0
    page = out.read_text(encoding="utf-8")
    found = Counter(shares(page, 0, "stance")) + Counter(shares(page, 1, "stance"))
    assert found == wanted


def test_the_page_fetches_nothing(tiny_classifier_dir: Path, comments: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert run(["report", str(comments), "-o", str(out), "--model", str(tiny_classifier_dir)], capsys)[0] == 0
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link |@import|url\(", page)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page


def test_a_page_without_comments_still_reports(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    page = tmp_path / "article.html"
    page.write_text("<html><head><title>Quiet news</title></head><body><article><h1>Quiet news</h1>"
                    "<p>Nothing happened today, and nobody wrote about it.</p></article></body></html>", encoding="utf-8")
    out = tmp_path / "report.html"
    code, _, err = run(["report", str(page), "-o", str(out)], capsys)
    assert code == 0, err
    assert "1 comment section, 0 comments" in err
    assert "No comments in this input" in out.read_text(encoding="utf-8")
    labelled = tmp_path / "labelled" / "article.jsonl"  # what classify writes for it: an empty file
    assert run(["classify", str(page), "--model", str(tiny_classifier_dir), "-o", str(labelled)], capsys)[0] == 0
    assert labelled.stat().st_size == 0
    code, _, err = run(["report", str(labelled.parent), "-o", str(tmp_path / "folder.html")], capsys)
    assert code == 0, err
    assert "1 comment section, 0 comments" in err and "article.jsonl" in (tmp_path / "folder.html").read_text(encoding="utf-8")


def test_bad_requests_are_one_line(comments: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(["report", str(comments), "-o", str(tmp_path / "report.txt")], capsys)
    assert code == 2 and "name an .html file" in err
    existing = tmp_path / "old.html"
    existing.write_text("mine", encoding="utf-8")
    code, _, err = run(["report", str(comments), "-o", str(existing)], capsys)
    assert code != 0 and "already exists" in err and "--force" in err and existing.read_text() == "mine"
    code, _, err = run(["report", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "r.html")], capsys)
    assert code != 0 and err.count("\n") == 1 and "missing.jsonl" in err
    assert not (tmp_path / "r.html").exists()


def test_the_language_warning_follows_the_models_languages(tmp_path: Path, capsys) -> None:
    rows = [{"id": str(n), "text": f"Das ist Kommentar {n}", "target": "Ein Artikel", "language": "de", "label": "neutral", "confidence": 0.5}
            for n in range(3)]
    labelled = write_jsonl(tmp_path / "de.jsonl", rows)
    out = tmp_path / "report.html"
    assert run(["report", str(labelled), "-o", str(out)], capsys)[0] == 0  # the bundled model: trained on English
    assert "a language the model was not trained on (de 3)" in out.read_text(encoding="utf-8")
    english = write_jsonl(tmp_path / "en.jsonl", [dict(row, language="en") for row in rows])
    assert run(["report", str(english), "-o", str(out), "--force"], capsys)[0] == 0
    assert "not trained on" not in out.read_text(encoding="utf-8")
