"""The command line end to end on the tiny model: outputs, exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import REPO, run, stance_cli
from samples import DISQUS, PAGE, WORDPRESS


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_classify_jsonl_has_one_record_per_comment(page: Path, tiny_classifier_dir: Path, capsys) -> None:
    code, out, err = run(["classify", str(page), "--model", str(tiny_classifier_dir), "--format", "jsonl"], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["author"] for r in records] == ["Ann Lee", "Bob", "Ann Lee"]
    assert all(r["label"] in r["scores"] and r["target"].startswith("Town Hall") for r in records)
    assert "3 comments:" in err


def test_classify_table_shows_summary_and_csv_goes_to_file(page: Path, tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run(["classify", str(page), "--model", str(tiny_classifier_dir), "-f", "table"], capsys)
    assert code == 0 and "Ann Lee" in out and "3 comments:" in out
    target = tmp_path / "out.csv"
    code, out, _ = run(["classify", str(page), "--model", str(tiny_classifier_dir), "-o", str(target), "--target", "buses"], capsys)
    assert code == 0 and out == ""
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 3 and rows[0]["target"] == "buses" and "score_mixed" in rows[0]
    code, _, err = run(["classify", str(page), "--model", str(tiny_classifier_dir), "-o", str(target)], capsys)
    assert code == 5 and "already exists; overwrite it only if you mean to (--force)" in err


def test_classify_reads_stdin(page: Path, tiny_classifier_dir: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode())))
    code, out, _ = run(["classify", "-", "--model", str(tiny_classifier_dir), "-f", "jsonl"], capsys)
    assert code == 0 and len(out.splitlines()) == 3


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["classify", "missing.txt"], 2, "missing.txt: cannot read"),
        (["classify", "{page}", "--target", " "], 2, "the target is empty; give the claim or article the comments respond to, or leave it out (--target)"),
        (["classify", "{page}", "--model", "{tmp}"], 4, "not a model directory"),
        (["train", "{page}", "--output", "{tmp}/m"], 2, "labelled data must be JSONL, CSV/TSV or a Label Studio export"),
        (["train", "{page}", "--output", "{tmp}/m", "--method", "full-ish"], 2, "method 'full-ish': expected one of full, lora, contrastive (--method)"),
        (["train", "{page}", "--output", "{tmp}/m", "--max-length", "8"], 2, "max_length 8: expected 16 tokens or more (--max-length)"),
        (["train", "{page}", "--output", "{tmp}/m", "--trainable-layers", "some"], 2, "trainable_layers 'some': expected a whole number, 0 or more, or 'all' (--trainable-layers)"),
        (["train", "{page}", "--output", "{tmp}/m", "--precision", "fp16"], 2, "precision 'fp16': expected one of auto, fp32, bf16 (--precision)"),
        (["train", "{page}", "--output", "{tmp}/m", "--method", "lora", "--trainable-layers", "2"], 2,
         "LoRA trains adapters on every layer; freeze layers with method 'full' (--trainable-layers / --method)"),
    ],
)
def test_errors_are_one_line_with_distinct_exit_codes(args, code, message, page: Path, tmp_path: Path, capsys) -> None:
    filled = [a.format(page=page, tmp=tmp_path) for a in args]
    got, out, err = run(filled, capsys)
    assert got == code and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_train_evaluate_export_on_toy_data(toy_labelled: Path, tiny_base_model: Path, tmp_path: Path, capsys) -> None:
    model = tmp_path / "model"
    code, out, _ = run(["train", str(toy_labelled), "-o", str(model), "--base-model", str(tiny_base_model),
                        "--epochs", "8", "--batch-size", "8", "--max-length", "32", "--learning-rate", "3e-3"], capsys)
    assert code == 0 and "macro_f1=1.000" in out
    code, out, err = run(["evaluate", str(toy_labelled), "--model", str(model), "-o", str(tmp_path / "rep"),
                          "--score", "support,oppose", "--resamples", "100", "--baseline-train", str(toy_labelled)], capsys)
    assert code == 0 and "mean_f1(support,oppose)" in out and f"baselines trained on {toy_labelled} (48 comments)" in out
    assert all((tmp_path / "rep" / name).exists() for name in ("confusion_matrix.png", "reliability.png", "report.md"))
    saved = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert saved["systems"]["model"]["metrics"]["macro_f1"] == 1.0 and saved["headline"] == "mean_f1(support,oppose)"
    code, out, _ = run(["compare", str(tmp_path / "rep"), str(tmp_path / "rep" / "report.json")], capsys)
    assert code == 0 and out.count("1.000 [1.00, 1.00]") >= 2
    code, _, err = run(["evaluate", str(toy_labelled), "--model", str(model), "-o", str(tmp_path / "rep")], capsys)
    assert code == 5 and "already exists" in err
    code, out, _ = run(["export", str(model), str(tmp_path / "plain")], capsys)
    assert code == 0 and (tmp_path / "plain" / "config.json").exists()


def test_train_on_a_log_shows_plain_progress_lines_and_no_library_noise(
    toy_labelled: Path, tiny_base_model: Path, tmp_path: Path
) -> None:
    # A fresh process: transformers' own log handler writes to the real stderr, which capsys does not see.
    done = stance_cli("train", str(toy_labelled), "-o", str(tmp_path / "model"), "--base-model", str(tiny_base_model),
                      "--epochs", "2", "--batch-size", "8", "--max-length", "32")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"training stance on 48 comments from {toy_labelled}, starting from {tiny_base_model}"
    assert lines[1].startswith("ran the frozen layers once on 48 windows in ")  # every training and validation comment
    assert lines[2].split() == ["validation:", "epoch", "train_loss", "val_loss", "macro_f1", "accuracy"]
    assert lines[3].split()[0] == "1.000" and lines[4].split()[0] == "2.000"
    assert lines[5].startswith("trained 12 steps (2.00 epochs) in ") and lines[6] == f"model written to {tmp_path / 'model'}"
    assert len(lines) == 7  # no load report, no bars, no library warnings


def test_evaluate_cv_writes_its_own_report_and_refuses_options_it_would_ignore(
    toy_labelled: Path, tiny_base_model: Path, tmp_path: Path, capsys
) -> None:
    training = ["--base-model", str(tiny_base_model), "--epochs", "1", "--max-length", "32"]
    code, _, err = run(["evaluate", str(toy_labelled), "--cv", "2", "--model", "x", "-o", str(tmp_path / "cv"), *training], capsys)
    assert code == 2 and "--model" in err and not (tmp_path / "cv").exists()
    code, out, err = run(["evaluate", str(toy_labelled), "--cv", "2", "-o", str(tmp_path / "cv"), *training], capsys)
    assert code == 0 and "2-fold cross-validation on 48 comments" in out
    assert [line for line in err.splitlines() if line.startswith("fold ")] == [
        "fold 1/2: training on 24 comments, scoring 24", "fold 2/2: training on 24 comments, scoring 24"]
    saved = json.loads((tmp_path / "cv" / "cv_report.json").read_text())
    assert saved["k"] == 2 and len(saved["model_folds"]) == 2 and not (tmp_path / "cv" / "report.json").exists()


def test_table_shows_comment_text_literally(tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:
    path = tmp_path / "markup.jsonl"
    path.write_text(json.dumps({"text": "[deleted] by mod [/b] odd"}) + "\n", encoding="utf-8")
    code, out, _ = run(["classify", str(path), "--target", "t", "--model", str(tiny_classifier_dir), "-f", "table"], capsys)
    assert code == 0 and "[deleted] by mod [/b] odd" in out


def test_extract_writes_comment_records_and_describes_the_thread(tmp_path: Path, capsys) -> None:

    page = tmp_path / "saved.html"
    page.write_text(WORDPRESS, encoding="utf-8")
    code, out, err = run(["extract", str(page), "-f", "jsonl"], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["author"], r["parent"]) for r in records] == [
        ("comment-11", "Priya", None), ("comment-12", "Tom", "comment-11"), ("comment-14", "Ola", None),
    ]
    assert "3 comments (1 replies, 0 deleted or spam)" in err


def test_classify_html_page_and_leave_flagged_comments_out(tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:

    export = tmp_path / "export.xml"
    export.write_text(DISQUS, encoding="utf-8")
    extracted = [json.loads(line) for line in run(["extract", str(export), "-f", "jsonl"], capsys)[1].splitlines()]
    kept = [r["id"] for r in extracted if r["status"] is None]
    assert 0 < len(kept) < len(extracted)
    args = ["classify", str(export), "--model", str(tiny_classifier_dir), "--target", "x", "-f", "jsonl"]
    code, out, _ = run(args, capsys)
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == kept
    code, out, _ = run([*args, "--include-removed"], capsys)
    assert len(out.splitlines()) == len(extracted)


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"kind": "Listing"}', "not a known export"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        (b'<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY a "aa">]><disqus xmlns="http://disqus.com">&a;</disqus>', "refuses to expand"),
    ],
)
def test_bad_pages_get_one_line_errors(content: bytes, message: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / ("input.json" if content.startswith(b"{") else "input.xml")
    path.write_bytes(content)
    code, out, err = run(["extract", str(path)], capsys)
    assert code == 2 and message in err and str(path) in err and out == ""
    assert err.count("\n") == 1


def test_classify_a_real_saved_page(tiny_classifier_dir: Path, capsys) -> None:
    from conftest import shared_file

    page = shared_file("pages/californiaglobe.com.amazon.html")
    code, out, err = run(["classify", str(page), "--model", str(tiny_classifier_dir), "-f", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 12
    assert all(row["target"].startswith("Amazon Liable") for row in rows)
    assert "12 comments (2 replies" in err


def test_version_and_info_say_what_a_bug_report_needs(tmp_path: Path, capsys, monkeypatch) -> None:
    from importlib import metadata

    import stance
    from stance.model.storage import DEFAULT_MODEL_DIR

    code, out, _ = run(["--version"], capsys)
    assert (code, out) == (0, f"stance {stance.__version__}\n")
    cache = tmp_path / "cache"
    (cache / "export").mkdir(parents=True)
    (cache / "export" / "model.int8.onnx").write_bytes(b"\0" * 3 * 2**20)
    monkeypatch.setenv("STANCE_CACHE", str(cache))
    code, out, _ = run(["info"], capsys)
    assert code == 0
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line and not line.startswith("  "))
    assert lines["stance"] == stance.__version__ and lines["torch"] == metadata.version("torch")
    assert lines["onnxruntime"] == metadata.version("onnxruntime")
    assert lines["default model"] == str(DEFAULT_MODEL_DIR)
    assert lines["int8 cache"] == f"{cache} (3.0 MiB)"
    assert lines["auto device"] in ("cpu", "cuda", "mps") and lines["auto precision"].split()[0] in ("int8", "bf16", "fp32")
    if lines["auto device"] == "cpu":  # the path chosen for this CPU, and why
        from stance.model.precision import cpu_precision

        assert lines["auto precision"] == f"{cpu_precision()[0]} ({cpu_precision()[1]})"
    assert lines["auto training precision"] in ("bf16", "fp16", "fp32") and lines["CPU features"]
    # Every figure the bundled model's stance.json stores (its card's table is rendered from them).
    from stance.model.storage import ModelSettings
    from stance.training.model_card import describe_figure

    figures = ModelSettings.read(DEFAULT_MODEL_DIR).figures
    listed = out.split("model figures:\n", 1)[1].splitlines()[: len(figures)]
    assert listed == [f"  {describe_figure(figure)}" for figure in figures]


def test_the_default_model_ships_inside_the_package() -> None:
    from stance.model.storage import DEFAULT_MODEL_DIR

    package = REPO / "stance" / "model"
    assert DEFAULT_MODEL_DIR.resolve().parent == package.resolve()
    assert {"stance.json", "delta.safetensors", "tokenizer.json", "README.md"} <= {p.name for p in DEFAULT_MODEL_DIR.iterdir()}


def test_classify_gives_stance_and_sentiment_with_their_cross_tab(page: Path, tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    code, out, err = run(["classify", str(page), "--model", str(tiny_classifier_dir), "-f", "jsonl"], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert all(r["sentiment"] in r["sentiment_scores"] and r["sentiment_confidence"] == max(r["sentiment_scores"].values()) for r in records)
    pairs = [(r["label"], r["sentiment"]) for r in records]
    summary = err.splitlines()[-3:]
    assert summary[1].startswith("sentiment: ") and f"{pairs[0][1]} {sum(p[1] == pairs[0][1] for p in pairs)} (" in summary[1]
    assert summary[2].startswith("stance by sentiment: ") and f"{pairs[0][0]}: " in summary[2]
    target = tmp_path / "out.csv"
    assert run(["classify", str(page), "--model", str(tiny_classifier_dir), "-o", str(target)], capsys)[0] == 0
    row = next(csv.DictReader(io.StringIO(target.read_text())))
    assert {"sentiment", "sentiment_confidence", "sentiment_score_positive", "sentiment_score_mixed", "score_support"} <= set(row)
    code, out, _ = run(["classify", str(page), "--model", str(tiny_classifier_dir), "-f", "table"], capsys)
    assert code == 0 and "sentiment" in out.splitlines()[1] and "stance by sentiment:" in out


def test_a_stance_only_model_writes_no_sentiment_fields(page: Path, tiny_stance_only_dir: Path, capsys) -> None:
    code, out, err = run(["classify", str(page), "--model", str(tiny_stance_only_dir), "-f", "jsonl"], capsys)
    assert code == 0 and not any("sentiment" in key for key in json.loads(out.splitlines()[0]))
    assert "sentiment" not in err


def test_evaluate_calibrate_and_export_each_task(tiny_classifier_dir: Path, copy_tiny_classifier, tmp_path: Path, capsys) -> None:
    from conftest import write_jsonl

    rows = [
        {"text": f"{word} {i}", "stance": stance, "sentiment": feeling}
        for i in range(12)
        for word, stance, feeling in (("love it", "support", "positive"), ("hate it", "oppose", "negative"), ("hmm", "", "neutral"))
    ]
    data = write_jsonl(tmp_path / "both.jsonl", rows)
    columns = ["--label-column", "stance", "--sentiment-column", "sentiment", "--target", "the plan"]
    code, out, err = run(["evaluate", str(data), "--model", str(tiny_classifier_dir), "-o", str(tmp_path / "rep"),
                          "--resamples", "100", *columns], capsys)
    assert code == 0, err
    stance = json.loads((tmp_path / "rep" / "stance" / "report.json").read_text())
    sentiment = json.loads((tmp_path / "rep" / "sentiment" / "report.json").read_text())
    assert (stance["task"], stance["n"], sentiment["task"], sentiment["n"]) == ("stance", 24, "sentiment", 36)
    assert (tmp_path / "rep" / "sentiment" / "confusion_matrix.png").exists() and "36 comments, sentiment" in out

    model = copy_tiny_classifier(tmp_path / "m")
    code, out, err = run(["calibrate", str(data), "--model", str(model), *columns], capsys)
    assert code == 0 and "sentiment, on 36 comments" in out, err
    settings = json.loads((model / "stance.json").read_text())
    assert f"{settings['heads']['sentiment']['temperature']:.3f}" in err

    assert run(["export", str(model), str(tmp_path / "plain-sentiment"), "--task", "sentiment"], capsys)[0] == 0
    exported = json.loads((tmp_path / "plain-sentiment" / "stance.json").read_text())
    assert exported["task"] == "sentiment" and exported["labels"] == ["positive", "negative", "neutral", "mixed"]
    assert exported["temperature"] == 1.0 and "heads" not in exported  # folded into the weights: plain transformers agrees
    code, _, err = run(["evaluate", str(data), "--cv", "2", "-o", str(tmp_path / "cv"), *columns], capsys)
    assert code == 2 and "cross-validation scores stance only so far" in err


def test_threads_come_from_the_flag_or_stance_threads(tiny_classifier_dir: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    common = ["classify", str(page), "--model", str(tiny_classifier_dir), "-f", "jsonl"]
    code, default, _ = run(common, capsys)
    code_one, single, _ = run([*common, "--threads", "1"], capsys)
    assert code == code_one == 0 and single == default
    monkeypatch.setenv("STANCE_THREADS", "0")
    code, _, err = run(common, capsys)
    assert code == 2 and "threads 0: expected a whole number of CPU threads, 1 or more (--threads)" in err


def test_an_empty_comment_is_written_with_empty_labels_in_every_format(tiny_classifier_dir: Path, tmp_path: Path, capsys) -> None:
    import pyarrow.parquet as pq
    from conftest import write_jsonl

    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "", "target": "the plan"}, {"text": "Good plan", "target": "the plan"}])
    for suffix in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"out.{suffix}"
        code, _, err = run(["classify", str(source), "--model", str(tiny_classifier_dir), "-o", str(out)], capsys)
        assert code == 0, err
        if suffix == "jsonl":
            rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        elif suffix == "csv":
            rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        else:
            rows = pq.read_table(out).to_pylist()
        assert rows[0].keys() == rows[1].keys()
        assert rows[0]["label"] in (None, "") and rows[0]["sentiment"] in (None, "")
        assert rows[1]["label"] and rows[1]["sentiment"]


@pytest.mark.parametrize(
    ("table", "flags"),
    [("text,target\nI love it,the plan\n\"Not me, no\",the plan\n", []),
     ("body\ttarget\nI love it\tthe plan\nNot me, no\tthe plan\n", ["--text-column", "body"])],
    ids=["csv", "tsv with its own text column"],
)
def test_a_table_without_a_table_name_is_read_as_a_table(table: str, flags: list[str], tmp_path: Path) -> None:
    """Through a pipe, or in a file named otherwise, a header naming the text column makes it CSV/TSV, not a page."""
    renamed = tmp_path / "comments.dat"
    renamed.write_text(table, encoding="utf-8")
    for source, stdin in (("-", table), (str(renamed), None)):
        done = stance_cli("extract", source, "-f", "jsonl", *flags, stdin=stdin)
        assert done.returncode == 0, done.stderr
        records = [json.loads(line) for line in done.stdout.splitlines()]
        assert [(r["text"], r["target"], r["author"]) for r in records] == [("I love it", "the plan", None), ("Not me, no", "the plan", None)]


def test_label_map_lets_evaluate_and_train_read_a_set_with_its_own_label_names(
    tiny_classifier_dir: Path, tiny_base_model: Path, tmp_path: Path, capsys
) -> None:
    from conftest import write_jsonl

    words = {"deny": "never true", "support": "so true", "query": "is it true", "unrelated": "cats"}
    data = write_jsonl(tmp_path / "rumour.jsonl", [{"text": f"{words[label]} {i}", "label": label, "target": "the rumour"}
                                                   for i in range(8) for label in words])
    renames = ["--label-map", "deny=oppose,query=neutral,unrelated=drop"]
    code, _, err = run(["evaluate", str(data), "--model", str(tiny_classifier_dir), "--resamples", "100", "-o", str(tmp_path / "r")], capsys)
    assert code != 0 and "'deny'" in err and "--label-map" in err
    code, out, err = run(["evaluate", str(data), "--model", str(tiny_classifier_dir), "--resamples", "100", "-o", str(tmp_path / "r"), *renames], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "r" / "report.json").read_text())["n"] == 24  # the 8 unrelated ones dropped
    code, _, err = run(["train", str(data), "--base-model", str(tiny_base_model), "--epochs", "1", "--max-length", "32",
                        "-o", str(tmp_path / "m"), *renames], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "m" / "config.json").read_text())["id2label"] == {"0": "support", "1": "oppose", "2": "neutral"}


def test_resume_of_a_finished_output_says_there_is_nothing_left_to_do(
    page: Path, toy_labelled: Path, tiny_classifier_dir: Path, tiny_base_model: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "labels.jsonl"
    assert run(["classify", str(page), "--model", str(tiny_classifier_dir), "-o", str(out)], capsys)[0] == 0
    written = out.read_bytes()
    code, _, err = run(["classify", str(page), "--model", str(tiny_classifier_dir), "-o", str(out), "--resume"], capsys)
    assert code == 0 and f"{out}: complete already; nothing left to resume" in err and out.read_bytes() == written
    model = tmp_path / "model"
    train = ["train", str(toy_labelled), "--base-model", str(tiny_base_model), "--epochs", "1", "--max-length", "32", "-o", str(model)]
    assert run(train, capsys)[0] == 0
    weights = (model / "model.safetensors").stat().st_mtime_ns
    code, _, err = run([*train, "--resume"], capsys)
    assert code == 0 and f"{model}: trained already; nothing left to resume" in err
    assert (model / "model.safetensors").stat().st_mtime_ns == weights
