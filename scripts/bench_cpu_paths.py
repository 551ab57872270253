"""Which precision `auto` should take on CPUs we do not have: fp32 and bf16 speed with oneDNN held to an older
instruction set on this machine, beside its own full set, each in a new process on the same texts.

    python -m scripts.bench_cpu_paths [--comments 600]

oneDNN (torch's bf16 and int8 kernels) takes ``ONEDNN_MAX_CPU_ISA``: ``AVX512_CORE_BF16`` runs as a CPU with
AVX-512 BF16 but no AMX (Cooper Lake, AMD Zen 4), ``AVX512_CORE_VNNI`` as one with VNNI but no bf16 units
(Cascade Lake, Ice Lake), ``AVX2`` as an older one (MKL, behind fp32's products, is held to AVX2 too). This
emulates the instructions, not the other chips' speeds: a ratio here says which path uses the instructions
better, not what those machines reach. torch itself still sees this CPU's features, so where it would route a
product around oneDNN on a real CPU without them, this does not show it. ONNX Runtime (int8) takes no such setting; its row is this CPU's only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from scripts.bench_speed import share_equal

EMULATED = {
    "this CPU (AMX)": {},
    "AVX-512 BF16, no AMX": {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_BF16"},
    "AVX-512 VNNI, no bf16": {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_VNNI"},
    "AVX2 only": {"ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
}

_MEASURE = """
import json, sys, time
from scripts.shared_data import tweeteval
from stance.model.classifier import StanceClassifier
rows = tweeteval("test")[: int(sys.argv[2])]
texts, targets = [r.text for r in rows], [r.target for r in rows]
classifier = StanceClassifier.from_pretrained(precision=sys.argv[1], device="cpu")
classifier.predict(texts[:64], targets[:64])
started = time.perf_counter()
labels = [p.label for p in classifier.predict(texts, targets)]
print(json.dumps({"speed": len(texts) / (time.perf_counter() - started), "labels": labels}))
"""


def measure(precision: str, comments: int, env: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, "-c", _MEASURE, precision, str(comments)], capture_output=True, text=True,
                          env=os.environ | env, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=600, help="TweetEval stance test tweets to classify")
    args = parser.parse_args()
    print(f"{args.comments} TweetEval stance test tweets, comments/s in a new process per line (after a warm-up)")
    print(f"{'instructions':24}{'fp32':>8}{'bf16':>8}{'int8':>8}{'bf16/fp32':>11}{'bf16 agree fp32':>17}")
    for name, env in EMULATED.items():
        fp32, bf16 = measure("fp32", args.comments, env), measure("bf16", args.comments, env)
        int8 = f"{measure('int8', args.comments, env)['speed']:8.0f}" if not env else f"{'-':>8}"
        agree = share_equal(fp32["labels"], bf16["labels"])
        print(f"{name:24}{fp32['speed']:8.0f}{bf16['speed']:8.0f}{int8}{bf16['speed'] / fp32['speed']:10.2f}x{100 * agree:16.1f}%", flush=True)


if __name__ == "__main__":
    main()
