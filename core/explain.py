"""Explanations for the step-through: for a neuron, connection or bias at a stage, the formula in
readable maths, the same formula with the network's numbers, the result and one plain sentence.

    explain(view, NeuronRef("h1"), digits=6) -> Explanation
    explain(view, ConnectionRef("h1", "o1"), digits=6)
    explain(view, BiasRef("h1"), digits=6)

``view`` is a ``core.stepper.StageView``; nothing is recomputed here except the text: every result
is a number the trace holds (the substituted factors are the trace's too, so multiplying them out
agrees with the result to the shown digits). Each ``Line`` has ``text`` (Unicode, for a terminal or
a spreadsheet) and ``html`` (Qt rich text / HTML with <sub> and <sup>).

What is explained at each stage: a neuron's net input and output once its layer is reached, an
output's error term at the error stage, δ once the backward sweep reached the neuron, its bias's
update at the update stage; a connection's contribution to the net input (forward), ∂E/∂w
(backward), w ← w − η·∂E/∂w (update). Activations: every one in core.activations; losses: every
one in core.losses, with the shortcut δ = o − t where softmax meets cross-entropy (or the logistic
σ meets binary cross-entropy). A hidden δ sums over every neuron it feeds, in any later layer (skip
connections), and a net input names the neurons of its source layers that are not connected.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from .stepper import ConnectionUpdate, StageView
from .trace import NeuronTrace

__all__ = ["NeuronRef", "ConnectionRef", "BiasRef", "Maths", "Line", "Explanation", "explain",
           "format_number", "FUSED"]

FUSED = {("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")}


@dataclass(frozen=True)
class NeuronRef:
    name: str


@dataclass(frozen=True)
class ConnectionRef:
    source: str
    target: str


@dataclass(frozen=True)
class BiasRef:
    neuron: str


Ref = NeuronRef | ConnectionRef | BiasRef


@dataclass(frozen=True)
class Maths:
    """A piece of formula in two spellings: plain Unicode text and HTML."""

    text: str
    html: str

    def __add__(self, other: "Maths | str") -> "Maths":
        if isinstance(other, str):
            return Maths(self.text + other, self.html + html.escape(other, quote=False))
        return Maths(self.text + other.text, self.html + other.html)

    def __radd__(self, other: str) -> "Maths":
        return Maths(other + self.text, html.escape(other, quote=False) + self.html)


@dataclass(frozen=True)
class Line:
    """``formula = numbers = result``: e.g. net_h1 = w1·i1 + w2·i2 + b1 = 0.15·0.05 + … = 0.3775."""

    formula: Maths
    numbers: Maths | None
    result: float | None
    result_text: str

    @property
    def text(self) -> str:
        parts = [self.formula.text] + ([self.numbers.text] if self.numbers else []) + \
            ([self.result_text] if self.result_text else [])
        return " = ".join(parts)

    @property
    def html(self) -> str:
        parts = [self.formula.html] + ([self.numbers.html] if self.numbers else []) + \
            ([f"<b>{html.escape(self.result_text)}</b>"] if self.result_text else [])
        return " = ".join(parts)


@dataclass(frozen=True)
class Explanation:
    title: str  # "δ of o1", "∂E/∂w5", "update of w5"
    lines: tuple[Line, ...]
    sentence: str
    result: float | None  # the main result (the last line's), None if nothing is computed yet

    @property
    def text(self) -> str:
        return "\n".join([self.title] + [ln.text for ln in self.lines] + [self.sentence])

    @property
    def html(self) -> str:
        body = "".join(f"<p>{ln.html}</p>" for ln in self.lines)
        return f"<h3>{html.escape(self.title)}</h3>{body}<p><i>{html.escape(self.sentence)}</i></p>"


# ------------------------------------------------------------------------------ numbers
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_number(value: float, digits: int = 6, unicode: bool = True) -> str:
    """``value`` to ``digits`` significant digits, trailing zeros dropped (0.75136507 at 8).
    Very small or large values get a power of ten (2.5·10⁻⁵); ``unicode=False`` keeps plain
    ASCII (a minus sign '-', 'e-05') for spreadsheets."""
    if value is None:
        return ""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{digits}g}"
    if not unicode:
        return text
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}·10{str(int(exp)).translate(_SUPERSCRIPT)}"
    return text.replace("-", "−")


def _n(value: float, digits: int) -> Maths:
    t = format_number(value, digits)
    return Maths(t, html.escape(t))


def _p(value: float, digits: int) -> Maths:
    """A factor: negative numbers in parentheses (0.2·(−0.3))."""
    m = _n(value, digits)
    return "(" + m + ")" if value < 0 or m.text.startswith("−") else m


def _sym(base: str, sub: str = "", sup: str = "") -> Maths:
    text = base + (f"_{sub}" if sub else "") + sup
    h = html.escape(base) + (f"<sub>{html.escape(sub)}</sub>" if sub else "") + \
        (f"<sup>{html.escape(sup)}</sup>" if sup else "")
    return Maths(text, h)


def _partial(top: Maths, bottom: Maths) -> Maths:
    return "∂" + top + "/∂" + bottom


def _join(items: list[Maths], sep: str) -> Maths:
    out = Maths("", "")
    for k, m in enumerate(items):
        out = out + (sep if k else "") + m
    return out


# ------------------------------------------------------------------------------ symbols
class _Names:
    """How this network's quantities are written: w5 / w_h1→o1, b1 / b_h1, out_h1 / i1."""

    def __init__(self, view: StageView) -> None:
        self.view = view
        self.labels = {(c.source, c.target): c.label for c in view.connections}
        self.bias_labels = {n.name: n.bias_label for n in view.neurons}
        self.layer = {n.name: n.layer for n in view.neurons}

    def w(self, source: str, target: str) -> Maths:
        label = self.labels.get((source, target))
        return _sym(label) if label else _sym("w", f"{source}→{target}")

    def w_plain(self, source: str, target: str) -> str:
        return self.labels.get((source, target)) or f"{source} → {target}"

    def b(self, neuron: str) -> Maths:
        label = self.bias_labels.get(neuron)
        return _sym(label) if label else _sym("b", neuron)

    def out(self, neuron: str) -> Maths:
        return _sym(neuron) if self.layer[neuron] == 0 else _sym("out", neuron)


def _result(value: float | None, digits: int) -> str:
    return "" if value is None else format_number(value, digits)


# ------------------------------------------------------------------------------ the entry point
def explain(view: StageView, ref: Ref, digits: int = 6) -> Explanation:
    """The explanation of ``ref`` at the stage ``view`` shows, numbers to ``digits`` digits."""
    names = _Names(view)
    if isinstance(ref, ConnectionRef):
        return _connection(view, names, ref, digits)
    if isinstance(ref, BiasRef):
        return _bias(view, names, ref.neuron, digits)
    return _neuron(view, names, ref.name, digits)


def _trace_neuron(view: StageView, name: str) -> NeuronTrace | None:
    return None if view.trace is None else view.trace.neuron(name)


def _neuron(view: StageView, names: _Names, name: str, d: int) -> Explanation:
    nv = view.neuron(name)
    kind = view.stage.kind
    if kind == "update" and nv.layer > 0:
        return _bias(view, names, name, d)
    if not nv.reached:
        return Explanation(f"{name}", (), f"{name} is reached by the forward pass in a later stage.", None)
    nt = _trace_neuron(view, name)
    if nt is None:
        return Explanation(name, (), f"{name}: see the table for each sample's numbers.", None)
    if nv.layer == 0:
        ln = Line(_sym(name), None, nt.out, _result(nt.out, d))
        return Explanation(f"input {name}", (ln,), f"The sample's value {format_number(nt.out, d)} is "
                           f"presented to input {name}; inputs pass it on unchanged.", nt.out)
    if nv.delta is not None:
        return _delta(view, names, nt, d)
    if nv.error_term is not None:
        return _error(view, names, nt, d)
    return _forward(view, names, nt, d)


def _forward(view: StageView, names: _Names, nt: NeuronTrace, d: int) -> Explanation:
    incoming = [c for c in view.trace.weights if c.target == nt.name]
    terms = [names.w(c.source, c.target) + "·" + names.out(c.source) for c in incoming]
    nums = [_p(c.weight, d) + "·" + _p(view.trace.neuron(c.source).out, d) for c in incoming]
    formula = _sym("net", nt.name) + " = " + _join(terms + [names.b(nt.name)], " + ")
    numbers = _join(nums + [_p(nt.bias, d)], " + ")
    net_line = Line(formula, numbers, nt.net, _result(nt.net, d))
    out_line = _activation_line(view, names, nt, d)
    sentence = (f"{nt.name} adds up what reaches it, each input times its connection's weight, plus "
                f"its bias, then passes the sum through {_ACT_WORDS[nt.activation]}.")
    missing = _missing_sources(view, nt)
    if missing:
        sentence += f" {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not connected to " \
                    f"{nt.name}, so {'it adds' if len(missing) == 1 else 'they add'} nothing."
    return Explanation(f"forward pass at {nt.name}", (net_line, out_line), sentence, nt.out)


_ACT_WORDS = {"sigmoid": "the logistic function σ", "tanh": "tanh", "relu": "the ReLU (negative → 0)",
              "leaky_relu": "the leaky ReLU (slope 0.01 below 0)", "linear": "nothing (linear: out = net)",
              "softmax": "softmax over the whole output layer"}


def _missing_sources(view: StageView, nt: NeuronTrace) -> list[str]:
    """Neurons of layers that feed ``nt``'s layer but have no connection to ``nt``."""
    layer = {n.name: n.layer for n in view.neurons}
    feeding = {layer[c.source] for c in view.trace.weights if layer[c.target] == nt.layer}
    connected = {c.source for c in view.trace.weights if c.target == nt.name}
    return [n.name for n in view.neurons if n.layer in feeding and n.name not in connected]


def _activation_line(view: StageView, names: _Names, nt: NeuronTrace, d: int) -> Line:
    out, net = _sym("out", nt.name), _sym("net", nt.name)
    a = nt.activation
    v = _p(nt.net, d)
    if a == "sigmoid":
        formula = out + " = " + Maths("1 / (1 + e^(−", "1 / (1 + e<sup>−") + net + Maths("))", "</sup>)")
        numbers = Maths(f"1 / (1 + e^(−{v.text}))", f"1 / (1 + e<sup>−{v.html}</sup>)")
    elif a == "tanh":
        formula, numbers = out + " = tanh(" + net + ")", "tanh(" + v + ")"
    elif a == "relu":
        formula, numbers = out + " = max(0, " + net + ")", "max(0, " + v + ")"
    elif a == "leaky_relu":
        formula, numbers = out + " = max(0.01·" + net + ", " + net + ")", "max(0.01·" + v + ", " + v + ")"
    elif a == "linear":
        formula, numbers = out + " = " + net, v
    else:  # softmax
        outs = [n for n in view.trace.neurons if n.layer == nt.layer]
        exps = [Maths(f"e^{_p(n.net, d).text}", f"e<sup>{_p(n.net, d).html}</sup>") for n in outs]
        formula = out + " = " + Maths("e^", "e<sup>") + net + Maths(" / Σ_m e^net_m",
                                                                     "</sup> / Σ<sub>m</sub> e<sup>net<sub>m</sub></sup>")
        mine = Maths(f"e^{v.text}", f"e<sup>{v.html}</sup>")
        numbers = mine + " / (" + _join(exps, " + ") + ")"
    return Line(formula, numbers, nt.out, _result(nt.out, d))


# ------------------------------------------------------------------------------ error
_ERROR_FORMULA = {
    "half_sse": "½(t − out)²",
    "mse": "(t − out)² / K",
    "cross_entropy": "−t·ln(out)",
    "binary_cross_entropy": "−[t·ln(out) + (1 − t)·ln(1 − out)]",
}


def _error(view: StageView, names: _Names, nt: NeuronTrace, d: int) -> Explanation:
    tr = view.trace
    loss = tr.loss
    k = len(tr.targets)
    t, o = tr.targets[nt.index], nt.out
    formula = _sym("E", nt.name) + " = " + _subst(_ERROR_FORMULA[loss], nt.name)
    tn, on = _p(t, d), _p(o, d)
    if loss == "half_sse":
        numbers = "½(" + tn + " − " + on + Maths(")²", ")<sup>2</sup>")
    elif loss == "mse":
        numbers = "(" + tn + " − " + on + Maths(f")² / {k}", f")<sup>2</sup> / {k}")
    elif loss == "cross_entropy":
        numbers = "−" + tn + "·ln(" + on + ")"
    else:
        numbers = "−[" + tn + "·ln(" + on + ") + (1 − " + tn + ")·ln(1 − " + on + ")]"
    own = Line(formula, numbers, nt.error_term, _result(nt.error_term, d))
    outs = [n for n in tr.neurons if n.layer == nt.layer]
    total = Line(Maths("E = ", "E = ") + _join([_sym("E", n.name) for n in outs], " + "),
                 _join([_p(n.error_term, d) for n in outs], " + "), tr.error_before,
                 _result(tr.error_before, d))
    sentence = (f"{nt.name} should have given {format_number(t, d)} and gave {format_number(o, d)}; "
                f"its error term is its share of the sample's error E.")
    return Explanation(f"error at {nt.name}", (own, total), sentence, nt.error_term)


# ------------------------------------------------------------------------------ δ
_DE_DOUT = {
    "half_sse": ("out − t", lambda o, t, k, d: _n(o, d) + " − " + _p(t, d)),
    "mse": ("2(out − t) / K", lambda o, t, k, d: "2(" + _p(o, d) + " − " + _p(t, d) + f") / {k}"),
    "cross_entropy": ("−t / out", lambda o, t, k, d: "−" + _p(t, d) + " / " + _p(o, d)),
    "binary_cross_entropy": ("(out − t) / (out(1 − out))",
                             lambda o, t, k, d: "(" + _p(o, d) + " − " + _p(t, d) + ") / (" + _p(o, d)
                             + "(1 − " + _p(o, d) + "))"),
}


def _subst(template: str, name: str) -> Maths:
    """Write the words ``out``, ``t`` and ``net`` of a template with ``name`` as subscript."""
    pattern = re.compile(r"\b(out|net|t)\b")
    text = pattern.sub(lambda m: f"{m.group(1)}_{name}", template)
    h = pattern.sub(lambda m: f"{m.group(1)}<sub>{html.escape(name)}</sub>",
                    html.escape(template, quote=False).replace("²", "<sup>2</sup>"))
    return Maths(text, h)


def _derivative_line(names: _Names, nt: NeuronTrace, d: int) -> Line:
    o, n = _p(nt.out, d), _p(nt.net, d)
    lhs = _partial(_sym("out", nt.name), _sym("net", nt.name)) + " = "
    a = nt.activation
    if a in ("sigmoid", "softmax"):
        f, nums = _subst("out(1 − out)", nt.name), o + "(1 − " + o + ")"
    elif a == "tanh":
        f = _subst("1 − out²", nt.name)
        nums = "1 − " + o + Maths("²", "<sup>2</sup>")
    elif a == "relu":
        f = _subst("1 if net > 0, else 0", nt.name)
        nums = Maths("1" if nt.net > 0 else "0", "1" if nt.net > 0 else "0") + " (net " + \
            (">" if nt.net > 0 else "≤") + " 0)"
    elif a == "leaky_relu":
        f = _subst("1 if net > 0, else 0.01", nt.name)
        nums = Maths("1" if nt.net > 0 else "0.01", "1" if nt.net > 0 else "0.01") + " (net " + \
            (">" if nt.net > 0 else "≤") + " 0)"
    else:
        f, nums = Maths("1", "1"), None
    return Line(lhs + f, nums, nt.derivative, _result(nt.derivative, d))


def _dE_dout_line(view: StageView, names: _Names, nt: NeuronTrace, d: int) -> Line:
    tr = view.trace
    lhs = _partial(Maths("E", "E"), _sym("out", nt.name))
    if nt.layer == len({n.layer for n in tr.neurons}) - 1:
        template, numbers = _DE_DOUT[tr.loss]
        k = len(tr.targets)
        t = tr.targets[nt.index]
        return Line(lhs + " = " + _subst(template, nt.name), numbers(nt.out, t, k, d), nt.dE_dout,
                    _result(nt.dE_dout, d))
    outgoing = [c for c in tr.weights if c.source == nt.name]
    if not outgoing:
        return Line(lhs, None, 0.0, "0")
    terms = [names.w(c.source, c.target) + "·" + _sym("δ", c.target) for c in outgoing]
    nums = [_p(c.weight, d) + "·" + _p(tr.neuron(c.target).delta, d) for c in outgoing]
    return Line(lhs + " = " + _join(terms, " + "), _join(nums, " + "), nt.dE_dout, _result(nt.dE_dout, d))


def _delta(view: StageView, names: _Names, nt: NeuronTrace, d: int) -> Explanation:
    tr = view.trace
    out_layer = max(n.layer for n in tr.neurons)
    delta = _sym("δ", nt.name)
    if nt.layer == out_layer and (nt.activation, tr.loss) in FUSED:
        line = Line(delta + " = " + _sym("out", nt.name) + " − " + _sym("t", nt.name),
                    _n(nt.out, d) + " − " + _p(tr.targets[nt.index], d), nt.delta, _result(nt.delta, d))
        pair = "softmax meets cross-entropy" if nt.activation == "softmax" else "σ meets binary cross-entropy"
        return Explanation(f"δ of {nt.name}", (line,),
                           f"Where {pair} the derivatives cancel: δ is simply output minus target.", nt.delta)
    if nt.layer == out_layer and nt.activation == "softmax":
        outs = [n for n in tr.neurons if n.layer == out_layer]
        g = _dE_dout_line(view, names, nt, d)
        s = Maths("Σ_m out_m·∂E/∂out_m", "Σ<sub>m</sub> out<sub>m</sub>·∂E/∂out<sub>m</sub>")
        nums = _p(nt.out, d) + "·(" + _p(nt.dE_dout, d) + " − (" + \
            _join([_p(n.out, d) + "·" + _p(n.dE_dout, d) for n in outs], " + ") + "))"
        line = Line(delta + " = " + _sym("out", nt.name) + "·(" + _partial(Maths("E", "E"), _sym("out", nt.name))
                    + " − " + s + ")", nums, nt.delta, _result(nt.delta, d))
        return Explanation(f"δ of {nt.name}", (g, line),
                           "A softmax output depends on every net input of its layer, so its δ subtracts "
                           "the output-weighted average of ∂E/∂out.", nt.delta)
    first = _dE_dout_line(view, names, nt, d)
    second = _derivative_line(names, nt, d)
    third = Line(delta + " = " + _partial(Maths("E", "E"), _sym("out", nt.name)) + " · "
                 + _partial(_sym("out", nt.name), _sym("net", nt.name)),
                 _p(nt.dE_dout, d) + " · " + _p(nt.derivative, d), nt.delta, _result(nt.delta, d))
    if nt.layer == out_layer:
        sentence = (f"δ of {nt.name} is how fast E changes with its net input: the error's slope at "
                    f"its output times the slope of {_ACT_WORDS[nt.activation]}.")
    else:
        fed = [c.target for c in tr.weights if c.source == nt.name]
        layers = sorted({tr.neuron(t).layer for t in fed})
        skip = f" (in layers {', '.join(map(str, layers))}: skip connections add their share)" \
            if len(layers) > 1 else ""
        sentence = (f"{nt.name} is blamed for the δ of every neuron it feeds ({', '.join(fed) or 'none'})"
                    f"{skip}, each weighted by its connection, times the slope of its activation."
                    if fed else f"{nt.name} feeds no neuron, so it has no effect on E: δ = 0.")
    if view.neuron(nt.name).saturated:
        sentence += f" Its activation is saturated (f′ = {format_number(nt.derivative, d)}), so it learns slowly."
    return Explanation(f"δ of {nt.name}", (first, second, third), sentence, nt.delta)


# ------------------------------------------------------------------------------ connections
def _connection(view: StageView, names: _Names, ref: ConnectionRef, d: int) -> Explanation:
    cv = view.connection(ref.source, ref.target)
    w = names.w(ref.source, ref.target)
    plain = names.w_plain(ref.source, ref.target)
    if view.stage.kind == "update":
        return _update(view, w, plain, cv.update, d, is_bias=False)
    target = view.neuron(ref.target)
    if cv.grad is not None and view.trace is not None:
        return _gradient(view, names, ref, w, plain, d)
    if target.reached and view.trace is not None:
        src = view.trace.neuron(ref.source)
        value = cv.weight * src.out
        line = Line(w + "·" + names.out(ref.source), _p(cv.weight, d) + "·" + _p(src.out, d), value,
                    _result(value, d))
        return Explanation(f"{plain} in the forward pass", (line,),
                           f"{plain} carries {ref.source}'s output, times {format_number(cv.weight, d)}, "
                           f"into the net input of {ref.target}.", value)
    return Explanation(plain, (Line(w, None, cv.weight, _result(cv.weight, d)),),
                       f"{plain} joins {ref.source} to {ref.target}; the forward pass reaches it later.",
                       cv.weight)


def _gradient(view: StageView, names: _Names, ref: ConnectionRef, w: Maths, plain: str, d: int) -> Explanation:
    tr = view.trace
    tgt, src = tr.neuron(ref.target), tr.neuron(ref.source)
    grad = tr.weight(ref.source, ref.target).grad
    out_layer = max(n.layer for n in tr.neurons)
    dEw = _partial(Maths("E", "E"), w)
    chain = tgt.activation != "softmax" and not (tgt.layer == out_layer and (tgt.activation, tr.loss) in FUSED)
    if chain:
        formula = dEw + " = " + _partial(Maths("E", "E"), _sym("out", tgt.name)) + " · " + \
            _partial(_sym("out", tgt.name), _sym("net", tgt.name)) + " · " + _partial(_sym("net", tgt.name), w)
        nums = _p(tgt.dE_dout, d) + " · " + _p(tgt.derivative, d) + " · " + _p(src.out, d)
    else:
        formula = dEw + " = " + _sym("δ", tgt.name) + " · " + names.out(src.name)
        nums = _p(tgt.delta, d) + " · " + _p(src.out, d)
    line = Line(formula, nums, grad, _result(grad, d))
    sentence = (f"The chain rule: how E changes with {tgt.name}'s output, times how that output changes with "
                f"its net input, times how the net input changes with {plain} (that is {src.name}'s output)."
                if chain else f"∂E/∂{plain} is δ of {tgt.name} times the output of {src.name} that {plain} carries.")
    return Explanation(f"∂E/∂{plain}", (line,), sentence, grad)


def _bias(view: StageView, names: _Names, neuron: str, d: int) -> Explanation:
    nv = view.neuron(neuron)
    b = names.b(neuron)
    plain = b.text
    if nv.layer == 0:
        return Explanation(neuron, (), "Input neurons have no bias.", None)
    if view.stage.kind == "update":
        return _update(view, b, plain, nv.bias_update, d, is_bias=True)
    if nv.delta is not None and view.trace is not None:
        g = view.trace.neuron(neuron).bias_grad
        line = Line(_partial(Maths("E", "E"), b) + " = " + _sym("δ", neuron) + " · 1",
                    _p(view.trace.neuron(neuron).delta, d) + " · 1", g, _result(g, d))
        return Explanation(f"∂E/∂{plain}", (line,), f"A bias acts like a weight on a constant input 1, so "
                           f"∂E/∂{plain} equals δ of {neuron}.", g)
    return Explanation(plain, (Line(b, None, nv.bias, _result(nv.bias, d)),),
                       f"{plain} is added to the net input of {neuron}.", nv.bias)


def _update(view: StageView, sym: Maths, plain: str, up: ConnectionUpdate, d: int, is_bias: bool) -> Explanation:
    new = sym + "⁺"
    eta = Maths("η", "η")
    m = len(up.shares)
    if is_bias and view.fixed_biases:
        line = Line(new + " = " + sym, None, up.new, _result(up.new, d))
        return Explanation(f"update of {plain}", (line,),
                           f"Biases are fixed in this network, so {plain} keeps its value.", up.new)
    if m == 1:
        formula = new + " = " + sym + " − " + eta + "·" + _partial(Maths("E", "E"), sym)
        nums = _n(up.old, d) + " − " + _p(view.learning_rate, d) + "·" + _p(up.grad, d)
        sentence = (f"Gradient descent moves {plain} against its gradient, by the learning rate "
                    f"η = {format_number(view.learning_rate, d)} times ∂E/∂{plain}.")
    else:
        formula = new + " = " + sym + " − " + eta + "·" + Maths(f"Σ_s ∂E_s/∂{sym.text} / {m}",
                                                                 f"Σ<sub>s</sub> ∂E<sub>s</sub>/∂{sym.html} / {m}")
        nums = _n(up.old, d) + " − " + _p(view.learning_rate, d) + "·(" + \
            _join([_p(s, d) for s in up.shares], " + ") + ")"
        sentence = (f"The batch's {m} samples each contribute their share ∂E_s/∂{plain} / {m}; "
                    f"{plain} moves by η times their sum, the averaged gradient.")
    line = Line(formula, nums, up.new, _result(up.new, d))
    return Explanation(f"update of {plain}", (line,), sentence, up.new)
