"""How fast `stance train` learns on a CPU, lever by lever, beside a Trainer wired by hand the usual way.

Every system trains on the same 3,000 real comment pairs (1,000 each of TweetEval stance train,
P-Stance train and ARC's train part; labels support/oppose/neutral), from the same base model, as a
separate process that is timed whole (start-up, reading, training, writing the model) with its peak
memory. Each model is then scored in this process on the validation comments (TweetEval stance val,
300 of P-Stance val, half of ARC's validation part by comment body) and on the test comments
(TweetEval stance test, 800 of P-Stance test, the other half of ARC's validation part; ARC's own test
split is held back): macro-F1 over the three labels. Defaults are chosen on validation only.

The goal's comparison (the hand-wired Trainer against `stance train` with its defaults) runs with
three seeds, as one seed moves macro-F1 by several points here; each lever then runs once, first for
3 epochs, then for as many epochs as fit in the defaults' wall-clock time.

    python -m scripts.bench_train                          # everything (about two hours on 2 cores)
    python -m scripts.bench_train --only "" --seeds 42     # the goal's comparison alone, one seed
    python -m scripts.bench_train --only "bf16,top 3 layers" --no-equal-time
    python -m scripts.bench_train --memory 32000           # peak memory of the defaults on a 32,000-row mixture
    python -m scripts.bench_train --profile                # where the defaults' time goes
    python -m scripts.bench_train --steps                  # the training step alone: batch shape, torch.compile

Run nothing else on the machine meanwhile: a second job makes torch's threads fight.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.shared_data import BENCHMARKS, REPO, arc, perspectrum, pstance, read_jsonl, tweeteval
from stance.core.labelled import LabelledComment
from stance.core.labels import normalize_label
from stance.model.devices import cpu_flags, usable_cores

LABELS = ["support", "oppose", "neutral"]
TRAIN_ROWS_PER_SOURCE = 1000
PREVIOUS = ["--trainable-layers", "all", "--precision", "fp32", "--batch-size", "16", "--learning-rate", "5e-5", "--epochs", "3"]
# name → stance train flags ("hand-wired": the Trainer below instead). Each lever changes one thing
# from the previous release's defaults; "defaults" passes no flag at all.
SYSTEMS: dict[str, list[str] | None] = {
    "hand-wired": None,
    "previous defaults": PREVIOUS,
    "batch 32": PREVIOUS + ["--batch-size", "32"],
    "max length 64": PREVIOUS + ["--max-length", "64"],
    "bf16": PREVIOUS + ["--precision", "bf16"],
    "embeddings frozen": PREVIOUS + ["--trainable-layers", "6"],
    "top 4 layers": PREVIOUS + ["--trainable-layers", "4"],
    "top 3 layers": PREVIOUS + ["--trainable-layers", "3"],
    "top 2 layers": PREVIOUS + ["--trainable-layers", "2"],
    "top 3 + bf16 + batch 32": PREVIOUS + ["--trainable-layers", "3", "--precision", "bf16", "--batch-size", "32"],
    "defaults": [],
    "defaults, 3 epochs": ["--epochs", "3"],
}
GOAL = ("hand-wired", "defaults", "defaults, 3 epochs")


def comments(rows: list[LabelledComment]) -> list[dict]:
    return [{"text": r.text, "target": r.target, "label": r.label} for r in rows]


def bench_data(folder: Path, seed: int = 0) -> dict[str, Path]:
    """train/val/test JSONL files of the mixture described above."""
    rng = random.Random(seed)
    arc_val = arc("val", max_words=100)
    bodies = sorted({r.target + "\n" + r.text[:80] for r in arc_val})  # ARC's val part, split in two by comment
    rng.shuffle(bodies)
    half = set(bodies[: len(bodies) // 2])
    arc_train = arc("train", max_words=100)
    splits = {
        "train": rng.sample(tweeteval("train"), TRAIN_ROWS_PER_SOURCE)
        + pstance("train", TRAIN_ROWS_PER_SOURCE, seed)
        + rng.sample(arc_train, TRAIN_ROWS_PER_SOURCE),
        "val": tweeteval("val") + pstance("val", 300, seed) + [r for r in arc_val if r.target + "\n" + r.text[:80] in half],
        "test": tweeteval("test") + pstance("test", 800, seed) + [r for r in arc_val if r.target + "\n" + r.text[:80] not in half],
    }
    paths = {}
    for split, rows in splits.items():
        paths[split] = folder / f"{split}.jsonl"
        paths[split].write_text("".join(json.dumps(row) + "\n" for row in comments(rows)), encoding="utf-8")
    return paths


def mixture(folder: Path, size: int, seed: int = 0) -> Path:
    """A ``size``-row training file from every stance set's train split (long posts cut to 100 words)."""
    from scripts.shared_data import iac

    rows = tweeteval("train") + arc("train", max_words=100) + pstance("train") + perspectrum("train") + iac("train", max_words=100)
    rows = random.Random(seed).sample(rows, min(size, len(rows)))
    path = folder / f"mixture_{len(rows)}.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in comments(rows)), encoding="utf-8")
    return path


def run(command: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, peak memory (MiB: the whole resident set, and its anonymous part, which leaves out
    the pages of memory-mapped files the system may drop) and output of ``command``, run alone."""
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True, cwd=REPO)
        anonymous = [0.0]
        watcher = threading.Thread(target=_watch_anonymous, args=(process.pid, anonymous), daemon=True)
        watcher.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # the child's own peak memory, which communicate() would not give
        except BaseException:
            process.kill()
            raise
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        watcher.join()
        output.seek(0)
        log = output.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{log[-3000:]}")
    return wall, usage.ru_maxrss / 1024, anonymous[0], log


def _watch_anonymous(pid: int, peak: list[float]) -> None:
    """The largest anonymous resident memory (MiB) of process ``pid`` until it ends, read ten times a second."""
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            text = status.read_text()
        except OSError:
            return
        found = re.search(r"^RssAnon:\s+(\d+) kB", text, re.MULTILINE)
        if not found:  # a zombie: it has ended
            return
        peak[0] = max(peak[0], int(found.group(1)) / 1024)
        time.sleep(0.1)


def training_seconds(log: str) -> float:
    """The training loop's own time, from `stance train`'s closing line ("trained 282 steps (3.00 epochs) in 1m12s")."""
    found = re.search(r"trained \d+ steps \([\d.]+ epochs\) in (?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", log)
    if not found:
        raise SystemExit(f"no training time in the log:\n{log[-2000:]}")
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    return 3600 * hours + 60 * minutes + seconds


def hand_wired(train_path: str, output: str, epochs: float = 3.0, seed: int = 42) -> None:
    """What a user writes from the transformers documentation: tokenise (target, comment) pairs, the
    Trainer with its defaults (here 3 epochs, batch 16, fp32, learning rate 5e-5, no evaluation), save."""
    from datasets import Dataset
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
    )

    from stance.model.names import DEFAULT_BASE_MODEL, resolve_base_model

    base = resolve_base_model(DEFAULT_BASE_MODEL)
    rows = read_jsonl(Path(train_path))
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)}
    )
    dataset = Dataset.from_list([{"target": r["target"], "text": r["text"], "label": LABELS.index(r["label"])} for r in rows])
    dataset = dataset.map(lambda b: tokenizer(b["target"], b["text"], truncation=True, max_length=128), batched=True)
    args = TrainingArguments(
        output_dir=output + ".checkpoints", num_train_epochs=epochs, per_device_train_batch_size=16, use_cpu=True, report_to="none",
        disable_tqdm=True, seed=seed,
    )
    Trainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer).train()
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)


def predict_hand_wired(directory: Path, rows: list[dict]) -> list[str]:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from stance.model.storage import quiet_transformers

    tokenizer = AutoTokenizer.from_pretrained(directory)
    with quiet_transformers():  # no loading report on the table
        model = AutoModelForSequenceClassification.from_pretrained(directory).eval()
    labels = []
    with torch.inference_mode():
        for start in range(0, len(rows), 32):
            batch = rows[start : start + 32]
            inputs = tokenizer([r["target"] for r in batch], [r["text"] for r in batch], truncation=True, max_length=128,
                               padding=True, return_tensors="pt")
            labels += [model.config.id2label[int(i)] for i in model(**inputs).logits.argmax(-1)]
    return labels


def macro_f1(directory: Path, path: Path, hand: bool) -> float:
    from sklearn.metrics import f1_score

    from stance.model.classifier import StanceClassifier

    rows = read_jsonl(path)
    if hand:
        predicted = predict_hand_wired(directory, rows)
    else:
        classifier = StanceClassifier.from_pretrained(directory, precision="fp32")
        predicted = [p.label for p in classifier.predict([r["text"] for r in rows], [r["target"] for r in rows])]
    return 100 * f1_score([normalize_label(r["label"]) for r in rows], predicted, labels=LABELS, average="macro")


def train_system(
    name: str, flags: list[str] | None, paths: dict[str, Path], out: Path, *, epochs: float | None = None, seed: int = 42, test: bool = False
) -> dict:
    """Train one system as its own process; its time, memory and validation (and ``test``) scores."""
    n = len(read_jsonl(paths["train"]))
    if flags is None:
        epochs = epochs or 3.0
        command = [sys.executable, "-m", "scripts.bench_train", "--hand-wired", str(paths["train"]), str(out), "--epochs", str(epochs), "--seed", str(seed)]
        shutil.rmtree(str(out) + ".checkpoints", ignore_errors=True)
    else:
        flags = list(flags) + (["--epochs", str(epochs)] if epochs else [])
        epochs = float(flags[len(flags) - 1 - flags[::-1].index("--epochs") + 1]) if "--epochs" in flags else default_epochs()
        command = [sys.executable, "-m", "stance", "train", str(paths["train"]), "--validation", str(paths["val"]), "-o", str(out), "--force",
                   "--seed", str(seed), *flags]
    if out.exists():
        shutil.rmtree(out)
    wall, peak, anonymous, log = run(command)
    result = {"system": name, "seed": seed, "epochs": epochs, "wall": wall, "peak_mib": peak, "anon_mib": anonymous,
              "comments_per_s": n * epochs / wall}
    if flags is not None:
        result["loop_s"] = training_seconds(log)
    return result | {f"{split}_f1": macro_f1(out, paths[split], flags is None) for split in ("val", "test")[: 2 if test else 1]}


def default_epochs() -> float:
    from stance.training.config import TrainingConfig

    return TrainingConfig().epochs


def row(result: dict) -> str:
    per_epoch = 32000 / result["comments_per_s"] / 60
    test = f"{result['test_f1']:>8.1f}" if "test_f1" in result else f"{'-':>8}"
    return (f"{result['system']:<24} {result['seed']:>4} {result['epochs']:>6.2f} {result['wall']:>7.0f} {result['comments_per_s']:>10.1f} "
            f"{per_epoch:>13.1f} {result['peak_mib']:>8.0f} {result['anon_mib']:>8.0f} {result['val_f1']:>7.1f} {test}")


HEADER = (f"{'system':<24} {'seed':>4} {'epochs':>6} {'wall s':>7} {'comments/s':>10} {'min/32k epoch':>13} {'peak MiB':>8} "
          f"{'anon MiB':>8} {'val mF1':>7} {'test mF1':>8}")


def mean_row(name: str, results: list[dict]) -> str:
    from statistics import mean, stdev

    def spread(key: str, digits: int) -> str:
        values = [r[key] for r in results]
        return f"{mean(values):.{digits}f} ± {stdev(values):.{digits}f}" if len(values) > 1 else f"{values[0]:.{digits}f}"

    return f"{name:<24} mean of {len(results)} seeds: wall {spread('wall', 0)} s, val {spread('val_f1', 1)}, test {spread('test_f1', 1)}"


def record(result: dict, results_file: Path | None) -> None:
    print(row(result), flush=True)
    if results_file:
        with open(results_file, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")


def profile(paths: dict[str, Path], out: Path) -> None:
    """Where the defaults' time goes, in this process: each step of `train` timed on its own."""
    import transformers

    import stance.training.loop as loop
    import stance.training.trainer as trainer
    from stance.training.data import load_labelled

    spent: dict[str, float] = {}
    order: list[str] = []

    def timed(owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, wrapper)
        order.append(label)

    timed(loop, "window_rows", "tokenising (training and validation comments)")
    timed(loop, "cache_features", "running the frozen layers once")
    timed(transformers.Trainer, "train", "the training loop (with evaluations and checkpoints)")
    timed(transformers.Trainer, "evaluate", "  of which: evaluations (cached features, first windows)")
    timed(trainer, "_validation_scores", "scoring validation with the whole model (fp32)")
    timed(trainer.StanceClassifier, "save_pretrained", "writing the model")
    started = time.perf_counter()
    trainer.train(load_labelled(paths["train"]), out, validation=load_labelled(paths["val"]), force=True)
    total = time.perf_counter() - started
    print(f"where the defaults' time goes (in one process, after imports): {total:.1f} s in all")
    for label in order:
        print(f"  {label:<58} {spent.get(label, 0.0):6.1f} s")


def step_speed(paths: dict[str, Path], folder: Path, steps: int = 60) -> None:
    """Windows per second of the top layers' training step alone (the defaults' three layers on their
    cached features, bf16 where the CPU has AMX): by batch size, by the multiple batches are padded to,
    and under torch.compile (the compile time beside)."""
    import numpy as np
    import torch

    from stance.model.devices import torch_threads
    from stance.training import frozen
    from stance.training.config import TrainingConfig
    from stance.training.data import load_labelled
    from stance.training.start import initial_classifier

    config = TrainingConfig()
    rows = load_labelled(paths["train"])
    classifier = initial_classifier(config, {"stance": LABELS}, None)
    windows, _, _ = classifier.encode_windows([r.text for r in rows], [r.target for r in rows])
    model = classifier.model
    layers = frozen.layer_count(model) - config.resolved_trainable_layers()
    bf16 = config.resolved_precision("cpu") == "bf16"
    store = frozen.cache_features(model, layers, windows, classifier.windows.pad, folder, batch_size=64, bf16=bf16, device="cpu")
    for parameter in frozen.frozen_parameters(model, layers).values():
        parameter.requires_grad_(False)
    lengths = np.array([len(w["input_ids"]) for w in windows])
    print(f"the top {config.resolved_trainable_layers()} layers' training step alone, {'bf16' if bf16 else 'fp32'}, "
          f"{len(windows)} windows of {lengths.mean():.0f} tokens on average; windows/s over {steps} batches of all lengths after 5 to warm up")

    def speed(batch_size: int, multiple: int, compiled: bool = False) -> tuple[float, float]:
        order = np.argsort(lengths + np.random.default_rng(0).random(len(lengths)))
        every = [order[i : i + batch_size].tolist() for i in range(0, len(order), batch_size)]
        # length-sorted batches as in training, taken evenly from the shortest to the longest, in random order
        picked = np.linspace(0, len(every) - 1, steps + 5).round().astype(int)
        batches = [every[i] for i in np.random.default_rng(1).permutation(picked)]
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        run = torch.compile(model, dynamic=True) if compiled else model
        model.train()
        started = time.perf_counter()
        for i, batch in enumerate(batches):
            if i == 5:
                warm, started = time.perf_counter() - started, time.perf_counter()
            hidden, mask = store.batch(batch)
            padded = -(-hidden.shape[1] // multiple) * multiple
            hidden = torch.nn.functional.pad(hidden, (0, 0, 0, padded - hidden.shape[1]))
            mask = torch.nn.functional.pad(mask, (0, padded - mask.shape[1]))
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16), frozen.top_only(model, layers):
                loss = run(inputs_embeds=hidden, attention_mask=mask).logits.float().sum()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        return sum(map(len, batches[5:])) / (time.perf_counter() - started), warm

    with torch_threads(usable_cores()):
        for batch_size, multiple, compiled in [(16, 8, False), (32, 1, False), (32, 8, False), (32, 16, False), (32, 32, False),
                                               (32, 8, True)]:
            rate, warm = speed(batch_size, multiple, compiled)
            label = f"batch {batch_size}, padded to a multiple of {multiple}" + (", torch.compile" if compiled else "")
            print(f"  {label:<50} {rate:6.0f} windows/s   (first 5 steps: {warm:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated levers: " + ", ".join(name for name in SYSTEMS if name not in GOAL))
    parser.add_argument("--seeds", default="42,1,2", help="seeds of the hand-wired Trainer and the defaults (the goal's comparison)")
    parser.add_argument("--no-equal-time", action="store_true", help="skip the runs at the defaults' wall-clock time")
    parser.add_argument("--memory", type=int, help="instead: peak memory of `stance train` (defaults) on a mixture of this many rows")
    parser.add_argument("--profile", action="store_true", help="instead: where the defaults' time goes, step by step")
    parser.add_argument("--steps", action="store_true", help="instead: the top layers' training step alone, by batch shape and compiling")
    parser.add_argument("--results", type=Path, help="also append each result as a JSON line to this file")
    parser.add_argument("--hand-wired", nargs=2, metavar=("TRAIN", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=float, default=3.0, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=42, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hand_wired:
        hand_wired(*args.hand_wired, epochs=args.epochs, seed=args.seed)
        return
    if not (BENCHMARKS / "tweeteval_stance").exists():
        raise SystemExit(f"needs {BENCHMARKS}")
    levers = [name.strip() for name in args.only.split(",") if name.strip()] if args.only is not None else [n for n in SYSTEMS if n not in GOAL]
    unknown = [name for name in levers if name not in SYSTEMS or name in GOAL]
    if unknown:
        parser.error(f"unknown levers {unknown}")
    flags = sorted(flag for flag in cpu_flags() if flag in {"avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni"})
    print(f"{usable_cores()} cores; CPU flags: {', '.join(flags) or 'none of AVX-512, VNNI, AMX'}")
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        folder = Path(tmp)
        if args.memory:
            path = mixture(folder, args.memory)
            wall, peak, anonymous, _ = run([sys.executable, "-m", "stance", "train", str(path), "-o", str(folder / "big"), "--epochs", "0.02"])
            print(f"stance train (defaults) on {args.memory} rows for 0.02 epochs (every window's frozen layers run and kept): "
                  f"{wall:.0f} s, peak memory {peak:.0f} MiB resident, {anonymous:.0f} MiB of it anonymous (the rest: the mapped cache)")
            return
        paths = bench_data(folder)
        if args.profile:
            profile(paths, folder / "model")
            return
        if args.steps:
            step_speed(paths, folder / "features")
            return
        sizes = {split: len(read_jsonl(path)) for split, path in paths.items()}
        print(f"comments: train {sizes['train']}, validation {sizes['val']}, test {sizes['test']} (TweetEval stance, P-Stance, ARC)")
        print("the goal: the hand-wired Trainer (3 epochs, batch 16, fp32) and `stance train` with its defaults, seed by seed")
        print(HEADER)
        goal: dict[str, list[dict]] = {name: [] for name in GOAL}
        for seed in (int(seed) for seed in args.seeds.split(",")):
            for name in GOAL:
                goal[name].append(train_system(name, SYSTEMS[name], paths, folder / "model", seed=seed, test=True))
                record(goal[name][-1], args.results)
        for name, results in goal.items():
            print(mean_row(name, results))
        hand, ours = ({key: sum(r[key] for r in goal[name]) / len(goal[name]) for key in ("wall", "test_f1")} for name in GOAL[:2])
        print(f"stance train with its defaults: {ours['wall']:.0f} s, 1/{hand['wall'] / ours['wall']:.1f} of the hand-wired Trainer's "
              f"{hand['wall']:.0f} s; test macro-F1 {ours['test_f1']:.1f} vs {hand['test_f1']:.1f} (means over the seeds)")
        if not levers:
            return
        print("each lever alone, from the previous release's defaults, at equal epochs (3; seed 42):")
        print(HEADER)
        results = {name: train_system(name, SYSTEMS[name], paths, folder / "model") for name in levers}
        for result in results.values():
            record(result, args.results)
        if not args.no_equal_time:
            budget = ours["wall"]
            print(f"at equal wall-clock time ({budget:.0f} s, the defaults' whole run): each lever's fixed costs (its whole run less "
                  "its training loop) and as many epochs as fit in the rest")
            print(HEADER)
            for name in levers:
                # what is not the training loop (start-up, the frozen layers, scoring, writing) stays; the loop gets the rest
                lever = results[name]
                fixed, per_epoch = lever["wall"] - lever["loop_s"], lever["loop_s"] / lever["epochs"]
                epochs = max(0.05, round((budget - fixed) / per_epoch, 2))
                record(train_system(name, SYSTEMS[name], paths, folder / "model", epochs=epochs), args.results)


if __name__ == "__main__":
    main()
