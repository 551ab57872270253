"""Classifying comment files as streams: whole outputs, and runs that resume without repeating a record."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import kill_when, run

from stance.classify.run import classify_file
from stance.files import partial_path
from stance.model.classifier import StanceClassifier


def comment_file(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": f"c{i}", "text": f"comment number {i} " + "word " * (i % 7)}) + "\n")
    return path


def records(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_resume_keeps_whole_records_and_classifies_only_the_rest(suffix: str, tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    source = comment_file(tmp_path / "comments.jsonl", 50)
    reference, output = tmp_path / f"reference{suffix}", tmp_path / f"out{suffix}"
    # fp32: int8 scores move slightly with the batch a comment shares, and a resumed run batches differently.
    args = ["--model", str(tiny_classifier_dir), "--target", "the plan", "--precision", "fp32"]
    assert run(["classify", str(source), "-o", str(reference), *args], capsys)[0] == 0
    full = reference.read_text(encoding="utf-8")
    # An interrupted run: 20 whole records, then one cut off half-way.
    lines = full.splitlines(keepends=True)
    kept = 21 if suffix == ".csv" else 20  # CSV has a header line
    partial_path(output).write_text("".join(lines[:kept]) + lines[kept][: len(lines[kept]) // 2], encoding="utf-8")
    code, _, err = run(["classify", str(source), "-o", str(output), *args, "--resume"], capsys)
    assert code == 0 and "kept 20 records" in err and "50 comments" in err
    assert not partial_path(output).exists()
    assert [r["id"] for r in records(output)] == [f"c{i}" for i in range(50)]
    assert [r["label"] for r in records(output)] == [r["label"] for r in records(reference)]


def test_an_existing_output_is_not_overwritten_and_no_partial_is_left(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    source = comment_file(tmp_path / "comments.jsonl", 5)
    output = tmp_path / "out.jsonl"
    args = ["classify", str(source), "-o", str(output), "--model", str(tiny_classifier_dir), "--target", "t"]
    assert run(args, capsys)[0] == 0 and len(records(output)) == 5 and not partial_path(output).exists()
    code, _, err = run(args, capsys)
    assert code == 5 and "(--force)" in err
    code, _, err = run(["classify", str(source), "--resume", "--model", str(tiny_classifier_dir)], capsys)
    assert code == 2 and "--resume" in err


def test_stream_reads_gzip_and_matches_the_in_memory_path(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    import gzip

    plain = comment_file(tmp_path / "c.jsonl", 30)
    zipped = tmp_path / "c.jsonl.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    streamed = classify_file(str(zipped), classifier, str(tmp_path / "a.jsonl"), "jsonl", target="t")
    assert streamed.summary.total == 30
    direct = classifier.predict([r["text"] for r in records(plain)], "t")
    assert [r["label"] for r in records(tmp_path / "a.jsonl")] == [p.label for p in direct]


def test_a_killed_run_resumes_without_writing_a_record_twice(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    source = comment_file(tmp_path / "big.jsonl", 20000)
    output = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "stance", "classify", str(source), "-o", str(output),
               "--model", str(tiny_classifier_dir), "--target", "t"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, env=os.environ | {"PYTHONUNBUFFERED": "1"})
    partial = partial_path(output)
    if not kill_when(process, lambda: partial.exists() and partial.stat().st_size > 0):
        pytest.skip("the run finished before it could be killed")
    assert not output.exists() and partial_path(output).exists()
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ids = [r["id"] for r in records(output)]
    assert len(ids) == len(set(ids)) == 20000


def test_a_bad_record_later_on_still_hands_back_the_chunks_classified_before_it(tiny_classifier_dir: Path) -> None:
    from stance.classify.stream import classify_comments
    from stance.errors import InputError
    from stance.extract.thread import Comment

    def comments():  # noqa: ANN202
        for i in range(10):
            yield Comment(id=str(i), text=f"comment {i}")
        raise InputError("comments.jsonl:11: not JSON")

    results = []
    with pytest.raises(InputError, match="comments.jsonl:11"):
        for result in classify_comments(comments(), StanceClassifier.from_pretrained(tiny_classifier_dir), "t", chunk_size=4):
            results.append(result.comment.id)
    assert results == [str(i) for i in range(8)]  # the two whole chunks read before the bad line


def test_a_run_begun_by_a_model_with_other_outputs_is_not_resumed_by_this_one(
    tiny_classifier_dir: Path, tiny_stance_only_dir: Path, tmp_path: Path, capsys
) -> None:
    source = comment_file(tmp_path / "comments.jsonl", 10)
    output = tmp_path / "out.csv"
    args = ["--target", "the plan", "--precision", "fp32"]
    assert run(["classify", str(source), "-o", str(output), "--model", str(tiny_stance_only_dir), *args], capsys)[0] == 0
    partial_path(output).write_text("".join(output.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8")
    output.unlink()
    code, _, err = run(["classify", str(source), "-o", str(output), "--model", str(tiny_classifier_dir), *args, "--resume"], capsys)
    assert code == 5 and "the records written so far hold stance, this model gives sentiment and stance" in err
    kept = list(csv.DictReader(io.StringIO(partial_path(output).read_text(encoding="utf-8"))))
    assert len(kept) == 4 and not output.exists()  # the earlier records are kept for a proper resume


def _classify_cli(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stance", "classify", *args], capture_output=True, text=True, timeout=120, **kwargs)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_with_a_slow_writer_is_read_once_and_whole(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    import threading
    import time

    fifo = tmp_path / "comments"
    os.mkfifo(fifo)
    lines = [json.dumps({"id": f"c{i}", "text": f"comment {i}"}) + "\n" for i in range(5)]

    def write_slowly() -> None:
        with open(fifo, "w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(line)
                handle.flush()
                time.sleep(0.2)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    done = _classify_cli([str(fifo), "--target", "t", "--model", str(tiny_classifier_dir), "-f", "jsonl", "--input-format", "jsonl"])
    writer.join()
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [f"c{i}" for i in range(5)]


@pytest.mark.parametrize("compress", [False, True])
def test_a_pipe_opened_by_path_is_sniffed_and_read_from_one_opening(
    compress: bool, tiny_classifier_dir: Path, tmp_path: Path
) -> None:
    import gzip

    data = comment_file(tmp_path / "c.jsonl", 4).read_bytes()
    # /dev/stdin is a pipe here, as <(cat c.jsonl) is: it can be read once, and not sought.
    done = subprocess.run(
        [sys.executable, "-m", "stance", "classify", "/dev/stdin", "--target", "t", "--model", str(tiny_classifier_dir), "-f", "jsonl"],
        input=gzip.compress(data) if compress else data, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["c0", "c1", "c2", "c3"]
