"""The network as an ONNX model (inference only): input ``x`` (raw inputs, one row per sample),
output ``y``, the input normalisation inside the graph.

The graph is built directly with the ``onnx`` package's helper, so exporting needs only ``onnx``
(a few MB), not torch (hundreds of MB, and its ONNX exporter traces a Python module into a graph
we can write out ourselves in a few nodes). Per pair of connected layers a MatMul by the weight
matrix (missing links are zeros in it, so no mask is needed at inference), then Add of the bias
and the activation; a layer whose neurons differ in activation gathers each group's columns,
activates them and scatters them back in order.

``precision``: "float32" (the default: every ONNX runtime and accelerator runs it; outputs agree
with the app's to about 1e-6) or "float64" (bit-for-bit weights; outputs agree to about 1e-15).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..project import Project
from . import ExportError, Exporter, register

OPSET = 17
IR_VERSION = 8  # the oldest IR that carries opset 17: the widest choice of runtimes
# Leaky ReLU is Max(x, 0.01·x) with the slope as a tensor of the model's precision, not ONNX's
# LeakyRelu: its alpha attribute is a float32 (0.0099999998), 2e-10 off in float64 (measured:
# outputs 1.7e-9 away from the engine's).
OPS = {"sigmoid": ("Sigmoid", {}), "tanh": ("Tanh", {}), "relu": ("Relu", {}),
       "linear": ("Identity", {}), "softmax": ("Softmax", {"axis": 1})}
LEAKY_SLOPE = 0.01


class _Graph:
    """Nodes and constant tensors under generated, readable names."""

    def __init__(self, dtype: type) -> None:
        from onnx import helper, numpy_helper
        self.helper, self.numpy_helper, self.dtype = helper, numpy_helper, dtype
        self.nodes: list = []
        self.inits: list = []

    def const(self, name: str, value: Any, dtype: type | None = None) -> str:
        self.inits.append(self.numpy_helper.from_array(np.asarray(value, dtype=dtype or self.dtype), name))
        return name

    def op(self, op: str, inputs: list[str], out: str, **attrs: Any) -> str:
        self.nodes.append(self.helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


def _apply(g: _Graph, act: str, net: str, out: str) -> str:
    if act == "leaky_relu":
        scaled = g.op("Mul", [net, g.const(f"{out}_slope", LEAKY_SLOPE)], f"{out}_scaled")
        return g.op("Max", [net, scaled], out)
    op, attrs = OPS[act]
    return g.op(op, [net], out, **attrs)


def _activate(g: _Graph, j: int, net: str, groups: dict[str, list[int]], size: int, final: str) -> str:
    if len(groups) == 1:
        return _apply(g, next(iter(groups)), net, final)
    parts, order = [], []
    for act, idx in groups.items():
        picked = g.op("Gather", [net, g.const(f"layer{j}_{act}_index", idx, np.int64)], f"layer{j}_{act}_net", axis=1)
        parts.append(_apply(g, act, picked, f"layer{j}_{act}_out"))
        order += idx
    joined = g.op("Concat", parts, f"layer{j}_grouped", axis=1)
    inverse = np.argsort(np.array(order))  # column k of the layer sits at position inverse[k]
    return g.op("Gather", [joined, g.const(f"layer{j}_order", inverse, np.int64)], final, axis=1)


def build(project: Project, precision: str = "float32"):
    import onnx
    from onnx import TensorProto, helper
    if precision not in ("float32", "float64"):
        raise ExportError(f"precision {precision!r}: use float32 or float64")
    net = project.network
    net.validate()
    dtype = np.float32 if precision == "float32" else np.float64
    elem = TensorProto.FLOAT if precision == "float32" else TensorProto.DOUBLE
    g = _Graph(dtype)
    outs = ["x"]
    ds = project.dataset
    if ds is not None and ds.normalization is not None:
        shifted = g.op("Sub", ["x", g.const("input_offset", ds.normalization.offset)], "x_shifted")
        outs = [g.op("Div", [shifted, g.const("input_scale", ds.normalization.scale)], "x_normalised")]
    last = len(net.layers) - 1
    for j in range(1, len(net.layers)):
        layer = net.layers[j]
        sources = net.incoming(j) or [0]  # no links in: net = bias (a product by zeros keeps the batch)
        terms = []
        for a in sources:
            blk = net.blocks.get((a, j))
            w = np.where(blk.mask, blk.weight, 0.0) if blk is not None else np.zeros((net.layers[a].size, layer.size))
            terms.append(g.op("MatMul", [outs[a], g.const(f"weight_{a}_{j}", w)], f"product_{a}_{j}"))
        total = terms[0]
        for k, t in enumerate(terms[1:], start=1):
            total = g.op("Add", [total, t], f"sum_{j}_{k}")
        net_j = g.op("Add", [total, g.const(f"bias_{j}", layer.biases)], f"net_{j}")
        groups: dict[str, list[int]] = {}
        for k in range(layer.size):
            groups.setdefault(layer.activation_of(k), []).append(k)
        outs.append(_activate(g, j, net_j, groups, layer.size, "y" if j == last else f"out_{j}"))
    graph = helper.make_graph(
        g.nodes, "backprop_studio_network",
        [helper.make_tensor_value_info("x", elem, ["batch", net.n_inputs])],
        [helper.make_tensor_value_info("y", elem, ["batch", net.n_outputs])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="Backprop Studio",
                              doc_string=(project.title or "network") + ": " + " -> ".join(map(str, net.sizes))
                              + "; input x takes raw inputs (normalisation inside), output y")
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {"input_names": ",".join(net.layers[0].names),
                                   "output_names": ",".join(net.layers[-1].names)})
    onnx.checker.check_model(model)
    return model


def write(project: Project, path: Path, options: dict[str, Any]) -> None:
    try:
        model = build(project, options.get("precision") or "float32")
    except ValueError as e:
        raise ExportError(str(e)) from None
    path.write_bytes(model.SerializeToString())


register(Exporter("onnx", ".onnx", "an ONNX model for onnxruntime and other ONNX engines", write, needs=("onnx",)))
