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

from stance.classify.one_file import classify_file
from stance.io.files import partial_path
from stance.io.records import complete_records
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


def _interrupt_when_written(command: list[str], output: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command``, press Ctrl-C (SIGINT) once its partial output holds something, and return how it ended."""
    import signal
    import time

    # A shell starts a background job (`pytest ... &`) with Ctrl-C ignored, and Python keeps it ignored: the
    # child gets the default back, so that it hears the signal as a user's run in a terminal does.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    partial = partial_path(output)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline and not (partial.exists() and partial.stat().st_size > 0):
        time.sleep(0.02)
    if process.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)  # at once, not after the chunk in hand
    return subprocess.CompletedProcess(command, process.returncode, out, err)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_an_interrupted_run_says_what_it_kept_and_resumes_from_any_spelling_of_the_input(
    suffix: str, tiny_classifier_dir: Path, tmp_path: Path, capsys
) -> None:
    source = comment_file(tmp_path / "comments.jsonl", 20000)
    reference, output = tmp_path / f"reference{suffix}", tmp_path / "sub" / f"out{suffix}"
    (tmp_path / "sub").mkdir()
    args = ["--model", str(tiny_classifier_dir), "--target", "the plan", "--precision", "fp32"]
    assert run(["classify", str(source), "-o", str(reference), *args], capsys)[0] == 0
    stopped = _interrupt_when_written([sys.executable, "-m", "stance", "classify", "../comments.jsonl", "-o", output.name, *args],
                                      output, cwd=tmp_path / "sub")
    assert stopped.returncode == 130 and not output.exists()
    kept = complete_records(partial_path(output), suffix[1:])
    assert f"stopped: {kept} records are in {partial_path(output).name}; the same command with --resume continues" in stopped.stderr
    with open(partial_path(output), "a", encoding="utf-8") as handle:  # a record cut off half-way by a kill
        handle.write('{"id": "c99' if suffix == ".jsonl" else "c99,half a")
    # Resumed from another folder, with the input's path spelled another way.
    code, _, err = run(["classify", str(source.resolve()), "-o", str(output), *args, "--resume"], capsys)
    assert code == 0 and f"kept {kept} records" in err and "20000 comments" in err
    assert not partial_path(output).exists() and not list(output.parent.glob("*.partial*"))
    assert [r["id"] for r in records(output)] == [f"c{i}" for i in range(20000)]
    assert [r["label"] for r in records(output)] == [r["label"] for r in records(reference)]


def test_a_resume_with_another_input_or_other_options_is_refused_and_keeps_the_records(
    tiny_classifier_dir: Path, tmp_path: Path, capsys
) -> None:
    source = comment_file(tmp_path / "comments.jsonl", 20000)
    output = tmp_path / "out.jsonl"
    args = ["--model", str(tiny_classifier_dir), "--target", "the plan"]
    assert _interrupt_when_written([sys.executable, "-m", "stance", "classify", str(source), "-o", str(output), *args],
                                   output).returncode == 130
    kept = complete_records(partial_path(output), "jsonl")
    code, _, err = run(["classify", str(source), "-o", str(output), "--model", str(tiny_classifier_dir), "--target", "a plan",
                        "--resume"], capsys)
    assert code == 5 and "was made from target 'the plan', not target 'a plan'" in err and "(--resume)" in err
    with open(source, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "late", "text": "a comment added since"}) + "\n")
    code, _, err = run(["classify", str(source), "-o", str(output), *args, "--resume"], capsys)
    assert code == 5 and "made from input {" in err and "resume with the same input and options, or start over" in err
    assert complete_records(partial_path(output), "jsonl") == kept and not output.exists()


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
    from stance.core.thread import Comment
    from stance.errors import InputError

    def comments():  # noqa: ANN202
        for i in range(10):
            yield Comment(id=str(i), text=f"comment {i}")
        raise InputError("comments.jsonl:11: not JSON")

    results = []
    with pytest.raises(InputError, match="comments.jsonl:11"):
        for result in classify_comments(comments(), StanceClassifier.from_pretrained(tiny_classifier_dir), "t", chunk_size=4):
            results.append(result.comment.id)
    assert results == [str(i) for i in range(8)]  # the two whole chunks read before the bad line


def test_a_model_trained_with_reply_context_is_given_each_replys_parent(copy_tiny_classifier, tmp_path: Path) -> None:
    from stance.classify.stream import classify_comments
    from stance.core.thread import Comment

    classifier = StanceClassifier.from_pretrained(copy_tiny_classifier(tmp_path / "model"))
    classifier.reply_context = True
    comments = [
        Comment(id="a", text="The plan is a disaster."),
        Comment(id="b", text="No, you're wrong.", parent="a"),
        Comment(id="c", text="No, you're wrong.", parent="elsewhere"),  # its parent is not in the input
        Comment(id="d", text="Agreed!", parent="b"),  # in the next chunk
    ]
    results = list(classify_comments(comments, classifier, "the plan", chunk_size=2))
    expected = classifier.predict([c.text for c in comments], "the plan", parents=[None, "The plan is a disaster.", None, "No, you're wrong."])
    for result, prediction in zip(results, expected, strict=True):
        assert result.prediction.scores == pytest.approx(prediction.scores, abs=1e-5)
    assert results[1].prediction.scores != pytest.approx(results[2].prediction.scores, abs=1e-5)


def test_a_run_begun_by_another_model_is_not_resumed_by_this_one(
    tiny_classifier_dir: Path, tiny_stance_only_dir: Path, tmp_path: Path, capsys
) -> None:
    source = comment_file(tmp_path / "comments.jsonl", 20000)
    output = tmp_path / "out.csv"
    args = ["--target", "the plan", "--precision", "fp32"]
    command = [sys.executable, "-m", "stance", "classify", str(source), "-o", str(output), "--model", str(tiny_stance_only_dir), *args]
    assert _interrupt_when_written(command, output).returncode == 130
    kept = complete_records(partial_path(output), "csv")
    code, _, err = run(["classify", str(source), "-o", str(output), "--model", str(tiny_classifier_dir), *args, "--resume"], capsys)
    assert code == 5 and f"was made from model '{tiny_stance_only_dir.resolve()}', not model '{tiny_classifier_dir.resolve()}'" in err
    assert complete_records(partial_path(output), "csv") == kept and not output.exists()  # kept for a proper resume


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


def test_a_second_run_writing_the_same_output_is_refused_while_the_first_writes(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    from stance.io.files import resumable_file

    source = comment_file(tmp_path / "comments.jsonl", 5)
    output = tmp_path / "out.jsonl"
    with resumable_file(output, "jsonl", resume=False) as (stream, _):  # a first run, still writing
        stream.write('{"id": "first"}\n')
        for force in ([], ["--force"]):
            done = _classify_cli([str(source), "--target", "t", "--model", str(tiny_classifier_dir), "-o", str(output), *force])
            assert done.returncode == 5, done.stderr
            assert done.stderr == f"stance: error: {output}: another run is writing it now ({partial_path(output)} is locked); wait for it, or write elsewhere\n"
    assert records(output) == [{"id": "first"}]  # the first run's output, whole and alone


def test_unwritable_outputs_are_one_line_errors_with_nothing_left_behind(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    source = comment_file(tmp_path / "comments.jsonl", 3)
    args = ["classify", str(source), "--target", "t", "--model", str(tiny_classifier_dir)]
    folder = tmp_path / "adir"
    folder.mkdir()
    code, _, err = run([*args, "-o", str(folder), "--force"], capsys)  # an existing folder takes the output, as cp does
    assert code == 0 and sorted(p.name for p in folder.iterdir()) == [".stance-run.json", ".stance-run.lock", "comments.jsonl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "comments.jsonl"]
    code, _, err = run([*args, "-o", str(tmp_path / "missing-file" / "x" / "\0bad.jsonl")], capsys)
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err
    if Path("/proc/self").exists():
        code, _, err = run([*args, "-o", "/proc/foo.jsonl"], capsys)
        assert code == 5 and err.startswith("stance: error: /proc/foo.jsonl: ") and err.count("\n") == 1


def test_a_full_disk_is_a_one_line_error_that_keeps_what_can_be_resumed(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        source = comment_file(tmp_path / "comments.jsonl", 3000)
        output = small / "out.jsonl"
        code, _, err = run(["classify", str(source), "--target", "t", "--model", str(tiny_classifier_dir), "-o", str(output)], capsys)
        assert code == 5 and err.count("\n") == 1
        assert f"{output}: cannot write (No space left on device)" in err
        assert not output.exists()
        if partial_path(output).exists():  # whole records there: kept, and the message says how to continue
            assert complete_records(partial_path(output), "jsonl") > 0 and "--resume continues once it can write" in err
    finally:
        subprocess.run(["umount", str(small)], capture_output=True)


def test_a_reply_context_run_keeps_only_the_recent_parents() -> None:
    from stance.classify.stream import RecentTexts

    kept = RecentTexts(capacity=3)
    for n in range(5):
        kept[f"c{n}"] = f"text {n}"
    assert list(kept) == ["c2", "c3", "c4"] and kept.get("c0") is None
    kept["c2"] = "text 2"  # read again: the most recent now
    kept["c5"] = "text 5"
    assert list(kept) == ["c4", "c2", "c5"]
