"""When to lower --threads: classification speed on an idle machine and on one where another job keeps
a core busy, with torch's and ONNX Runtime's threads on every usable core (the default) and on one.

    python -m scripts.bench_threads [--comments 400] [--singles 40]
    python -m scripts.bench_threads --single-comment      # one comment at a time: threads per batch, before and now

The busy case starts a second process that spins on one core for the whole measurement, as a
training run or a second `stance classify` would. Throughput is in batches over data/test comments
with their targets; latency is one comment at a time (the `predict("...")` a notebook makes).
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager

from scripts.shared_data import corpus_split
from stance.model.classifier import StanceClassifier
from stance.model.devices import usable_cores


def _spin(stop: multiprocessing.synchronize.Event) -> None:
    while not stop.is_set():
        sum(range(10_000))


@contextmanager
def busy_core(busy: bool) -> Iterator[None]:
    """A second process spinning on one core, for the length of the block."""
    if not busy:
        yield
        return
    stop = multiprocessing.Event()
    spinner = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    spinner.start()
    time.sleep(1.0)
    try:
        yield
    finally:
        stop.set()
        spinner.join()


def measure(classifier: StanceClassifier, texts: list[str], targets: list[str], singles: int) -> tuple[float, float]:
    """Comments per second in batches, and milliseconds per single comment."""
    classifier.predict_proba(texts[:16], targets[:16])  # warm up
    started = time.perf_counter()
    classifier.predict_proba(texts, targets)
    per_second = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for text, target in zip(texts[:singles], targets[:singles]):
        classifier.predict_proba([text], target)
    milliseconds = (time.perf_counter() - started) / singles * 1000
    return per_second, milliseconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=400)
    parser.add_argument("--singles", type=int, default=40)
    parser.add_argument("--precisions", default="fp32,bf16,int8")
    parser.add_argument("--single-comment", action="store_true",
                        help="instead: fp32 latency of one comment, a batch's threads chosen by its size (now) and all cores (before)")
    args = parser.parse_args()
    if args.single_comment:
        single_comment(args.singles)
        return

    rows = corpus_split("test")
    rows = (rows * (args.comments // len(rows) + 1))[: args.comments]
    texts, targets = [row.text for row in rows], [row.target for row in rows]
    cores = usable_cores()
    print(f"{len(texts)} data/test comments, {cores} usable cores; busy: a second process spins on one core")
    print(f"{'precision':10}{'machine':8}{'threads':>8}{'comments/s':>12}{'ms/comment':>12}{'x default':>11}")
    for precision in args.precisions.split(","):
        for busy in (False, True):
            with busy_core(busy):
                results = {}
                for threads in (cores, 1):
                    classifier = StanceClassifier.from_pretrained(precision=precision, device="cpu", threads=threads)
                    results[threads] = measure(classifier, texts, targets, args.singles)
            for threads, (per_second, milliseconds) in results.items():
                ratio = per_second / results[cores][0]
                print(f"{precision:10}{'busy' if busy else 'idle':8}{threads:>8}{per_second:>12.0f}{milliseconds:>12.1f}{ratio:>10.2f}x")


def single_comment(singles: int) -> None:
    """Milliseconds per comment, one at a time (fp32, the default of ``predict``): every usable core for
    each batch, as before, against a lone batch's threads chosen by its windows (now), and ``threads=1``."""
    import torch

    from stance.model.backends import TorchBackend
    from stance.model.devices import torch_threads
    from stance.model.heads import run_with_heads

    def every_core(self: TorchBackend, batches, inputs_of, features=False):  # the rule before: all threads whatever the batch
        for batch in batches:
            with torch.inference_mode(), torch_threads(self.runtime.threads):
                tensors = {name: torch.from_numpy(array).to(self.model.device) for name, array in inputs_of(batch).items()}
                own, further = run_with_heads(self.model, self.heads, tensors)
                yield [logits.float().cpu().numpy() for logits in (own, *further.values())]

    rows = corpus_split("test")[:singles]
    texts, targets = [row.text for row in rows], [row.target for row in rows]
    default = StanceClassifier.from_pretrained(precision="fp32", device="cpu")
    one = StanceClassifier.from_pretrained(precision="fp32", device="cpu", threads=1)
    now = TorchBackend.map_batches
    print(f"{singles} data/test comments one at a time (fp32), {usable_cores()} usable cores; ms per comment")
    print(f"{'machine':8}{'every core (before)':>21}{'threads by batch (now)':>26}{'threads=1':>11}")
    for busy in (False, True):
        with busy_core(busy):
            TorchBackend.map_batches = every_core
            before = measure(default, texts, targets, singles)[1]
            TorchBackend.map_batches = now
            print(f"{'busy' if busy else 'idle':8}{before:>21.1f}{measure(default, texts, targets, singles)[1]:>26.1f}"
                  f"{measure(one, texts, targets, singles)[1]:>11.1f}")


if __name__ == "__main__":
    main()
