"""A catalogue of bad inputs, each run through the command line as a user would meet it.

Every failing case must end in one ``stance: error: ...`` line on stderr that names the file (and the
line where there is one) and says what was expected, with the exit code of its kind (input 2, data 3,
model 4, output 5), no traceback, and nothing left where ``-o`` pointed. Inputs that are awkward but
readable (a legacy encoding, stray bytes, a huge page, a huge comment) must work.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CopyModel, run, write_jsonl
from samples import PAGE

INPUT, DATA, MODEL, OUTPUT = 2, 3, 4, 5

HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>Caf\u00e9 closes early</title></head>
<body>
<article><h1>Caf\u00e9 closes early</h1><p>The caf\u00e9 on Mill Street will close at 6pm from June, the owners said.</p></article>
<section id="comments">
  <div class="comment" id="comment-1"><span class="author">Zo\u00eb</span>
    <div class="comment-content"><p>{first}</p></div></div>
  <div class="comment" id="comment-2"><span class="author">Bob</span>
    <div class="comment-content"><p>{second}</p></div></div>
</section>
</body></html>
"""
FIRST = "Shame, the \u201cbest\u201d caf\u00e9 in town \u2013 and cheap at \u20ac2 a coffee."
SECOND = "Who drinks coffee after six anyway? Na\u00efve to expect otherwise."


def labelled_rows(*extra: dict[str, str]) -> list[dict[str, str]]:
    """Twelve well-formed labelled rows (lines 1-12), then ``extra`` (line 13 on)."""
    rows = [{"text": f"I love this plan {i}", "label": "support"} for i in range(6)]
    rows += [{"text": f"I hate this plan {i}", "label": "oppose"} for i in range(6)]
    return rows + list(extra)


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Models:
    tiny: Path  # a whole tiny classifier over the four stance labels, with a sentiment head
    base: Path  # a tiny base model to fine-tune
    folder: Path  # where a case may build a broken model directory
    copy: CopyModel  # copies the tiny classifier into ``folder`` for a case to damage
    stance_only: Path  # a tiny classifier without a sentiment head


@dataclass(frozen=True)
class Call:
    """What to run and what its one error line must say."""

    command: str
    source: Path | None  # the input file (None: the command takes none, e.g. a model check)
    named: str  # what the error line must name: the file, ``file:line``, or an option
    expected: str  # a regex for the part that says what was expected
    code: int
    options: tuple[str, ...] = ()


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_jsonl(path, rows)


def _page(folder: Path) -> Path:
    return _write(folder / "page.txt", PAGE)


def empty_page(folder: Path, models: Models) -> Call:
    path = _write(folder / "empty.txt", "")
    return Call("classify", path, str(path), r"the file is empty; expected a saved web page", INPUT)


def empty_comment_file(folder: Path, models: Models) -> Call:
    path = _write(folder / "empty.csv", "\n")
    return Call("classify", path, str(path), r"the file is empty; expected", INPUT, ("--target", "t"))


def empty_page_extract(folder: Path, models: Models) -> Call:
    path = _write(folder / "empty.html", "   \n\t\n")
    return Call("extract", path, str(path), r"the file is empty; expected", INPUT)


def binary_file(folder: Path, models: Models) -> Call:
    path = _write(folder / "photo.html", bytes(range(256)) * 40)
    return Call("classify", path, str(path), r"looks like a binary file; expected text, HTML, JSONL or CSV", INPUT)


def binary_comment_file(folder: Path, models: Models) -> Call:
    path = _write(folder / "dump.jsonl", b"\x00\x01\x02\x03" * 1000)
    return Call("classify", path, str(path), r"looks like a binary file; expected", INPUT, ("--target", "t"))


def truncated_gzip_html(folder: Path, models: Models) -> Call:
    packed = gzip.compress(HTML_PAGE.format(charset="utf-8", first=FIRST, second=SECOND).encode() * 20)
    path = _write(folder / "page.html.gz", packed[: len(packed) // 2])
    return Call("classify", path, str(path), r"gzip data is corrupt or truncated .*expected a complete gzip file", INPUT)


def corrupt_gzip_html(folder: Path, models: Models) -> Call:
    packed = bytearray(gzip.compress(HTML_PAGE.format(charset="utf-8", first=FIRST, second=SECOND).encode()))
    for i in range(10, len(packed) - 8):  # the deflate stream, not the header
        packed[i] ^= 0x55
    path = _write(folder / "page.html.gz", bytes(packed))
    return Call("extract", path, str(path), r"gzip data is corrupt or truncated .*expected a complete gzip file", INPUT)


def corrupt_gzip_comment_file(folder: Path, models: Models) -> Call:
    # A whole first gzip member (the 64 KiB that sniffing reads), then a damaged second one.
    first = gzip.compress(b"text\n" + b" ".join(b"word%d" % i for i in range(12000)) + b"\n")
    damaged = bytearray(gzip.compress(b"".join(b"comment %d\n" % i for i in range(5000))))
    for i in range(10, len(damaged) - 8):
        damaged[i] ^= 0x55
    path = _write(folder / "comments.csv.gz", first + bytes(damaged))
    return Call("classify", path, str(path), r"(corrupt or truncated|damaged part).*expected a complete", INPUT, ("--target", "t"))


def json_not_an_export(folder: Path, models: Models) -> Call:
    path = _write(folder / "settings.json", json.dumps({"theme": "dark", "items": [1, 2, 3]}))
    return Call("classify", path, str(path), r"not a known export; expected a Disqus or WordPress XML export", INPUT)


def xml_not_an_export(folder: Path, models: Models) -> Call:
    path = _write(folder / "feed.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')
    return Call("extract", path, str(path), r"not a known export; expected", INPUT)


def csv_without_text_column(folder: Path, models: Models) -> Call:
    path = _write(folder / "comments.csv", "body,author\nGreat plan,ann\nTerrible,bob\n")
    return Call("classify", path, f"{path}:2", r"no 'text' column \(found: body, author\); name the comment column \(--text-column\)",
                INPUT, ("--target", "t"))


def jsonl_nested_too_deeply(folder: Path, models: Models) -> Call:
    path = _write(folder / "comments.jsonl", '{"text": "fine"}\n' + "[" * 100_000 + "\n")
    return Call("extract", path, f"{path}:2", r"nested too deeply to read; expected one JSON object per line", INPUT)


def unknown_label(folder: Path, models: Models) -> Call:
    path = _jsonl(folder / "labelled.jsonl", labelled_rows({"text": "meh", "label": "sarcasm"}))
    return Call("evaluate", path, f"{path}:13", r"labels \['sarcasm'\] are not among the model's labels", DATA)


def empty_label_train(folder: Path, models: Models) -> Call:
    """Training skips rows left blank (and says how many); a file with nothing labelled is an error."""
    path = _jsonl(folder / "labelled.jsonl", [{"text": "meh", "label": ""}, {"text": "hmm", "label": " "}])
    return Call("train", path, str(path), r"no labelled rows found \(2 rows with every label blank\)", DATA)


def empty_label_evaluate(folder: Path, models: Models) -> Call:
    path = _write(folder / "labelled.csv", "text,label\nGreat,support\nAwful,oppose\nHmm,   \n")
    return Call("evaluate", path, f"{path}:4", r"empty or non-text 'label' value", DATA)


def missing_label_column(folder: Path, models: Models) -> Call:
    path = _write(folder / "labelled.csv", "text,stance\nGreat,support\n")
    return Call("train", path, f"{path}:2", r"missing column 'label' \(found: text, stance\); map yours with", DATA)


def one_label_only(folder: Path, models: Models) -> Call:
    path = _jsonl(folder / "labelled.jsonl", [{"text": f"Love it {i}", "label": "favor"} for i in range(12)])
    return Call("train", path, str(path), r"every row has the label 'support'; training needs at least two labels", DATA)


def incompatible_label_set(folder: Path, models: Models) -> Call:
    rows = [{"text": f"Good {i}", "label": "positive"} for i in range(5)] + [{"text": f"Bad {i}", "label": "negative"} for i in range(5)]
    path = _jsonl(folder / "sentiment.jsonl", rows)
    return Call("evaluate", path, f"{path}:1", r"labels \['negative', 'positive'\] are not among the model's labels", DATA)


SENTIMENT = ("--sentiment-column", "sentiment")


def unknown_sentiment_label(folder: Path, models: Models) -> Call:
    path = _jsonl(folder / "labelled.jsonl", labelled_rows({"text": "meh", "sentiment": "sarcastic"}))
    return Call("evaluate", path, f"{path}:13", r"sentiment labels \['sarcastic'\] are not among the model's sentiment labels", DATA,
                SENTIMENT)


def row_without_any_label(folder: Path, models: Models) -> Call:
    path = _jsonl(folder / "labelled.jsonl", labelled_rows({"text": "meh", "label": " ", "sentiment": ""}))
    return Call("evaluate", path, f"{path}:13", r"neither a 'label' nor a 'sentiment' label; a row needs at least one", DATA, SENTIMENT)


def one_sentiment_label_only(folder: Path, models: Models) -> Call:
    path = _jsonl(folder / "labelled.jsonl", [row | {"sentiment": "positive"} for row in labelled_rows()])
    return Call("train", path, str(path), r"every row has the sentiment label 'positive'; training needs at least two labels", DATA,
                SENTIMENT)


def sentiment_from_a_stance_only_model(folder: Path, models: Models) -> Call:
    path = _jsonl(folder / "labelled.jsonl", [row | {"sentiment": "positive"} for row in labelled_rows()])
    return Call("evaluate", path, "--sentiment-column", r"this model has no sentiment head \(it answers stance\)", MODEL,
                ("--model", str(models.stance_only), *SENTIMENT))


def missing_model(folder: Path, models: Models) -> Call:
    model = models.folder / "no-such-model"
    return Call("classify", _page(folder), str(model), r"(does not exist|no such|not found)", MODEL, ("--model", str(model)))


def config_without_weights(folder: Path, models: Models) -> Call:
    model = models.folder / "half"
    model.mkdir(parents=True)
    shutil.copy(models.tiny / "config.json", model / "config.json")
    return Call("classify", _page(folder), str(model), r"model\.safetensors", MODEL, ("--model", str(model)))


def truncated_weights(folder: Path, models: Models) -> Call:
    model = models.copy(models.folder / "cut")
    weights = (model / "model.safetensors").read_bytes()
    (model / "model.safetensors").write_bytes(weights[: len(weights) // 2])
    return Call("classify", _page(folder), str(model), r"cannot load the model", MODEL, ("--model", str(model)))


def delta_without_stance_json(folder: Path, models: Models) -> Call:
    model = models.folder / "delta"
    model.mkdir(parents=True)
    (model / "delta.safetensors").write_bytes(b"")
    return Call("classify", _page(folder), str(model), r"without labels and base model in stance\.json", MODEL, ("--model", str(model)))


def adapter_without_stance_json(folder: Path, models: Models) -> Call:
    model = models.folder / "adapter"
    model.mkdir(parents=True)
    (model / "adapter_config.json").write_text("{}")
    return Call("evaluate", _jsonl(folder / "l.jsonl", labelled_rows()), str(model), r"stance\.json; it is incomplete", MODEL,
                ("--model", str(model)))


def damaged_stance_json(folder: Path, models: Models) -> Call:
    model = models.copy(models.folder / "damaged")
    (model / "stance.json").write_text('{"labels": [')
    return Call("classify", _page(folder), f"{model}/stance.json", r"unreadable .*the model directory is damaged", MODEL,
                ("--model", str(model)))


def empty_target(folder: Path, models: Models) -> Call:
    return Call("classify", _page(folder), "--target", r"is empty; give the claim or article", INPUT, ("--target", ""))


def blank_target(folder: Path, models: Models) -> Call:
    return Call("classify", _page(folder), "--target", r"is empty; give the claim or article", INPUT, ("--target", " "))


CASES = [
    empty_page, empty_comment_file, empty_page_extract, binary_file, binary_comment_file, truncated_gzip_html,
    corrupt_gzip_html, corrupt_gzip_comment_file, json_not_an_export, xml_not_an_export, csv_without_text_column,
    jsonl_nested_too_deeply, unknown_label, empty_label_train, empty_label_evaluate, missing_label_column, one_label_only,
    incompatible_label_set, unknown_sentiment_label, row_without_any_label, one_sentiment_label_only,
    sentiment_from_a_stance_only_model,
    missing_model,
    config_without_weights,
    truncated_weights,
    delta_without_stance_json, adapter_without_stance_json, damaged_stance_json, empty_target, blank_target,
]


@pytest.fixture
def models(
    tiny_classifier_dir: Path, tiny_base_model: Path, copy_tiny_classifier: CopyModel, tiny_stance_only_dir: Path, tmp_path: Path
) -> Models:
    return Models(tiny_classifier_dir, tiny_base_model, tmp_path / "models", copy_tiny_classifier, tiny_stance_only_dir)


def _command(call: Call, models: Models, output: Path) -> list[str]:
    args = [call.command, str(call.source)]
    if call.command in ("classify", "evaluate") and "--model" not in call.options:
        args += ["--model", str(models.tiny)]
    if call.command == "train":
        args += ["--base-model", str(models.base), "--epochs", "1", "--max-length", "32"]
    if call.command == "evaluate":
        args += ["--resamples", "100"]
    return args + ["-o", str(output), *call.options]


def assert_one_error_line(err: str, call: Call) -> str:
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("stance: error:")]
    assert len(errors) == 1 and err.rstrip("\n").endswith(errors[0]), err
    line = errors[0]
    assert call.named in line, f"{call.named!r} not named in: {line}"
    assert re.search(call.expected, line), f"{call.expected!r} not in: {line}"
    return line


@pytest.mark.parametrize("case", CASES, ids=lambda case: getattr(case, "__name__", None))
def test_bad_input_fails_cleanly(case: Callable[[Path, Models], Call], models: Models, tmp_path: Path, capsys) -> None:
    call = case(tmp_path / "in", models)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    output = out_dir / {"train": "model", "evaluate": "report"}.get(call.command, "result.jsonl")
    code, _, err = run(_command(call, models, output), capsys)
    assert_one_error_line(err, call)
    assert code == call.code, err
    assert sorted(os.listdir(out_dir)) == [], "left behind after a failed run"


# --- awkward inputs that must work --------------------------------------------------------------


def _extracted(path: Path, capsys) -> list[dict]:
    code, out, err = run(["extract", str(path), "-f", "jsonl"], capsys)
    assert code == 0 and "Traceback" not in err, err
    return [json.loads(line) for line in out.splitlines()]


def test_a_windows_1252_page_is_read(tmp_path: Path, capsys) -> None:
    page = HTML_PAGE.format(charset="windows-1252", first=FIRST, second=SECOND)
    path = _write(tmp_path / "legacy.html", page.encode("cp1252"))
    records = _extracted(path, capsys)
    assert [(r["author"], r["text"]) for r in records] == [("Zo\u00eb", FIRST), ("Bob", SECOND)]


def test_a_windows_1252_comment_file_is_read(tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:
    path = _write(tmp_path / "legacy.csv", f'text,author\n"{FIRST}",Zo\u00eb\n'.encode("cp1252"))
    code, out, err = run(["classify", str(path), "--model", str(tiny_classifier_dir), "--target", "the caf\u00e9", "-f", "jsonl"], capsys)
    assert code == 0, err
    [record] = [json.loads(line) for line in out.splitlines()]
    assert (record["text"], record["author"]) == (FIRST, "Zo\u00eb")


def test_utf8_with_stray_invalid_bytes_keeps_the_utf8_and_replaces_the_strays(tmp_path: Path, capsys) -> None:
    page = HTML_PAGE.format(charset="utf-8", first=FIRST, second="STRAY " + SECOND).encode("utf-8")
    # \xff\xfe and \x81 are not UTF-8; \xff\xfe alone would decode as Windows-1252 and garble every caf\u00e9.
    for stray in (b"\xff\xfe", b"\x81"):
        path = _write(tmp_path / "mixed.html", page.replace(b"STRAY", stray))
        records = _extracted(path, capsys)
        assert records[0]["text"] == FIRST
        assert records[1]["text"].endswith(SECOND) and "\ufffd" in records[1]["text"]
        assert records[0]["author"] == "Zo\u00eb"


def test_lone_surrogates_in_json_are_replaced_so_the_output_can_be_written(tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:
    path = _write(tmp_path / "c.jsonl", '{"text": "half an emoji \\ud83d here", "author": "x\\udc00"}\n')
    output = tmp_path / "out.jsonl"
    code, _, err = run(["classify", str(path), "--model", str(tiny_classifier_dir), "--target", "t", "-o", str(output)], capsys)
    assert code == 0, err
    [record] = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert (record["text"], record["author"]) == ("half an emoji \ufffd here", "x\ufffd")


def test_a_comment_of_100000_characters_is_classified(tmp_path: Path, tiny_classifier_dir: Path, capsys) -> None:
    words = ("The new bus lane is a waste of money and nobody asked for it. " * 2000)[:100_000]
    path = write_jsonl(tmp_path / "long.jsonl", [{"text": words, "author": "verbose"}])
    code, out, err = run(["classify", str(path), "--model", str(tiny_classifier_dir), "--target", "bus lane", "-f", "jsonl"], capsys)
    assert code == 0, err
    [record] = [json.loads(line) for line in out.splitlines()]
    assert len(record["text"]) == 100_000 and record["label"] in record["scores"]


def _big_html(path: Path, size: int, comments: bool) -> int:
    """A page of about ``size`` bytes: a flat list of comments, or one long article. Returns the count."""
    head = "<!DOCTYPE html><html><head><title>Big page</title></head><body><article><h1>Big page</h1><p>The lead.</p>"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head + ("</article><div id='comments'>" if comments else ""))
        written, n = len(head), 0
        while written < size:
            if comments:
                chunk = (f"<div class='comment' id='comment-{n}'><span class='author'>Reader {n}</span>"
                         f"<div class='comment-content'><p>Comment number {n} on the plan.</p></div></div>\n")
            else:
                chunk = f"<p>Paragraph {n} of a very long article, with words to make the page big enough.</p>\n"
            handle.write(chunk)
            written, n = written + len(chunk), n + 1
        handle.write("</div></body></html>" if comments else "</article></body></html>")
    return n if comments else 0


@pytest.mark.parametrize(
    "comments",
    [pytest.param(False, id="long-article"), pytest.param(True, id="200k-comments", marks=pytest.mark.slow)],
)
def test_a_50_mb_page_finishes(comments: bool, tmp_path: Path, capsys) -> None:
    """A 50 MB page ends with its comments or a clean error. The flat list of 200,000 comments took
    minutes before the reply-finding step stopped being quadratic; it now takes about 30 s (slow)."""
    path = tmp_path / "big.html"
    expected = _big_html(path, 50 * 2**20, comments)
    output = tmp_path / "big.jsonl"
    code, _, err = run(["extract", str(path), "-o", str(output)], capsys)
    assert "Traceback" not in err
    if code == 0:
        with open(output, encoding="utf-8") as handle:
            assert sum(1 for _ in handle) == expected
    else:
        assert code == INPUT and err.count("\n") == 1 and str(path) in err and not output.exists()


@pytest.mark.parametrize(
    "command",
    ["classify", "extract", "evaluate", "train"],
)
@pytest.mark.parametrize("blocked_by", ["chmod-0o500", "a-file"])
def test_an_output_folder_that_cannot_be_written(
    command: str, blocked_by: str, tmp_path: Path, tiny_classifier_dir: Path, tiny_base_model: Path, capsys
) -> None:
    page = _page(tmp_path)
    labelled = write_jsonl(tmp_path / "l.jsonl", labelled_rows())
    locked = tmp_path / "locked"
    if blocked_by == "a-file":  # works as root too: nothing can be written under a regular file
        locked.write_text("not a folder")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes through permissions")
        locked.mkdir()
        locked.chmod(0o500)
    try:
        args = {
            "classify": ["classify", str(page), "--model", str(tiny_classifier_dir), "-o", str(locked / "out.jsonl")],
            "extract": ["extract", str(page), "-o", str(locked / "out.csv")],
            "evaluate": ["evaluate", str(labelled), "--model", str(tiny_classifier_dir), "-o", str(locked / "report")],
            "train": ["train", str(labelled), "--base-model", str(tiny_base_model), "--epochs", "1", "--max-length", "32",
                      "-o", str(locked / "model")],
        }[command]
        code, _, err = run(args, capsys)
        line = assert_one_error_line(err, Call(command, None, str(locked), r"cannot write there .*not a writable folder", OUTPUT))
        assert code == OUTPUT, line
        if locked.is_dir():
            assert os.listdir(locked) == []
        else:
            assert locked.read_text() == "not a folder"
    finally:
        if locked.is_dir():
            locked.chmod(0o700)
