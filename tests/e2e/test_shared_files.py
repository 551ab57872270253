"""Every real file in ../shared through the CLI, as a user runs it: `stance extract` finds the count the
file's own index or structure gives, and `stance classify` labels every comment that is not flagged."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from conftest import SHARED, stance_cli
from samples import stub_counts

pytestmark = pytest.mark.e2e
PAGES = SHARED / "pages"
EXPORTS = SHARED / "exports"


def _page_counts() -> dict[str, int]:
    """Comment counts from pages/INDEX.tsv; pages marked NEGATIVE hold none in their HTML."""
    if not (PAGES / "INDEX.tsv").exists():
        return {}
    with open(PAGES / "INDEX.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        row["file"]: 0 if row["description"].startswith("NEGATIVE") else int(re.search(r"(\d+) comments", row["description"])[1])
        for row in rows
    }


def _export_counts() -> dict[str, int]:
    """Comment counts read off each export's own structure, independently of the parsers."""
    counts: dict[str, int] = {}
    for path in sorted(EXPORTS.glob("*")) if EXPORTS.exists() else []:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            counts[path.name] = stub_counts(json.loads(text)[1])[0]
        elif "<disqus" in text:
            counts[path.name] = len(re.findall(r"<post\b", text))
        else:  # WordPress: every <wp:comment> but the pingbacks and trackbacks
            pings = len(re.findall(r"<wp:comment_type>(?:<!\[CDATA\[)?(?:pingback|trackback)", text))
            counts[path.name] = text.count("<wp:comment>") - pings
    return counts


EXPECTED = {**_page_counts(), **_export_counts(), "seed_article.txt": 5}


def _path(name: str) -> Path:
    for folder in (PAGES, EXPORTS, SHARED / "examples"):
        if (folder / name).exists():
            return folder / name
    pytest.skip(f"needs ../shared/{name}")


def _records(*args: str) -> list[dict]:
    done = stance_cli(*args, "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.skipif(not EXPECTED.keys() - {"seed_article.txt"}, reason="needs ../shared/pages and ../shared/exports")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_extract_then_classify_every_real_file(name: str) -> None:
    path = _path(name)
    extracted = _records("extract", str(path))
    assert len(extracted) == EXPECTED[name]
    classified = _records("classify", str(path))
    kept = [record for record in extracted if record["status"] is None]
    assert [(r["id"], r["text"]) for r in classified] == [(r["id"], r["text"]) for r in kept]
    assert all(r["label"] in ("support", "oppose", "mixed", "neutral") and r["target"] for r in classified)
