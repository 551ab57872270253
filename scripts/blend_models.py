"""Blend two fine-tuned models in weight space: every weight (1 - w) * first + w * second.

A weight-space ensemble (Wortsman et al., "Robust fine-tuning of zero-shot models", WiSE-FT): where
the second model was fine-tuned from the first, the models in between often keep what the first did
well (here: ARC and sarcasm) while gaining much of what the second learned, at no cost at run time.
Each model's calibrated temperatures are folded into its output layers before blending; the blend is
saved with temperature 1.0 (run ``stance calibrate`` on it) and compactly, as the first was.

    python -m scripts.blend_models stance/model/default ~/.cache/stance/candidates/e --weight 0.5 --output /tmp/blend
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from stance.model.classifier import StanceClassifier
from stance.model.storage import ModelSettings


def blend_states(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor], weight: float) -> dict[str, torch.Tensor]:
    """``(1 - weight) * first + weight * second`` for each tensor (integer buffers are taken from ``first``)."""
    if first.keys() != second.keys():
        raise ValueError(f"the models differ in their tensors: {sorted(first.keys() ^ second.keys())[:3]}")
    return {
        name: torch.lerp(tensor, second[name].to(tensor.dtype), weight) if tensor.is_floating_point() else tensor
        for name, tensor in first.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", help="model directory (weight 1 - w)")
    parser.add_argument("second", help="model directory fine-tuned from the first (weight w)")
    parser.add_argument("--weight", type=float, required=True, help="w, from 0 (the first) to 1 (the second)")
    parser.add_argument("--head-weight", action="append", default=[], metavar="TASK=W",
                        help="another weight for a further head, e.g. sentiment=0.3 (default: --weight)")
    parser.add_argument("--output", required=True)
    parser.add_argument("--force", action="store_true", help="replace an existing output directory")
    args = parser.parse_args()
    head_weights = {}
    for item in args.head_weight:
        task, _, value = item.partition("=")
        try:
            head_weights[task] = float(value)
        except ValueError:
            parser.error(f"--head-weight {item!r}: expected TASK=W, e.g. sentiment=0.3")
    if not all(0.0 <= w <= 1.0 for w in (args.weight, *head_weights.values())):
        parser.error("weights go from 0 to 1")
    output = Path(args.output).expanduser()
    if output.exists() and not args.force:
        parser.error(f"{output} exists; pass --force to replace it")

    first, second = (StanceClassifier.from_pretrained(path).with_temperatures_folded() for path in (args.first, args.second))
    if first.tasks != second.tasks:
        raise SystemExit(f"the models answer different tasks or labels: {first.tasks} against {second.tasks}")
    first.model.load_state_dict(blend_states(first.model.state_dict(), second.model.state_dict(), args.weight))
    if unknown := head_weights.keys() - first.heads.keys():
        raise SystemExit(f"--head-weight: the models have no {', '.join(sorted(unknown))} head")
    for task, head in first.heads.items():
        other = second.heads[task].module.state_dict()
        head.module.load_state_dict(blend_states(head.module.state_dict(), other, head_weights.get(task, args.weight)))
    storage = ModelSettings.read(Path(args.first)).format or "full"
    heads = "".join(f"; the {task} head {1 - w:g} × first + {w:g} × second" for task, w in head_weights.items())
    card = f"# Blend\n\n{1 - args.weight:g} × `{args.first}` + {args.weight:g} × `{args.second}` in weight space{heads}.\n"
    first.save_pretrained(output, storage=storage, card=card)
    print(f"wrote {output} ({storage}); calibrate it: stance calibrate data/dev.jsonl --model {output} "
          "--label-column stance --sentiment-column sentiment")


if __name__ == "__main__":
    main()
