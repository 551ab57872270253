"""The Ray engine on a local two-CPU cluster: the same records as the local path, each exactly once,
whole files, resuming after a failure, Parquet and zstd. Skipped where Ray is not installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import assert_same_records, run, write_jsonl
from conftest import read_jsonl as lines

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from stance.classify.many_files import classify_files, find_inputs, plan_outputs  # noqa: E402
from stance.distributed import classify_dataset  # noqa: E402
from stance.distributed.many_files import classify_on_ray  # noqa: E402
from stance.errors import InputError  # noqa: E402
from stance.model.classifier import StanceClassifier  # noqa: E402
from stance.model.runtime import Runtime  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


TEXTS = ["I love this plan", "This is a terrible idea", "When does it start?", "Good for some, bad for others"]


def comment_file(path: Path, n: int, prefix: str) -> Path:
    """``n`` comments, each with the user's own columns (a gold label, a number) that outputs keep."""
    return write_jsonl(
        path, [{"id": f"{prefix}{i}", "text": f"{TEXTS[i % 4]} ({prefix}{i})", "label": "gold", "n": i} for i in range(n)]
    )


def test_classify_dataset_gives_the_local_labels(tiny_classifier_dir: Path) -> None:
    texts = [f"{TEXTS[i % 4]} #{i}" for i in range(40)]
    ds = ray.data.from_items([{"text": text, "n": i, "label": f"gold{i}"} for i, text in enumerate(texts)])
    rows = classify_dataset(ds, "text", "the plan", model=str(tiny_classifier_dir), workers=2, precision="fp32").take_all()
    local = StanceClassifier.from_pretrained(tiny_classifier_dir, precision="fp32").predict(texts, "the plan")
    by_n = {row["n"]: row for row in rows}
    assert sorted(by_n) == list(range(40))
    assert [by_n[i]["label"] for i in range(40)] == [p.label for p in local]
    assert [by_n[i]["input_label"] for i in range(40)] == [f"gold{i}" for i in range(40)]  # the user's, kept
    assert [by_n[i]["sentiment"] for i in range(40)] == [p.sentiment for p in local]
    assert by_n[7]["score_oppose"] == pytest.approx(local[7].scores["oppose"], abs=1e-6)


def test_classify_dataset_needs_a_target_and_text_in_every_row(tiny_classifier_dir: Path) -> None:
    ds = ray.data.from_items([{"text": "fine"}, {"text": None}])
    with pytest.raises(ValueError, match="target"):
        classify_dataset(ds, "text", model=str(tiny_classifier_dir))
    with pytest.raises(Exception, match="every row needs a text"):
        classify_dataset(ds, "text", "the plan", model=str(tiny_classifier_dir), workers=1, precision="fp32").take_all()


def _engine(model_dir: Path, fmt: str, **options):
    classifier = StanceClassifier.from_pretrained(model_dir, precision="fp32")
    return classifier, classify_on_ray(classifier, fmt, workers=2, runtime=Runtime(precision="fp32"), target="the plan", **options)


def test_the_ray_engine_writes_what_the_local_engine_writes_every_record_once(
    tiny_classifier_dir: Path, tmp_path: Path, capsys
) -> None:
    for i, n in enumerate([30, 1, 2500, 7]):  # one comment, and one of several blocks
        comment_file(tmp_path / "in" / f"part{i}.jsonl", n, f"p{i}-")
    options = ["--model", str(tiny_classifier_dir), "--precision", "fp32", "--target", "the plan"]
    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "local"), *options], capsys)
    assert code == 0, err
    classifier, engine = _engine(tiny_classifier_dir, "jsonl")
    jobs = plan_outputs(find_inputs([str(tmp_path / "in")]), tmp_path / "ray", "jsonl")
    outcome = classify_files(jobs, tmp_path / "ray", engine, classifier.tasks)
    assert outcome.summary.total == 2538 and len(outcome.classified) == 4
    for i, n in enumerate([30, 1, 2500, 7]):
        written = lines(tmp_path / "ray" / f"part{i}.jsonl")
        assert [r["id"] for r in written] == [f"p{i}-{k}" for k in range(n)]
        assert [(r["input_label"], r["n"]) for r in written] == [("gold", k) for k in range(n)]
        assert_same_records(written, lines(tmp_path / "local" / f"part{i}.jsonl"))
    assert sorted(p.name for p in (tmp_path / "ray").iterdir()) == [".stance-run.lock", *(f"part{i}.jsonl" for i in range(4))]


def test_after_a_failure_a_resume_redoes_only_the_files_not_complete(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    for i in range(3):
        comment_file(tmp_path / "in" / f"part{i}.jsonl", 20, f"p{i}-")
    broken = tmp_path / "in" / "part3.jsonl"
    broken.write_text(comment_file(broken, 20, "p3-").read_text() + '{"text": 3}\n')
    classifier, engine = _engine(tiny_classifier_dir, "jsonl")
    jobs = plan_outputs(find_inputs([str(tmp_path / "in")]), tmp_path / "out", "jsonl")
    with pytest.raises(InputError, match=r"part3\.jsonl:21: 'text' must be a string, got int$"):
        classify_files(jobs, tmp_path / "out", engine, classifier.tasks)
    assert not (tmp_path / "out" / "part3.jsonl").exists()
    before = {job.output.name: job.output.read_text() for job in jobs if job.output.exists()}
    comment_file(broken, 20, "p3-")
    outcome = classify_files(jobs, tmp_path / "out", engine, classifier.tasks, resume=True)
    assert len(outcome.skipped) == len(before) and len(outcome.classified) == 4 - len(before)
    for i, job in enumerate(jobs):
        assert [r["id"] for r in lines(job.output)] == [f"p{i}-{k}" for k in range(20)]
        assert job.output.name not in before or job.output.read_text() == before[job.output.name]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".partial")]


def test_zstd_and_parquet_in_parquet_out(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    rows = [{"body": f"{TEXTS[i % 4]} ({i})", "id": f"z{i}"} for i in range(50)]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in" / "b.parquet")
    classifier, engine = _engine(tiny_classifier_dir, "parquet", columns={"text": "body"})
    jobs = plan_outputs(find_inputs([str(tmp_path / "in")]), tmp_path / "out", "parquet")
    classify_files(jobs, tmp_path / "out", engine, classifier.tasks)
    a, b = (pq.read_table(tmp_path / "out" / name).to_pylist() for name in ("a.parquet", "b.parquet"))
    assert [r["id"] for r in a] == [r["id"] for r in b] == [f"z{i}" for i in range(50)]
    assert [r["label"] for r in a] == [r["label"] for r in b]
    assert a[0]["source"].endswith("a.jsonl.zst:1") and b[0]["source"].endswith("b.parquet:1")


def test_the_cli_runs_on_ray_and_says_what_it_did(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    comment_file(tmp_path / "in" / "a.jsonl", 5, "a")
    comment_file(tmp_path / "in" / "b.jsonl", 5, "b")
    options = ["--model", str(tiny_classifier_dir), "--precision", "fp32", "--target", "the plan", "--engine", "ray", "--workers", "1"]
    code, _, err = run(["classify", str(tmp_path / "in" / "*.jsonl"), "-o", str(tmp_path / "out"), *options], capsys)
    assert code == 0, err
    assert "2 files classified" in err and "10 comments" in err
    code, _, err = run(["classify", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--resume", *options], capsys)
    assert code == 0 and "0 files classified" in err and "2 complete before, skipped" in err
