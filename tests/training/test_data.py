"""Loading and validating labelled comments."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import write_jsonl

from stance.core.labelled import LabelledComment, check_label_set, tasks_of
from stance.errors import ConfigError, DataError
from stance.training.data import drop_targets, load_labelled, split_validation


def test_labels_are_normalised_and_targets_default(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [
        {"text": "yes", "label": "FAVOR"}, {"text": "no", "label": "against", "target": "t"}, {"text": "eh", "label": "none"},
    ])
    rows = load_labelled(path, default_target="fallback")
    assert [(r.label, r.target) for r in rows] == [("support", "fallback"), ("oppose", "t"), ("neutral", "fallback")]


def test_csv_with_mapped_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("comment,stance\nGood,support\nBad,oppose\n", encoding="utf-8")
    rows = load_labelled(path, text_column="comment", label_column="stance")
    assert rows == [LabelledComment("Good", "support"), LabelledComment("Bad", "oppose")]


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"text": "a"}], r"d.jsonl:1: missing column 'label' \(found: text\)"),
        ([{"text": "a", "label": "support"}, {"text": " ", "label": "oppose"}], r"d.jsonl:2: empty or non-text 'text'"),
        ([{"text": "a", "label": ""}], r"d.jsonl:1: empty or non-text 'label'"),
    ],
)
def test_malformed_rows_name_file_and_line(tmp_path: Path, rows: list[dict], message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_labelled(write_jsonl(tmp_path / "d.jsonl", rows))


def test_the_text_replied_to_is_read_where_the_file_has_it(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [
        {"text": "No, you're wrong.", "label": "oppose", "parent_text": "It is a fine plan."},
        {"text": "Good plan.", "label": "support", "in_reply_to": "Whatever."},
    ])
    assert [e.parent for e in load_labelled(path)] == ["It is a fine plan.", ""]
    assert [e.parent for e in load_labelled(path, parent_column="in_reply_to")] == ["", "Whatever."]
    with pytest.raises(DataError, match=r"d.jsonl:1: non-text 'parent_text' value: 3"):
        load_labelled(write_jsonl(tmp_path / "d.jsonl", [{"text": "a", "label": "support", "parent_text": 3}]))


def test_label_set_checks() -> None:
    with pytest.raises(DataError, match="at least two labels"):
        check_label_set([LabelledComment("a", "support")] * 3, "x")
    with pytest.raises(DataError, match=r"labels \['sarcasm'\] are not among"):
        check_label_set([LabelledComment("a", "sarcasm")], "x", known=["support", "oppose"])


def test_validation_split_is_stratified_and_disjoint() -> None:
    rows = [LabelledComment(f"s{i}", "support") for i in range(60)] + [LabelledComment(f"o{i}", "oppose") for i in range(40)]
    rows.append(LabelledComment("only one", "mixed"))
    train, val = split_validation(rows, 0.1, seed=1)
    assert len(train) + len(val) == len(rows) and not set(train) & set(val)
    assert Counter(r.label for r in val) == {"support": 6, "oppose": 4}
    assert LabelledComment("only one", "mixed") in train


def test_too_small_for_a_validation_split_is_a_data_error() -> None:
    rows = [LabelledComment("a", "support"), LabelledComment("c", "oppose")]
    with pytest.raises(DataError, match="too few labelled comments"):
        split_validation(rows)
    train, val = split_validation([*rows, LabelledComment("b", "support")])  # one label of two comments splits
    assert [r.text for r in val] in (["a"], ["b"]) and len(train) == 2


def test_target_dropout_blanks_a_seeded_share_of_targets() -> None:
    rows = [LabelledComment(f"comment {i}", "support", "the plan") for i in range(400)]
    dropped = drop_targets(rows, 0.25, seed=3)
    blanked = sum(row.target == "" for row in dropped)
    assert 60 < blanked < 140
    assert dropped == drop_targets(rows, 0.25, seed=3)
    assert [row.text for row in dropped] == [row.text for row in rows]


def test_a_sentiment_column_lets_each_row_carry_either_label(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("text,stance,sentiment\nGood plan,favor,POS\nBad plan,against,\nSo sad,,neg\n", encoding="utf-8")
    rows = load_labelled(path, label_column="stance", sentiment_column="sentiment")
    assert [(row.label, row.sentiment) for row in rows] == [("support", "positive"), ("oppose", None), (None, "negative")]
    assert [row.gold("sentiment") for row in rows] == ["positive", None, "negative"]
    assert tasks_of(rows) == ["stance", "sentiment"] and tasks_of(rows[1:2]) == ["stance"]
    path.write_text("text,stance,sentiment\nGood plan,favor,pos\nNothing here,,\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"{path}:3: neither a 'stance' nor a 'sentiment' label"):
        load_labelled(path, label_column="stance", sentiment_column="sentiment")
    path.write_text("text,stance,sentiment\nGood plan,favor,pos\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"{path}: no row has a 'feeling' column \(found: sentiment, stance, text\)"):
        load_labelled(path, label_column="stance", sentiment_column="feeling")  # a misspelt column is not "no sentiment"
    with pytest.raises(DataError, match=rf"{path}: no row has a 'stanse' column .*or leave it out to train sentiment only"):
        load_labelled(path, label_column="stanse", sentiment_column="sentiment")
    path.write_text("text,sentiment\nGood plan,pos\n", encoding="utf-8")
    assert tasks_of(load_labelled(path, sentiment_column="sentiment")) == ["sentiment"]  # the default column may be absent


def test_sentiment_label_sets_are_checked_like_stance_ones(tmp_path: Path) -> None:
    rows = [LabelledComment("a", None, sentiment="positive", origin="s.jsonl:1"), LabelledComment("b", None, sentiment="positive")]
    with pytest.raises(DataError, match="every row has the sentiment label 'positive'"):
        check_label_set(rows, "training data", task="sentiment")
    with pytest.raises(DataError, match=r"sentiment labels \['positive'\] are not among the model's sentiment labels .*first at s.jsonl:1"):
        check_label_set(rows, "evaluation data", known=["negative", "neutral"], task="sentiment")
    with pytest.raises(DataError, match="no comments with a stance label"):
        check_label_set(rows, "training data", task="stance")


def test_a_label_map_renames_stance_labels_and_drops_what_it_is_told(tmp_path: Path) -> None:
    from stance.core.labels import parse_label_map

    rows = [{"text": "No way", "label": "Deny"}, {"text": "Is it?", "label": "query"}, {"text": "Cats", "label": "unrelated"},
            {"text": "Yes", "label": "favor", "sentiment": "positive"}, {"text": "Off topic but nice", "label": "unrelated", "sentiment": "positive"}]
    path = write_jsonl(tmp_path / "rumour.jsonl", rows)
    renames = parse_label_map(" deny=oppose, query=neutral ,unrelated=drop")
    plain = load_labelled(path, label_map=renames)
    assert [(e.text, e.label) for e in plain] == [("No way", "oppose"), ("Is it?", "neutral"), ("Yes", "support")]
    both = load_labelled(path, label_map=renames, sentiment_column="sentiment")
    assert [(e.text, e.label, e.sentiment) for e in both][-1] == ("Off topic but nice", None, "positive")
    with pytest.raises(DataError, match="the label map dropped every one"):
        load_labelled(path, label_map={"deny": "drop", "query": "drop", "unrelated": "drop", "favor": "drop"})
    for malformed in ("deny", "deny=", "=oppose"):
        with pytest.raises(ConfigError, match=r"is not FROM=TO"):
            parse_label_map(malformed)


def test_every_missing_column_is_named_at_once(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"body": "a", "stance": "favor"}])
    with pytest.raises(DataError, match=r"d.jsonl:1: missing columns 'text', 'label', 'topic' \(found: body, stance\)"):
        load_labelled(path, group_column="topic")


def test_rows_left_blank_are_skipped_and_counted_but_a_misnamed_column_is_still_an_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "part.jsonl", [{"text": "a", "stance": "support"}, {"text": "b", "stance": " "}, {"text": "c", "stance": "oppose"}])
    unlabelled: list[str] = []
    assert [e.text for e in load_labelled(path, label_column="stance", unlabelled=unlabelled)] == ["a", "c"]
    assert unlabelled == [f"{path}:2"]
    with pytest.raises(DataError, match=r"part.jsonl:2: empty or non-text 'stance' value"):
        load_labelled(path, label_column="stance")  # without the list, a blank label is an error, as before
    with pytest.raises(DataError, match=r"part.jsonl:1: missing column 'label'"):
        load_labelled(path, unlabelled=[])
    write_jsonl(path, [{"text": "a", "stance": ""}])
    with pytest.raises(DataError, match=r"no labelled rows found \(1 rows with every label blank\)"):
        load_labelled(path, label_column="stance", unlabelled=[])
