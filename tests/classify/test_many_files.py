"""Classifying many files into a folder on the local engine: naming, whole files, resuming file by file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import read_jsonl as lines
from conftest import run, write_jsonl

from stance.classify.many_files import find_inputs, plan_outputs
from stance.errors import InputError


def comment_file(path: Path, n: int, prefix: str) -> Path:
    return write_jsonl(path, [{"id": f"{prefix}{i}", "text": f"{prefix} comment {i}"} for i in range(n)])


def test_inputs_are_found_by_folder_glob_and_name_and_named_after_their_place(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    comment_file(dump / "2019" / "RC_01.jsonl", 2, "a")
    comment_file(dump / "2020" / "RC_01.jsonl", 2, "b")
    (dump / "README.md").write_text("not comments")
    (dump / ".hidden").mkdir()
    comment_file(dump / ".hidden" / "x.jsonl", 1, "h")
    by_folder = plan_outputs(find_inputs([str(dump)]), tmp_path / "out", "parquet")
    assert [(job.source.relative_to(dump).as_posix(), job.output.relative_to(tmp_path).as_posix()) for job in by_folder] == [
        ("2019/RC_01.jsonl", "out/2019/RC_01.parquet"), ("2020/RC_01.jsonl", "out/2020/RC_01.parquet"),
    ]
    by_glob = find_inputs([f"{dump}/*/RC_01.jsonl", str(dump / "2019" / "RC_01.jsonl")])  # named twice: read once
    assert [path.relative_to(dump).as_posix() for path, _ in by_glob] == ["2019/RC_01.jsonl", "2020/RC_01.jsonl"]
    assert plan_outputs([(Path("d/x.jsonl.zst"), Path("d"))], "o", "jsonl")[0].output == Path("o/x.jsonl")


def test_inputs_that_find_nothing_or_collide_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        find_inputs([str(tmp_path / "missing.jsonl")])
    with pytest.raises(InputError, match="finds no comment file"):
        find_inputs([str(tmp_path / "*.jsonl")])
    a, b = comment_file(tmp_path / "x.jsonl", 1, "a"), comment_file(tmp_path / "x.csv", 1, "b")
    with pytest.raises(InputError, match=r"x\.csv would both be written to .*x\.jsonl"):
        plan_outputs(find_inputs([str(a), str(b)]), tmp_path / "out", "jsonl")


def test_many_files_match_one_at_a_time_and_a_resume_skips_the_complete_ones(
    tiny_classifier_dir: Path, tmp_path: Path, capsys
) -> None:
    files = [comment_file(tmp_path / "in" / f"part{i}.jsonl", 5 + i, f"p{i}-") for i in range(3)]
    options = ["--model", str(tiny_classifier_dir), "--precision", "fp32", "--target", "the plan"]
    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "out"), *options], capsys)
    assert code == 0, err
    assert "3 files classified" in err and "18 comments" in err
    for i, source in enumerate(files):
        code, out, _ = run(["classify", str(source), "-f", "jsonl", *options], capsys)
        assert lines(tmp_path / "out" / f"part{i}.jsonl") == [json.loads(line) for line in out.splitlines()]

    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "out"), *options], capsys)
    assert code == 5 and "already exist" in err and "--resume" in err
    comment_file(tmp_path / "in" / "part3.jsonl", 4, "p3-")
    done = tmp_path / "out" / "part0.jsonl"
    done.write_text(done.read_text() + "\n")  # marks the file: a resume must leave it as it is
    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--resume", *options], capsys)
    assert code == 0, err
    assert "1 files classified" in err and "3 complete before, skipped" in err
    assert done.read_text().endswith("\n\n")
    assert [r["id"] for r in lines(tmp_path / "out" / "part3.jsonl")] == [f"p3-{i}" for i in range(4)]


def test_parquet_in_and_out(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([{"body": f"comment {i}", "score": i} for i in range(7)]), source)
    code, _, err = run(["classify", str(source), str(source), "-o", str(tmp_path / "out"), "-f", "parquet", "--text-column",
                        "body", "--model", str(tiny_classifier_dir), "--precision", "fp32", "--target", "the plan"], capsys)
    assert code == 0, err
    table = pq.read_table(tmp_path / "out" / "in.parquet")
    assert table.num_rows == 7 and table.column("text").to_pylist()[3] == "comment 3"
    assert {"label", "confidence", "score_support", "score_oppose"} <= set(table.column_names)
    scores = table.select([name for name in table.column_names if name.startswith("score_")]).to_pylist()
    assert all(abs(sum(row.values()) - 1) < 1e-5 for row in scores)


def test_a_folder_run_needs_a_folder_and_a_file_format(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    a, b = comment_file(tmp_path / "a.jsonl", 2, "a"), comment_file(tmp_path / "b.jsonl", 2, "b")
    code, _, err = run(["classify", str(a), str(b), "--target", "x"], capsys)
    assert code == 2 and "name a folder" in err
    code, _, err = run(["classify", str(a), str(b), "-o", str(tmp_path / "out"), "-f", "table", "--target", "x"], capsys)
    assert code == 2 and "jsonl, csv or parquet" in err
    code, _, err = run(["classify", str(a), "--workers", "2", "--target", "x"], capsys)
    assert code == 2 and "--engine ray" in err


def test_a_folder_finds_dumps_named_without_a_format_and_never_its_own_outputs(tmp_path: Path) -> None:
    import gzip

    dump = tmp_path / "dump"
    (dump / "labelled").mkdir(parents=True)
    (dump / "RC_2019-01.gz").write_bytes(gzip.compress(b'{"text": "hi"}\n'))  # Reddit's dumps: RC_2019-01.zst
    comment_file(dump / "labelled" / "old.jsonl", 1, "o")
    jobs = plan_outputs(find_inputs([str(dump)], exclude=dump / "labelled"), dump / "labelled", "jsonl")
    assert [(job.source.name, job.output.relative_to(dump).as_posix()) for job in jobs] == [("RC_2019-01.gz", "labelled/RC_2019-01.jsonl")]
    with pytest.raises(InputError, match="its output would replace it"):
        plan_outputs(find_inputs([str(dump / "labelled" / "old.jsonl")]), dump / "labelled", "jsonl")


def test_an_empty_file_gets_an_empty_output_and_a_resume_with_other_settings_is_refused(
    tiny_classifier_dir: Path, tmp_path: Path, capsys
) -> None:
    comment_file(tmp_path / "in" / "a.jsonl", 3, "a")
    (tmp_path / "in" / "empty.jsonl").write_text("")
    options = ["--model", str(tiny_classifier_dir), "--precision", "fp32"]
    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--target", "one", *options], capsys)
    assert code == 0, err
    assert (tmp_path / "out" / "empty.jsonl").read_text() == "" and len(lines(tmp_path / "out" / "a.jsonl")) == 3
    comment_file(tmp_path / "in" / "b.jsonl", 2, "b")
    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--target", "two", "--resume", *options], capsys)
    assert code == 5 and "the folder's complete output was made from target 'one', not target 'two'" in err
    assert not (tmp_path / "out" / "b.jsonl").exists()
    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--target", "two", "--force", *options], capsys)
    assert code == 0 and "3 files classified" in err
    assert {r["target"] for r in lines(tmp_path / "out" / "a.jsonl")} == {"two"}


def test_ray_or_many_inputs_into_a_file_name_is_refused(tmp_path: Path, capsys) -> None:
    a, b = comment_file(tmp_path / "a.jsonl", 1, "a"), comment_file(tmp_path / "b.jsonl", 1, "b")
    for name in ("out.jsonl", "out.ndjson", "out.pq"):
        code, _, err = run(["classify", str(a), str(b), "-o", str(tmp_path / name), "--target", "x"], capsys)
        assert code == 2 and "names a file" in err and not (tmp_path / name).exists()
