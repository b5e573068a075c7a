"""The network as SNNS files: ``NAME.net`` (units, biases, links with weights, positions) and,
when the network holds data, ``NAME.pat`` (its samples as input and output patterns).

SNNS represents networks whose neurons are logistic, tanh or linear; anything else (ReLU,
softmax, ...) is refused naming the neurons. Numbers are written with ``repr`` (SNNS itself
writes five decimals) so an import of the written file gets every weight back bit for bit. SNNS
has no input normalisation: a network with one gets it folded into the weights and biases of the
links leaving the inputs (w' = w / scale, b' = b − Σ offset·w / scale), so the written network
takes raw inputs, as the .pat file holds them.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ..network import Network
from ..project import Project
from ..snns import GRID, NET_MAGIC, PAT_MAGIC
from . import ExportError, Exporter, register

SNNS_ACT = {"sigmoid": "Act_Logistic", "tanh": "Act_TanH"}  # linear: Act_Identity(PlusBias)
PER_LINE = 8  # links per line, as SNNS wraps them


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def check_representable(net: Network) -> None:
    bad: dict[str, list[str]] = {}
    for li in range(1, len(net.layers)):
        for k, name in enumerate(net.layers[li].names):
            act = net.activation_of(li, k)
            if act not in SNNS_ACT and act != "linear":
                bad.setdefault(act, []).append(name)
    if bad:
        what = "; ".join(f"{act} on {', '.join(names)}" for act, names in bad.items())
        raise ExportError(f"SNNS has no such activation ({what}); it takes logistic, tanh and linear neurons")


def folded(project: Project) -> Network:
    """A copy whose first-layer weights absorb the dataset's input normalisation."""
    net = project.network.copy()
    ds = project.dataset
    if ds is None or ds.normalization is None:
        return net
    off, scale = ds.normalization.offset, ds.normalization.scale
    for (a, b), blk in net.blocks.items():
        if a == 0:
            w = np.where(blk.mask, blk.weight / scale[:, None], 0.0)
            net.layers[b].biases = net.layers[b].biases - off @ w
            blk.weight = w
    return net


def _positions(net: Network) -> list[list[tuple[int, int]]]:
    """Integer grid positions: stored canvas positions scaled, or a column per layer."""
    out = []
    for li, layer in enumerate(net.layers):
        out.append([(round(p[0] / GRID), round(p[1] / GRID)) if p is not None else (1 + 4 * li, 1 + k)
                    for k, p in enumerate(layer.positions)])
    return out


def net_text(net: Network, name: str) -> str:
    check_representable(net)
    net.validate()
    numbers, units = {}, []
    pos = _positions(net)
    last = len(net.layers) - 1
    for li, layer in enumerate(net.layers):
        for k, nm in enumerate(layer.names):
            numbers[(li, k)] = len(numbers) + 1
            act = net.activation_of(li, k) if li else "linear"
            bias = float(layer.biases[k]) if li else 0.0
            func = SNNS_ACT.get(act) or ("Act_IdentityPlusBias" if bias != 0.0 else "Act_Identity")
            st = "i" if li == 0 else "o" if li == last else "h"
            units.append((numbers[(li, k)], nm, _num(bias), st, f"{pos[li][k][0]},{pos[li][k][1]},0",
                          "" if func == "Act_Logistic" else func))
    incoming: dict[int, list[str]] = {}
    for ls, i, ld, j, w in net.connections():
        incoming.setdefault(numbers[(ld, j)], []).append(f"{numbers[(ls, i)]}:{_num(w)}")
    stamp = time.strftime("%a %b %d %H:%M:%S %Y")
    lines = [f"{NET_MAGIC} V1.4-3D", f"generated at {stamp}", "", f"network name : {'_'.join(name.split()) or 'UNTITLED'}",
             "source files :", f"no. of units : {len(units)}", f"no. of connections : {net.num_connections}",
             "no. of unit types : 0", "no. of site types : 0", "", "",
             "learning function : Std_Backpropagation", "update function   : Topological_Order", "", "",
             "unit default section :", "",
             "act      | bias     | st | subnet | layer | act func     | out func",
             "---------|----------|----|--------|-------|--------------|-------------",
             " 0.00000 |  0.00000 | h  |      0 |     1 | Act_Logistic | Out_Identity ",
             "---------|----------|----|--------|-------|--------------|-------------", "", "",
             "unit definition section :", ""]
    cols = ["no.", "typeName", "unitName", "act", "bias", "st", "position", "act func", "out func", "sites"]
    rows = [[str(u[0]), "", u[1], "0", u[2], u[3], u[4], u[5], "", ""] for u in units]
    widths = [max(len(c), *(len(r[k]) for r in rows)) for k, c in enumerate(cols)]
    fmt = lambda cells: "|".join(f" {c:<{w}} " if k else f"{c:>{w}} "  # noqa: E731
                                 for k, (c, w) in enumerate(zip(cells, widths))).rstrip()
    rule = "|".join("-" * (w + (1 if k == 0 else 2)) for k, w in enumerate(widths))
    lines += [fmt(cols), rule, *(fmt(r) for r in rows), rule]
    if incoming:
        lines += ["", "", "connection definition section :", "", "target | site | source:weight",
                  "-------|------|" + "-" * 60]
        for target in sorted(incoming):
            entries = incoming[target]
            chunks = [", ".join(entries[s:s + PER_LINE]) for s in range(0, len(entries), PER_LINE)]
            lines.append(f"{target:>6} |      | " + (",\n" + " " * 16).join(chunks))
        lines.append("-------|------|" + "-" * 60)
    return "\n".join(lines) + "\n"


def pat_text(x: np.ndarray, y: np.ndarray) -> str:
    stamp = time.strftime("%a %b %d %H:%M:%S %Y")
    lines = [f"{PAT_MAGIC} V3.2", f"generated at {stamp}", "", "", f"No. of patterns : {len(x)}",
             f"No. of input units : {x.shape[1]}", f"No. of output units : {y.shape[1]}", ""]
    for k in range(len(x)):
        lines += [f"# Input pattern {k + 1}:", " ".join(map(_num, x[k])),
                  f"# Output pattern {k + 1}:", " ".join(map(_num, y[k]))]
    return "\n".join(lines) + "\n"


def write(project: Project, path: Path, options: dict[str, Any]) -> None:
    net = folded(project)
    text = net_text(net, project.title or path.stem)
    path.write_text(text, encoding="latin-1", errors="replace")
    ds = project.dataset
    if ds is not None and len(ds):
        path.with_suffix(".pat").write_text(pat_text(ds.x, ds.y), encoding="latin-1")


register(Exporter("snns", ".net", "SNNS network (.net) and patterns (.pat) for the Stuttgart simulator", write))
