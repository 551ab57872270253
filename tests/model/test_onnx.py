"""The int8 path: ONNX export, the content-keyed cache, and loading it without torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CopyModel

from stance.errors import ModelError
from stance.model.classifier import StanceClassifier
from stance.model.onnx import ONNX_FILE, OnnxBackend, cached_export, export_fp32

TEXTS = ["Great idea", "I could not disagree more with every word of this " * 6, "meh", "Fine, but the cost worries me."]


@pytest.fixture(scope="module")
def int8(tiny_classifier_dir: Path) -> StanceClassifier:
    return StanceClassifier.from_pretrained(tiny_classifier_dir, precision="int8")


def test_the_onnx_graph_matches_torch_for_any_batch_and_length(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    import onnxruntime

    fp32 = StanceClassifier.from_pretrained(tiny_classifier_dir)
    export_fp32(fp32.model, fp32.tokenizer, tmp_path / "model.onnx", fp32.backend.heads)
    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
    assert [output.name for output in session.get_outputs()] == ["logits", "sentiment"]  # both heads, one graph
    windows, _, _ = fp32.encode_windows(TEXTS, ["the plan"] * len(TEXTS))
    for batch in (windows[:1], windows[:3], windows):  # one window; padded batches of different lengths
        inputs = fp32.windows.pad(batch)
        expected = next(fp32.backend.map_batches([[0]], lambda _: inputs))
        for got, want in zip(session.run(None, inputs), expected, strict=True):
            assert got == pytest.approx(want, abs=1e-5)


def test_int8_labels_and_scores_come_from_the_export(tiny_classifier_dir: Path, int8: StanceClassifier) -> None:
    fp32 = StanceClassifier.from_pretrained(tiny_classifier_dir)
    assert isinstance(int8.backend, OnnxBackend) and int8.tasks == fp32.tasks
    for task in ("stance", "sentiment"):
        assert int8.predict_proba(TEXTS, "the plan", task=task) == pytest.approx(fp32.predict_proba(TEXTS, "the plan", task=task), abs=0.01)


def test_int8_gives_a_comment_the_same_scores_whatever_it_is_classified_with(int8: StanceClassifier) -> None:
    alone = [int8.predict_proba([text], "the plan")[0] for text in TEXTS]
    together = int8.predict_proba(TEXTS[::-1] + ["another comment, much longer than the rest " * 9], "the plan")[:4][::-1]
    assert int8.batch_size == 1
    assert all((a == b).all() for a, b in zip(alone, together, strict=True))  # identical, not merely close
    batched = StanceClassifier(int8.backend, int8.tokenizer, precision="int8", batch_size=8)
    mixed = batched.predict_proba(TEXTS[::-1] + ["another comment, much longer than the rest " * 9], "the plan")[:4][::-1]
    assert not all((a == b).all() for a, b in zip(alone, mixed, strict=True))  # batches of 8 share a quantisation range


def test_the_export_is_cached_by_content_and_rebuilt_when_the_model_changes(tiny_classifier_dir: Path, copy_tiny_classifier: CopyModel, int8: StanceClassifier, tmp_path: Path) -> None:
    assert (cached_export(tiny_classifier_dir) / ONNX_FILE).is_file()
    changed = tmp_path / "changed"
    copy_tiny_classifier(changed)
    assert cached_export(changed) == cached_export(tiny_classifier_dir)
    (changed / "config.json").write_text((changed / "config.json").read_text().replace('"neutral"', '"none"'))
    assert cached_export(changed) != cached_export(tiny_classifier_dir)
    assert StanceClassifier.from_pretrained(changed, precision="int8").labels[-1] == "none"


def test_a_cached_export_runs_without_importing_torch_or_transformers(tiny_classifier_dir: Path, int8: StanceClassifier, tmp_path: Path) -> None:
    """What keeps int8's start under a second, in Python and on the command line."""
    page = tmp_path / "page.txt"
    page.write_text("A plan for the river\n\nThe council will close the road on Sundays.\n\nAnna\nGreat idea\n\nBo\nNot for me\n", encoding="utf-8")
    api = (
        "from stance.model.classifier import StanceClassifier\n"
        f"c = StanceClassifier.from_pretrained({str(tiny_classifier_dir)!r}, precision='int8')\n"
        "print(c.predict('Great idea', 'the plan').label)\n"
    )
    cli = (
        f"sys.argv = ['stance', 'classify', {str(page)!r}, '--model', {str(tiny_classifier_dir)!r}, '--precision', 'int8', '-f', 'csv']\n"
        "from stance.cli import main\n"
        "main()\n"
    )
    for body, first_line in ((api, int8.predict("Great idea", "the plan").label), (cli, None)):
        code = "import atexit, sys\natexit.register(lambda: print(sorted(m for m in ('torch', 'transformers') if m in sys.modules)))\n" + body
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[-1] == "[]" and (lines[0] == first_line if first_line else lines[0].startswith("id,"))
        assert done.stderr == "" if body is api else "warning" not in done.stderr.lower()  # the API never prints


def test_a_damaged_cache_is_rebuilt(copy_tiny_classifier: CopyModel, int8: StanceClassifier, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    copy_tiny_classifier(damaged)
    (damaged / "notes.txt").write_text("a file of its own, so this copy gets its own cache folder")
    expected = StanceClassifier.from_pretrained(damaged, precision="int8").predict_proba(TEXTS, "t")
    (cached_export(damaged) / ONNX_FILE).write_bytes(b"not an onnx file")
    assert StanceClassifier.from_pretrained(damaged, precision="int8").predict_proba(TEXTS, "t") == pytest.approx(expected)
    assert (cached_export(damaged) / ONNX_FILE).read_bytes()[:16] != b"not an onnx file"[:16]


def test_an_unusable_cache_location_is_reported_with_the_way_out(tiny_classifier_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("STANCE_CACHE", str(blocker))
    with pytest.raises(ModelError, match="STANCE_CACHE.*fp32 precision"):
        StanceClassifier.from_pretrained(tiny_classifier_dir, precision="int8")


def test_an_in_memory_model_can_run_in_int8(tiny_classifier_dir: Path, int8: StanceClassifier) -> None:
    fp32 = StanceClassifier.from_pretrained(tiny_classifier_dir)
    converted = StanceClassifier(fp32.model, fp32.tokenizer, max_length=fp32.max_length, precision="int8")
    assert isinstance(converted.backend, OnnxBackend)
    # int8 activations are quantised per batch, so compare the same batches.
    converted.batch_size = int8.batch_size
    assert converted.predict_proba(TEXTS, "t") == pytest.approx(int8.predict_proba(TEXTS, "t"), abs=1e-6)


def test_a_model_that_cannot_be_converted_says_to_use_fp32(tiny_classifier_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stance.model.onnx

    def unsupported(*args: object) -> None:
        raise RuntimeError("Exporting the operator 'aten::fancy' to ONNX opset 17 is not supported")

    monkeypatch.setattr(stance.model.onnx, "export_int8", unsupported)
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelError, match="cannot convert the model to int8 .*aten::fancy.*fp32 precision"):
        StanceClassifier.from_pretrained(tiny_classifier_dir, precision="int8")


def test_nested_quiet_blocks_drop_only_the_exporters_records_and_leave_no_filter_behind() -> None:
    import logging

    from stance.model.onnx import quiet_exporters

    root = logging.getLogger()
    before = list(root.filters)

    def record(path: str) -> logging.LogRecord:
        return logging.LogRecord("root", logging.WARNING, path, 1, "message", None, None)

    with quiet_exporters():
        with quiet_exporters():  # export_int8 wraps export_fp32, which enters it again
            pass
        assert not root.filter(record("/site-packages/onnxruntime/quantization/quantize.py"))
        assert root.filter(record("/home/user/app.py"))
    assert root.filters == before

