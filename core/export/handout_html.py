"""The step-through as a hand-out: one self-contained HTML page with every stage of one training
step (one sample, as ``trace --sample K``), each formula with its numbers and result, the way the
Explain panel shows them, the network drawing, and a table of every number.

The stages and their numbers come from core.stepper and the formulas from core.explain, so the
paper and the screen never disagree. Every number in the tables also carries its exact value in
a ``data-value`` attribute. The page prints on A4 and Letter alike: no page size is forced, the
content is at most 180 mm wide (both papers minus 15 mm margins), stages never break across
pages, and colours are only an aid (the numbers carry the meaning).
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any


from ..explain import BiasRef, ConnectionRef, NeuronRef, explain, format_number
from ..project import Project
from ..stepper import Stepper, StageView
from . import ExportError, Exporter, register
from .svg import render as render_svg

DEFAULT_DIGITS = 6
CSS = """
@page { margin: 15mm; }
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; color: #111; max-width: 180mm;
       margin: 0 auto; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 14pt 0 4pt;
  border-bottom: 1px solid #888; } h3 { font-size: 11pt; margin: 8pt 0 2pt; }
.meta { color: #333; } .counter { color: #555; font-weight: normal; font-size: 10pt; }
section.stage { break-inside: avoid; page-break-inside: avoid; }
.explain p { margin: 2pt 0 2pt 10pt; } .explain i { color: #333; }
table { border-collapse: collapse; margin: 4pt 0; font-size: 10pt; break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2pt 6pt; text-align: right; }
th { background: #eee; } td.name { text-align: left; font-weight: bold; }
td, .num { font-variant-numeric: tabular-nums; }
figure { margin: 6pt 0; } figure svg { max-width: 100%; height: auto; max-height: 90mm; }
@media print { h2 { break-after: avoid; } a { color: inherit; } }
"""


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _cell(value: float | None, digits: int, kind: str, name: str, field: str) -> str:
    if value is None:
        return "<td></td>"
    return (f'<td data-kind="{kind}" data-name="{_esc(name)}" data-field="{field}" '
            f'data-value="{float(value)!r}">{_esc(format_number(value, digits))}</td>')


def _explanations(view: StageView, refs: list, digits: int) -> str:
    parts = []
    for ref in refs:
        e = explain(view, ref, digits)
        if e.lines:
            parts.append(f'<div class="explain">{e.html}</div>')
    return "".join(parts)


def _stage_refs(view: StageView, names: list[list[str]], net) -> list:
    st = view.stage
    last = len(names) - 1
    if st.kind == "forward":
        return [NeuronRef(n) for n in names[st.layer]]
    if st.kind == "error":
        return [NeuronRef(n) for n in names[last]]
    if st.kind == "backward":
        into = [ConnectionRef(net.name_of(ls, i), net.name_of(ld, j))
                for ls, i, ld, j, _ in net.connections() if ld == st.layer]
        return [NeuronRef(n) for n in names[st.layer]] + into + [BiasRef(n) for n in names[st.layer]]
    if st.kind == "update":
        conns = [ConnectionRef(net.name_of(ls, i), net.name_of(ld, j)) for ls, i, ld, j, _ in net.connections()]
        return conns + [BiasRef(n) for layer in names[1:] for n in layer]
    return []


def _input_table(view: StageView, names: list[list[str]], digits: int) -> str:
    tr = view.trace
    rows = "".join(f'<tr><td class="name">{_esc(n)}</td>{_cell(v, digits, "input", n, "value")}</tr>'
                   for n, v in zip(names[0], tr.inputs))
    targets = "".join(f'<tr><td class="name">{_esc(n)}</td>{_cell(v, digits, "target", n, "value")}</tr>'
                      for n, v in zip(names[-1], tr.targets))
    return (f"<table><tr><th>input</th><th>value</th></tr>{rows}</table>"
            f"<table><tr><th>output</th><th>target</th></tr>{targets}</table>")


def _summary(view: StageView, digits: int) -> str:
    """Every number of the step (the trace's), with exact values for a machine to check."""
    tr = view.trace
    n_rows = "".join(
        f'<tr><td class="name">{_esc(n.name)}</td><td style="text-align:left">{_esc(n.activation)}</td>'
        + _cell(n.net, digits, "neuron", n.name, "net") + _cell(n.out, digits, "neuron", n.name, "out")
        + _cell(n.delta, digits, "neuron", n.name, "delta") + "</tr>"
        for n in tr.neurons)
    b_rows = "".join(  # a second table: eight columns of 9-digit numbers overran A4's 180 mm
        f'<tr><td class="name">{_esc(n.bias_label or "")}</td><td class="name">{_esc(n.name)}</td>'
        + _cell(n.bias, digits, "neuron", n.name, "bias")
        + _cell(n.bias_grad, digits, "neuron", n.name, "bias_grad")
        + _cell(n.bias_new, digits, "neuron", n.name, "bias_new") + "</tr>"
        for n in tr.neurons if n.bias is not None)
    w_rows = "".join(
        f'<tr><td class="name">{_esc(w.label or "")}</td><td class="name">{_esc(w.source)} → {_esc(w.target)}</td>'
        + _cell(w.weight, digits, "weight", f"{w.source}>{w.target}", "weight")
        + _cell(w.grad, digits, "weight", f"{w.source}>{w.target}", "grad")
        + _cell(w.new, digits, "weight", f"{w.source}>{w.target}", "new") + "</tr>"
        for w in tr.weights)
    return (
        '<section class="stage"><h2>Every number of this step</h2>'
        "<p>δ = ∂E/∂net. Each weight moves by −η·∂E/∂w.</p>"
        "<table><tr><th>neuron</th><th>activation</th><th>net</th><th>out</th><th>δ</th></tr>"
        f"{n_rows}</table>"
        "<table><tr><th>label</th><th>bias of</th><th>b</th><th>∂E/∂b</th><th>new b</th></tr>"
        f"{b_rows}</table>"
        "<table><tr><th>label</th><th>connection</th><th>w</th><th>∂E/∂w</th><th>new w</th></tr>"
        f"{w_rows}</table>"
        f'<p>Error before: <span class="num" data-kind="error" data-field="before" '
        f'data-value="{tr.error_before!r}">{_esc(format_number(tr.error_before, digits))}</span>; '
        f'after one update: <span class="num" data-kind="error" data-field="after" '
        f'data-value="{tr.error_after!r}">{_esc(format_number(tr.error_after, digits))}</span></p></section>')


def render(project: Project, sample: int = 1, digits: int | None = None,
           learning_rate: float | None = None) -> str:
    """The hand-out of one step on ``sample`` (1-based, like ``trace --sample``)."""
    ds = project.dataset
    if ds is None or len(ds) == 0:
        raise ExportError("the network has no data: a hand-out follows one of its samples")
    if not 1 <= sample <= len(ds):
        raise ExportError(f"--sample {sample}: the data has samples 1 to {len(ds)}")
    lr = learning_rate if learning_rate is not None else project.training.optimizer.learning_rate
    d = int(digits or getattr(project, "display_digits", None) or DEFAULT_DIGITS)
    net = project.network
    try:
        stepper = Stepper(net, ds.inputs(), ds.y, lr, batch_size=1, first=sample - 1)
    except ValueError as e:
        raise ExportError(str(e)) from None
    names = stepper.names
    count = stepper.stage_count(0)
    views = [stepper.view_at(0, k) for k in range(count)]
    first = views[0]
    title = project.title or "Network"
    tr = first.trace
    body = [f"<h1>{_esc(title)}: one training step, stage by stage</h1>",
            f'<p class="meta">Sample {sample} of {len(ds)} · inputs '
            f'{_esc(", ".join(format_number(v, d) for v in tr.inputs))} · targets '
            f'{_esc(", ".join(format_number(v, d) for v in tr.targets))} · loss {_esc(net.loss)} · '
            f'learning rate η = {_esc(format_number(lr, d))}'
            f'{" · biases fixed" if net.fixed_biases else ""}</p>']
    if project.description:
        body.append(f"<p>{_esc(project.description)}</p>")
    body.append(f"<figure>{_strip_xml(render_svg(net, values='on'))}</figure>")
    for v in views:
        heading = f'{_esc(v.stage.title(names))} <span class="counter">({_esc(v.counter)})</span>'
        content = _input_table(v, names, d) if v.stage.kind == "input" else \
            _explanations(v, _stage_refs(v, names, net), d)
        body.append(f'<section class="stage"><h2>{heading}</h2>{content}</section>')
    body.append(_summary(first, d))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_esc(title)}: step-through, sample {sample}</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def _strip_xml(svg: str) -> str:
    """Inline SVG in HTML: the same drawing without its XML-only attributes."""
    return svg.replace(' version="1.1"', "", 1)


def write(project: Project, path: Path, options: dict[str, Any]) -> None:
    sample = int(options.get("sample") or 1)
    text = render(project, sample, options.get("digits"))
    path.write_text(text, encoding="utf-8")


register(Exporter("html", ".html", "the step-through of one sample as a printable hand-out "
                  "(--sample K)", write))
