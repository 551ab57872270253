"""Peak memory of `stance classify` on ever larger comment dumps: flat in the input's size, with and without a
reply-context model (which keeps the texts of recent comments for the replies to them).

Each dump is generated once into ~/.cache/stance/bench_memory/ (zstd JSONL: real NYT comment texts from ARC
train in turn, cut to 400 characters, half of them replies to one of the 1,000 comments before). Each run is
`stance classify DUMP --target ... -o OUT.jsonl` in a child process (auto's precision; int8 when these runs were made); its peak RSS
is the kernel's (wait4, through scripts/peak_memory.py so that the parent's size does not count). The
reply-context model is a copy of the model with `reply_context` set in its stance.json: the same weights, reading
each reply after its parent. Before the measured runs each model classifies the 2,000-comment dump once
unmeasured, so that one-off costs (an int8 export, where int8 runs) are not counted; the 2,000-comment row is the small-input baseline.

`--model tiny` swaps the bundled model for a 2-layer, 32-wide random one with the real tokenizer: what is left is
the memory of reading, batching, tokenising, keeping parents and writing, at 10-20x the bundled model's speed, so
that 5 M comments fit in an hour on two cores.

    python -m scripts.bench_memory --sizes 1000000 5000000
    python -m scripts.bench_memory --model tiny --sizes 1000000 5000000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

from scripts.peak_memory import measure
from scripts.shared_data import BENCHMARKS, read_jsonl
from stance.io.files import cache_root
from stance.model.storage import default_model_path

FOLDER = cache_root() / "bench_memory"
TARGET = "A city votes to close its old town to cars"


def dump(size: int) -> Path:
    """The dump of ``size`` comments, written once (under a temporary name until complete)."""
    import zstandard

    path = FOLDER / f"comments-{size}.jsonl.zst"
    if path.exists():
        return path
    texts = [row["text"][:400] for row in read_jsonl(BENCHMARKS / "arc" / "train.jsonl")]
    rng = random.Random(size)
    partial = path.with_suffix(".partial")
    FOLDER.mkdir(parents=True, exist_ok=True)
    with open(partial, "wb") as raw, zstandard.ZstdCompressor(level=3).stream_writer(raw) as packed:
        for n in range(size):
            parent = f"c{n - rng.randint(1, min(n, 1000))}" if n and rng.random() < 0.5 else None
            record = {"id": f"c{n}", "text": texts[n % len(texts)], "parent": parent}
            packed.write((json.dumps(record) + "\n").encode())
    partial.rename(path)
    return path


def tiny_model() -> Path:
    """A 2-layer, 32-wide classifier with random weights and the bundled model's tokenizer and heads' labels."""
    folder = FOLDER / "tiny-model"
    if folder.exists():
        return folder
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertConfig

    from stance.core.labels import SENTIMENT_LABELS, STANCE_LABELS
    from stance.model.classifier import StanceClassifier
    from stance.model.heads import TaskHead, new_head

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=len(STANCE_LABELS),
                        id2label=dict(enumerate(STANCE_LABELS)), label2id={label: i for i, label in enumerate(STANCE_LABELS)})
    model = AutoModelForSequenceClassification.from_config(config)
    heads = {"sentiment": TaskHead(list(SENTIMENT_LABELS), new_head(model, len(SENTIMENT_LABELS)))}
    StanceClassifier(model, tokenizer, heads=heads).save_pretrained(folder.with_suffix(".partial"))
    folder.with_suffix(".partial").rename(folder)
    return folder


def reply_context_copy(model: Path) -> Path:
    """``model``, copied, with ``reply_context`` on."""
    copy = FOLDER / f"{model.name}-reply-context"
    if not copy.exists():
        shutil.copytree(model, copy)
        settings = json.loads((copy / "stance.json").read_text())
        (copy / "stance.json").write_text(json.dumps(settings | {"reply_context": True}, indent=2))
    return copy


def peak_of(args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one run."""
    run = measure(args, timeout=6 * 3600)
    Path(args[args.index("-o") + 1]).unlink(missing_ok=True)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {run.stderr[-500:]}")
    return run.seconds, run.peak_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--model", choices=["bundled", "tiny"], default="bundled")
    parser.add_argument("--reply-context", choices=["off", "on", "both"], default="both",
                        help="the model as it is (off), its reply-context copy (on), or each in turn")
    args = parser.parse_args()
    model = Path(default_model_path()) if args.model == "bundled" else tiny_model()
    models = {}
    if args.reply_context != "on":
        models[args.model] = model
    if args.reply_context != "off":
        models[f"{args.model} + reply context"] = reply_context_copy(model)
    baseline = dump(2_000)
    for path in models.values():
        peak_of(classify(baseline, path))
    print(f"{'comments':>10} {'model':24} {'seconds':>8} {'comments/s':>10} {'peak RSS MiB':>12}", flush=True)
    for size in [2_000, *args.sizes]:
        for name, path in models.items():
            seconds, peak = peak_of(classify(dump(size), path))
            print(f"{size:>10,} {name:24} {seconds:8.0f} {size / seconds:10.0f} {peak:12.0f}", flush=True)


def classify(dump_path: Path, model: Path) -> list[str]:
    """The command that classifies ``dump_path`` with ``model`` into a throwaway output."""
    output = FOLDER / f"out-{model.name}.jsonl"
    return [sys.executable, "-m", "stance", "classify", str(dump_path), "--target", TARGET, "--model", str(model), "-o", str(output), "--force"]


if __name__ == "__main__":
    main()
