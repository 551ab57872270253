"""Peak memory of `stance classify` on ever larger comment dumps: flat in the input's size, with and without a
reply-context model (which keeps the texts of recent comments for the replies to them).

Each dump is generated once into ~/.cache/stance/bench_memory/ (zstd JSONL: real NYT comment texts from ARC
train in turn, cut to 400 characters, half of them replies to one of the 1,000 comments before). Each run is
`stance classify DUMP --target ... -o OUT.jsonl` in a child process (int8, the default on a CPU); its peak RSS
is the kernel's (wait4, through scripts/peak_memory.py so that the parent's size does not count). The reply-context model is the bundled one with `reply_context` set in a copy of its
stance.json: the same weights, reading each reply after its parent.

    python -m scripts.bench_memory --sizes 1000000 5000000
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


def reply_context_model() -> Path:
    """The bundled model, copied, with ``reply_context`` on."""
    copy = FOLDER / "reply-context-model"
    if not copy.exists():
        shutil.copytree(default_model_path(), copy)
        settings = json.loads((copy / "stance.json").read_text())
        (copy / "stance.json").write_text(json.dumps(settings | {"reply_context": True}, indent=2))
    return copy


def peak_of(args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one run."""
    run = measure(args)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {run.stderr[-500:]}")
    return run.seconds, run.peak_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    args = parser.parse_args()
    models = {"bundled": None, "bundled + reply context": reply_context_model()}
    print(f"{'comments':>10} {'model':24} {'seconds':>8} {'comments/s':>10} {'peak RSS MiB':>12}", flush=True)
    for size in args.sizes:
        path = dump(size)
        for name, model in models.items():
            output = FOLDER / f"out-{size}.jsonl"
            command = [sys.executable, "-m", "stance", "classify", str(path), "--target", TARGET, "-o", str(output), "--force"]
            seconds, peak = peak_of(command + (["--model", str(model)] if model else []))
            output.unlink(missing_ok=True)
            print(f"{size:>10,} {name:24} {seconds:8.0f} {size / seconds:10.0f} {peak:12.0f}", flush=True)


if __name__ == "__main__":
    main()
