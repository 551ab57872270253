"""Research for the int8 path: how often do other quantisation recipes agree with fp32, are they
deterministic per comment, and how fast are they? Not a product path; the shipped recipe is in
stance/model/onnx.py.

    pip install onnx-ir        # the weight-only quantiser needs it; stance does not
    python scripts/int8_variants.py

On TweetEval stance test (1,249 tweets) and data/test (353 comments) with the bundled model: the
share of labels equal to fp32's, whether scores are identical when the comments are classified in
reverse order (other batch neighbours), and comments/s in batches of 8 windows, beside the shipped
int8 at 1 and 8 windows per batch in the same run.
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


def main() -> None:
    import onnx
    import tokenizers
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rows = tweeteval("test") + corpus_split("test")
    texts, targets = [r.text for r in rows], [r.target for r in rows]
    n_tweets = len(tweeteval("test"))
    source = default_model_path()
    settings = ModelSettings.read(Path(source))
    reference = StanceClassifier.from_pretrained(precision="fp32", device="cpu").predict_proba(texts, targets).argmax(1)
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

            for block, level in ((32, 4), (128, 4), (32, 0)):
                variants[f"weight-only 8-bit, block {block}, level {level}"] = weight_only(block, level)
        except ImportError:
            print("(weight-only variants skipped: pip install onnx-ir)")
        for i, (name, quantise) in enumerate(variants.items()):
            directory = Path(work) / f"variant-{i}"
            write_export(directory, quantise, model, tokenizer, heads)
            rust = tokenizers.Tokenizer.from_file(str(directory / stance_onnx.TOKENIZER_FILE))
            score(name, StanceClassifier(stance_onnx.OnnxBackend(directory), rust, batch_size=8, **settings.reading()))
            shutil.rmtree(directory)


if __name__ == "__main__":
    main()
