"""data/real: every labelled comment is found again in ../shared, unchanged, on the right side of the split."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED

from scripts.shared_data import REAL, all_comments, load_real


@pytest.fixture(scope="module")
def labels() -> list[dict]:
    if not SHARED.exists():
        pytest.skip("needs ../shared")
    return [json.loads(line) for line in (REAL / "labels.jsonl").read_text(encoding="utf-8").splitlines()]


def test_every_label_row_finds_its_comment_unchanged(labels: list[dict]) -> None:
    comments = all_comments()
    assert len(labels) >= 800 and len({row["id"] for row in labels}) == len(labels)
    for row in labels:
        assert comments[row["id"]].fingerprint() == row["sha1"], row["id"]
        assert row["stance"] in ("support", "oppose", "mixed", "neutral")
        assert row["sentiment"] in ("positive", "negative", "mixed", "neutral")
    train, test = load_real("train"), load_real("test")
    assert len(train) + len(test) == len(labels)
    assert sum(row["stance"] == "mixed" for _, row in test) >= 10


def test_no_page_comment_body_or_debate_is_on_both_sides_of_the_split(labels: list[dict]) -> None:
    def thread(comment_id: str) -> str:
        source, *rest = comment_id.split("/")
        # ARC: the comment body (the body_id split); IAC: the discussion; FanChuan: the topic's split; pages: the page
        return {"arc": f"arc/{rest[0]}", "iac": f"iac/{rest[1]}", "fanchuan": f"fanchuan/{rest[0]}"}.get(source, f"{source}/{rest[0]}")

    sides: dict[str, set[str]] = {}
    for row in labels:
        sides.setdefault(thread(row["id"]), set()).add(row["split"])
    assert all(len(split) == 1 for split in sides.values())
