"""Research for the int8 path: how often do other quantisation recipes agree with fp32, are they
deterministic per comment, and how fast are they? Not a product path; the shipped recipe is in
stance/model/onnx.py.

    pip install onnx-ir        # the weight-only quantiser needs it; stance does not
    python -m scripts.int8_variants [--only per-token static weight-only dynamic smooth]

On TweetEval stance test (1,249 tweets) and data/test with the bundled model: the share of labels
equal to fp32's, whether scores are identical when the comments are classified in reverse order
(other batch neighbours), and comments/s in the batch size each line names, beside the shipped int8
at 1 and 8 windows per batch in the same run. Recipes with fixed or per-row activation scales
(static, per-token, weight-only) run in batches of 32; calibration reads train splits only.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scripts.int8_per_token import channel_maxima, per_token_int8
from scripts.shared_data import corpus_split, tweeteval
from stance.model import onnx as stance_onnx
from stance.model.classifier import StanceClassifier
from stance.model.storage import ModelSettings, default_model_path, load_torch_model
from stance.model.windows import rust_tokenizer


def write_export(directory: Path, quantise: Callable[[Path], None], model: Any, tokenizer: Any, heads: dict) -> None:
    """An export directory like the shipped one, its graph made by ``quantise(path)``."""
    directory.mkdir(parents=True)
    quantise(directory / stance_onnx.ONNX_FILE)
    model.config.to_json_file(directory / stance_onnx.CONFIG_FILE)
    own = [str(model.config.id2label[i]) for i in range(len(model.config.id2label))]
    (directory / stance_onnx.TASKS_FILE).write_text(json.dumps({"stance": own} | {k: h.labels for k, h in heads.items()}))
    rust_tokenizer(tokenizer).save(str(directory / stance_onnx.TOKENIZER_FILE))


def _weight_matmuls(fp32: Path) -> list[str]:
    """The MatMul nodes with a weight (an initializer) as an input: the attention's products of two
    activations are left out, as the dynamic quantiser leaves them."""
    import onnx

    graph = onnx.load(str(fp32)).graph
    weights = {init.name for init in graph.initializer}
    return [node.name for node in graph.node if node.op_type == "MatMul" and any(name in weights for name in node.input)]


def _calibration_feeds(classifier: StanceClassifier, count: int) -> list[dict[str, np.ndarray]]:
    """One window per feed, from our corpus's train split and TweetEval stance train (never a test split)."""
    rows = corpus_split("train")[: count // 2] + tweeteval("train")[: count // 2]
    windows, _, _ = classifier.encode_windows([r.text for r in rows], [r.target for r in rows], None)
    return [{name: array.astype(np.int64) for name, array in classifier.windows.pad([window], None).items()} for window in windows]


def _quantise_static(fp32: Path, path: Path, feeds: list[dict[str, np.ndarray]], method: Any, nodes: list[str]) -> None:
    """Static (calibrated) int8: each activation's scale fixed from the calibration windows, so a window's scores
    never depend on its batch; weights per channel; u8 activations, s8 weights (what VNNI multiplies)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Feeds(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(feeds)

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.items, None)

    quantize_static(str(fp32), str(path), Feeds(), quant_format=QuantFormat.QDQ, op_types_to_quantize=["MatMul"],
                    nodes_to_quantize=nodes, per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=method)


def main() -> None:
    import argparse

    import onnx
    import tokenizers
    from onnxruntime.quantization import CalibrationMethod, QuantType, quantize_dynamic

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=[], help="run only the variants whose names hold one of these words")
    only = parser.parse_args().only

    rows = tweeteval("test") + corpus_split("test")
    texts, targets = [r.text for r in rows], [r.target for r in rows]
    n_tweets = len(tweeteval("test"))
    source = default_model_path()
    settings = ModelSettings.read(Path(source))
    reference_classifier = StanceClassifier.from_pretrained(precision="fp32", device="cpu")
    reference = reference_classifier.predict_proba(texts, targets).argmax(1)
    model, tokenizer, heads = load_torch_model(source, settings)

    def score(name: str, classifier: StanceClassifier) -> None:
        classifier.predict_proba(texts[:32], targets[:32])
        started = time.perf_counter()
        scores = classifier.predict_proba(texts, targets)
        speed = len(texts) / (time.perf_counter() - started)
        reordered = classifier.predict_proba(texts[::-1], targets[::-1])[::-1]
        agree = scores.argmax(1) == reference
        print(f"{name:34}{100 * agree[:n_tweets].mean():9.1f}%{100 * agree[n_tweets:].mean():10.1f}%"
              f"{str(np.array_equal(scores, reordered)):>15}{speed:12.0f}", flush=True)

    print(f"{'int8 recipe':34}{'TweetEval':>10}{'data/test':>11}{'deterministic':>15}{'comments/s':>12}")
    print(f"{'':34}{'agree fp32':>10}{'agree fp32':>11}")
    for batch_size in (8, 1):
        score(f"shipped, batch {batch_size}", StanceClassifier.from_pretrained(precision="int8", batch_size=batch_size))
    with tempfile.TemporaryDirectory(prefix="stance-int8-variants-") as work:
        fp32 = Path(work) / "model.onnx"
        with stance_onnx.quiet_exporters():
            stance_onnx.export_fp32(model, tokenizer, fp32, heads)
        matmuls = [node.name for node in onnx.load(str(fp32)).graph.node if node.op_type == "MatMul"]
        ffn_out = [n for n in matmuls if "/output/dense/" in n and "attention" not in n]
        excluded = {
            "dynamic, FFN output in fp32": ffn_out,
            "dynamic, all FFN in fp32": ffn_out + [n for n in matmuls if "/intermediate/" in n],
            "dynamic, first and last layer fp32": [n for n in matmuls if "layer.0/" in n or "layer.5/" in n],
        }
        variants = {
            name: lambda path, exclude=exclude: quantize_dynamic(
                fp32, path, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"], nodes_to_exclude=exclude
            )
            for name, exclude in excluded.items()
        }
        feeds = _calibration_feeds(reference_classifier, 400)
        maxima = channel_maxima(fp32, feeds) if any("smooth" in part for part in only) else None
        for skipped_name, skipped in (("", set()), (", FFN output fp32", set(ffn_out))):
            variants[f"per-token{skipped_name}"] = lambda path, skipped=skipped: per_token_int8(fp32, path, skipped)
        for alpha in (0.5, 0.7):
            variants[f"per-token smoothed {alpha}"] = lambda path, alpha=alpha: per_token_int8(fp32, path, set(), maxima, alpha)
        weight_matmuls = _weight_matmuls(fp32)
        # Min-max only: ONNX Runtime's histogram calibrators (percentile, entropy) need windows of one length.
        for method_name, method in (("min-max", CalibrationMethod.MinMax),):
            for excluded_name, exclude in (("", []), (", FFN output fp32", ffn_out)):
                variants[f"static {method_name}{excluded_name}"] = lambda path, method=method, exclude=exclude: _quantise_static(
                    fp32, path, feeds, method, [n for n in weight_matmuls if n not in exclude])
        try:
            from onnxruntime.quantization.matmul_nbits_quantizer import (
                MatMulNBitsQuantizer,
            )

            def weight_only(block: int, level: int) -> Callable[[Path], None]:
                def quantise(path: Path) -> None:
                    quantiser = MatMulNBitsQuantizer(
                        str(fp32), bits=8, block_size=block, is_symmetric=True, accuracy_level=level, op_types_to_quantize=("MatMul",)
                    )
                    quantiser.process()
                    quantiser.model.save_model_to_file(str(path), use_external_data_format=False)
                return quantise

            for block, level in ((32, 4), (128, 4), (32, 0), (32, 2)):
                variants[f"weight-only 8-bit, block {block}, level {level}"] = weight_only(block, level)
        except ImportError:
            print("(weight-only variants skipped: pip install onnx-ir)")
        chosen = {name: quantise for name, quantise in variants.items() if not only or any(part in name for part in only)}
        for i, (name, quantise) in enumerate(chosen.items()):
            directory = Path(work) / f"variant-{i}"
            write_export(directory, quantise, model, tokenizer, heads)
            rust = tokenizers.Tokenizer.from_file(str(directory / stance_onnx.TOKENIZER_FILE))
            # Fixed activation scales (static), or activations quantised per row block (weight-only): a window's
            # scores do not depend on its batch, so batches of 32 (the "deterministic" column checks it).
            batch = 32 if name.startswith(("static", "weight-only", "per-token")) else 8
            score(f"{name}, batch {batch}", StanceClassifier(stance_onnx.OnnxBackend(directory), rust, batch_size=batch, **settings.reading()))
            shutil.rmtree(directory)


if __name__ == "__main__":
    main()
