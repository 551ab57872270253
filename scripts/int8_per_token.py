"""Research for the int8 path: int8 matrix products whose activations are quantised per token (each row of
each window its own scale), so that a window's scores do not depend on its batch and batches can be big.

A graph rewrite of the fp32 export: each MatMul with a weight becomes the absolute maximum of each
token's row, that row quantised to uint8 around 128, ONNX's MatMulInteger against the weight quantised
per output channel to int8, and the int32 result scaled back by the row's and the channel's scales.

    python -m scripts.int8_per_token
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def channel_maxima(fp32: Path, feeds: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Each weighted MatMul's input: the largest absolute value of each channel over the calibration ``feeds``."""
    import onnx
    import onnxruntime

    model = onnx.load(str(fp32))
    weights = {init.name for init in model.graph.initializer}
    inputs = {node.name: node.input[0] for node in model.graph.node if node.op_type == "MatMul" and node.input[1] in weights}
    known = {output.name for output in model.graph.output}
    model.graph.output.extend(onnx.ValueInfoProto(name=name) for name in set(inputs.values()) - known)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    maxima: dict[str, np.ndarray] = {}
    for feed in feeds:
        found = dict(zip(names, session.run(None, feed)))
        for tensor in set(inputs.values()):
            row = np.abs(found[tensor]).reshape(-1, found[tensor].shape[-1]).max(axis=0)
            maxima[tensor] = np.maximum(maxima.get(tensor, row), row)
    return {node: maxima[tensor] for node, tensor in inputs.items()}


def per_token_int8(fp32: Path, path: Path, skip: set[str] = frozenset(), maxima: dict[str, np.ndarray] | None = None,
                   alpha: float = 0.5) -> None:
    """Rewrite every MatMul of ``fp32`` that has a weight (but those in ``skip``) into per-token int8; with each
    input channel's calibrated ``maxima``, first smoothed (SmoothQuant): the input divided by s, the weight's rows
    multiplied by it, s = max|x|^alpha / max|w|^(1 - alpha)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(fp32))
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    shared = [numpy_helper.from_array(np.array(1 / 127, dtype=np.float32), "pt_inv127"),
              numpy_helper.from_array(np.array(1e-8, dtype=np.float32), "pt_eps"),
              numpy_helper.from_array(np.array(128, dtype=np.float32), "pt_128"),
              numpy_helper.from_array(np.array(128, dtype=np.uint8), "pt_zero"),
              numpy_helper.from_array(np.array([-1], dtype=np.int64), "pt_last")]
    graph.initializer.extend(shared)
    nodes = []
    for node in graph.node:
        weight = next((name for name in node.input if name in weights), None)
        if node.op_type != "MatMul" or weight is None or node.name in skip or node.input[1] != weight:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weights[weight]).astype(np.float32)  # [K, N]
        p = node.name.replace("/", "_")
        x = node.input[0]
        if maxima is not None:
            smooth = np.maximum(maxima[node.name], 1e-5) ** alpha / np.maximum(np.abs(w).max(axis=1), 1e-5) ** (1 - alpha)
            w = w * smooth[:, None]
            graph.initializer.append(numpy_helper.from_array((1 / smooth).astype(np.float32), f"{p}_smooth"))
            nodes.append(helper.make_node("Mul", [x, f"{p}_smooth"], [f"{p}_xsm"]))
            x = f"{p}_xsm"
        w_scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127
        w_q = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
        graph.initializer.extend([numpy_helper.from_array(w_q, f"{p}_wq"), numpy_helper.from_array(w_scale.astype(np.float32), f"{p}_ws")])
        y = node.output[0]
        nodes += [
            helper.make_node("Abs", [x], [f"{p}_abs"]),
            helper.make_node("ReduceMax", [f"{p}_abs"], [f"{p}_amax"], axes=[-1], keepdims=1),
            helper.make_node("Mul", [f"{p}_amax", "pt_inv127"], [f"{p}_s0"]),
            helper.make_node("Max", [f"{p}_s0", "pt_eps"], [f"{p}_s"]),
            helper.make_node("Div", [x, f"{p}_s"], [f"{p}_xs"]),
            helper.make_node("Round", [f"{p}_xs"], [f"{p}_xr"]),
            helper.make_node("Add", [f"{p}_xr", "pt_128"], [f"{p}_xu"]),
            helper.make_node("Cast", [f"{p}_xu"], [f"{p}_xq"], to=TensorProto.UINT8),
            helper.make_node("MatMulInteger", [f"{p}_xq", f"{p}_wq", "pt_zero"], [f"{p}_acc"]),
            helper.make_node("Cast", [f"{p}_acc"], [f"{p}_accf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [f"{p}_accf", f"{p}_s"], [f"{p}_rows"]),
            helper.make_node("Mul", [f"{p}_rows", f"{p}_ws"], [y]),
        ]
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.save(model, str(path))
