"""Reading SNNS files: network definitions (``.net``, "SNNS network definition file V1.4-3D") and
pattern files (``.pat``, "SNNS pattern definition file V3.2"), into a Project.

SNNS (the Stuttgart Neural Network Simulator) numbers its units 1..N; each has a name, an
activation, a bias, a topological type (i input, h hidden, o output), a grid position and an
activation and output function; links go from source units to target units with a weight. A unit
computes out = act(Σ w·x + bias): for Act_Logistic 1/(1 + e^-(net + bias)), for Act_TanH
tanh(net + bias); Act_Identity passes the net input on *without* its bias, Act_IdentityPlusBias
with it. Input units take the pattern's value as they are (SNNS applies no activation to them).

Layers come from the links: inputs are layer 0, a hidden unit sits one layer after its deepest
source, and every output unit is in the last layer (skip links become skip connections). What
this engine cannot compute (sites, other functions, other unit types, links into inputs, links out
of outputs in a feed-forward net) is refused with one message naming every unit concerned.
Recurrent links (those closing a cycle, found depth-first) are left out of the layering and then
become backward, sideways or self connections of a recurrent network (core/recurrence.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .datasets import Dataset
from .network import Layer, Network
from .project import Project
from .recurrence import Recurrence
from .safe_read import read_regular_file
from .training import is_classification

GRID = 60.0  # canvas units per SNNS grid step (neurons are 44 units across)
NET_MAGIC = "SNNS network definition file"
PAT_MAGIC = "SNNS pattern definition file"
# SNNS activation function -> (activation here, whether SNNS adds the bias)
ACT_FUNCS = {"Act_Logistic": ("sigmoid", True), "Act_TanH": ("tanh", True),
             "Act_Identity": ("linear", False), "Act_IdentityPlusBias": ("linear", True)}
OUT_FUNCS = ("Out_Identity",)
TTYPES = {"i": "input", "h": "hidden", "o": "output", "d": "dual", "s": "special",
          "si": "special input", "so": "special output", "sh": "special hidden", "sd": "special dual"}
IGNORED_SECTIONS = ("subnet definition section", "layer definition section", "3D translation section")


class SnnsError(ValueError):
    """A file that cannot be imported; ``str`` is one line naming the problem."""


@dataclass(eq=False)  # hashable by identity: sets of units name the ones with a problem
class Unit:
    no: int
    name: str
    bias: float
    ttype: str
    position: tuple[int, int, int]
    act_func: str
    out_func: str
    type_name: str = ""
    sites: list[str] = field(default_factory=list)

    def label(self) -> str:
        return f"{self.no} ({self.name})" if self.name else str(self.no)


@dataclass
class SnnsNet:
    name: str
    learning_function: str
    units: list[Unit]
    links: list[tuple[int, int, float]]  # (source, target, weight)
    site_links: list[int]  # targets whose links arrive at sites
    unsupported_sections: list[str]


def _number(text: str, what: str, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise SnnsError(f"line {line}: {what}: expected a number, got {text.strip()!r}") from None


def _sections(text: str) -> tuple[dict[str, str], dict[str, list[tuple[int, str]]]]:
    """Header ``key : value`` lines and the table rows (line number, text) of every section."""
    header: dict[str, str] = {}
    sections: dict[str, list[tuple[int, str]]] = {}
    current: list[tuple[int, str]] | None = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = re.match(r"^\s*([A-Za-z0-9 .]+?section)\s*:\s*$", line)
        if m:
            current = sections.setdefault(m.group(1).strip(), [])
            continue
        if current is None:
            if ":" in line:
                key, _, value = line.partition(":")
                header[" ".join(key.split())] = value.strip()
            continue
        if set(stripped) <= set("-|"):
            continue
        current.append((no, line))
    return header, sections


def _table(rows: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """Rows split on '|', the column header row dropped."""
    return [(no, [c.strip() for c in line.split("|")]) for no, line in rows[1:]]


def parse_net(text: str) -> SnnsNet:
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if not first.startswith(NET_MAGIC):
        raise SnnsError(f"not an SNNS network file (it should start with '{NET_MAGIC}')")
    header, sections = _sections(text)
    defaults = {"bias": 0.0, "st": "h", "act": "Act_Logistic", "out": "Out_Identity"}
    for no, cells in _table(sections.get("unit default section", [])):
        if len(cells) < 7:
            raise SnnsError(f"line {no}: the unit default row needs 7 columns")
        defaults = {"bias": _number(cells[1], "default bias", no), "st": cells[2], "act": cells[5],
                    "out": cells[6]}
    types: dict[str, tuple[str, str, list[str]]] = {}
    for no, cells in _table(sections.get("type definition section", [])):
        if len(cells) < 3:
            raise SnnsError(f"line {no}: a unit type needs a name, an act func and an out func")
        types[cells[0]] = (cells[1], cells[2], [s for s in ",".join(cells[3:]).split(",") if s.strip()])
    units = [_unit(no, cells, defaults, types) for no, cells in _table(sections.get("unit definition section", []))]
    for k, u in enumerate(units, start=1):
        if u.no != k:
            raise SnnsError(f"unit {u.no}: units must be numbered 1, 2, 3, ... in order (expected {k})")
    if not units:
        raise SnnsError("the file defines no units")
    links, site_links = _links(sections.get("connection definition section", []), len(units))
    unsupported = [s for s in sections if s.endswith("section") and s not in (
        "unit default section", "type definition section", "unit definition section",
        "connection definition section", "site definition section", *IGNORED_SECTIONS)]
    declared = header.get("no. of units")
    if declared is not None and declared.isdigit() and int(declared) != len(units):
        raise SnnsError(f"the header says {declared} units; the unit section defines {len(units)}")
    return SnnsNet(header.get("network name", ""), header.get("learning function", ""), units, links,
                   site_links, unsupported)


def _unit(no: int, cells: list[str], defaults: dict, types: dict) -> Unit:
    if len(cells) < 9:
        raise SnnsError(f"line {no}: a unit row needs at least 9 columns separated by '|'")
    number = int(_number(cells[0], "unit number", no))
    type_name = cells[1]
    act_func, out_func, sites = cells[7] or defaults["act"], cells[8] or defaults["out"], []
    if type_name:
        if type_name not in types:
            raise SnnsError(f"line {no}: unit {number} has type {type_name!r}, which is not defined")
        act_func, out_func, sites = types[type_name]
    sites = sites + [s.strip() for s in ",".join(cells[9:]).split(",") if s.strip()]
    pos = [p for p in cells[6].replace(" ", "").split(",") if p]
    if len(pos) not in (2, 3):
        raise SnnsError(f"line {no}: unit {number}: position {cells[6]!r} should be x,y,z")
    xyz = tuple(int(_number(p, "position", no)) for p in pos) + (0,) * (3 - len(pos))
    bias = _number(cells[4], "bias", no) if cells[4] else defaults["bias"]
    return Unit(number, cells[2], bias, cells[5] or defaults["st"], xyz, act_func, out_func,  # type: ignore[arg-type]
                type_name, sites)


_ENTRY = re.compile(r"^\s*(\d+)\s*:\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def _links(rows: list[tuple[int, str]], n_units: int) -> tuple[list[tuple[int, int, float]], list[int]]:
    links: list[tuple[int, int, float]] = []
    site_links: list[int] = []
    target = None
    for no, line in rows[1:]:
        m = re.match(r"^\s*(\d*)\s*\|([^|]*)\|(.*)$", line)
        if m:
            if m.group(1):
                target = int(m.group(1))
            if m.group(2).strip() and target is not None:
                site_links.append(target)
            body = m.group(3)
        else:
            body = line  # a continuation of the previous target's list
        if target is None or not 1 <= target <= n_units:
            raise SnnsError(f"line {no}: links to unit {target}, which does not exist")
        for entry in body.split(","):
            if not entry.strip():
                continue
            e = _ENTRY.match(entry)
            if e is None:
                raise SnnsError(f"line {no}: expected source:weight, got {entry.strip()!r}")
            source = int(e.group(1))
            if not 1 <= source <= n_units:
                raise SnnsError(f"line {no}: a link from unit {source}, which does not exist")
            links.append((source, target, float(e.group(2))))
    return links, site_links


def parse_pat(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets) of a pattern file, one row per pattern."""
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if not first.startswith(PAT_MAGIC):
        raise SnnsError(f"not an SNNS pattern file (it should start with '{PAT_MAGIC}')")
    header: dict[str, str] = {}
    numbers: list[str] = []
    for no, raw in enumerate(text.splitlines()[1:], start=2):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("generated at"):
            continue
        if ":" in line:
            key, _, value = line.partition(":")
            header[" ".join(key.lower().split())] = value.strip()
            continue
        numbers.extend(line.replace(",", " ").split())
    try:
        n, n_in = int(header["no. of patterns"]), int(header["no. of input units"])
        n_out = int(header.get("no. of output units", "0"))
    except (KeyError, ValueError):
        raise SnnsError("the pattern file's header needs 'No. of patterns', 'No. of input units' "
                        "and 'No. of output units'") from None
    if int(header.get("no. of variable input dimensions", "0") or 0):
        raise SnnsError("variable-size patterns (variable input dimensions) are not supported")
    if n_out == 0:
        raise SnnsError("the pattern file has no output patterns (targets); training needs them")
    if len(numbers) != n * (n_in + n_out):
        raise SnnsError(f"expected {n} patterns of {n_in} inputs and {n_out} outputs "
                        f"({n * (n_in + n_out)} numbers), found {len(numbers)} numbers")
    try:
        values = np.array([float(v) for v in numbers], dtype=np.float64).reshape(n, n_in + n_out)
    except ValueError:
        bad = next(v for v in numbers if not _is_float(v))
        raise SnnsError(f"the patterns contain {bad!r}, which is not a number") from None
    return values[:, :n_in].copy(), values[:, n_in:].copy()


def _is_float(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


# ----------------------------------------------------------------- SnnsNet -> Network
def _problems(s: SnnsNet, recurrent: bool = False) -> list[str]:
    """Everything the engine cannot compute, each naming its units. In a ``recurrent`` network a
    link out of an output unit is one more recurrent connection."""
    out: list[str] = []

    def add(what: str, units: list[Unit], after: str = "") -> None:
        if units:
            out.append(f"{what} unit{'s' if len(units) > 1 else ''} {', '.join(u.label() for u in units)}{after}")

    by_no = {u.no: u for u in s.units}
    add("sites on", [u for u in s.units if u.sites] or sorted({by_no[t] for t in s.site_links}, key=lambda u: u.no))
    for tt in sorted({u.ttype for u in s.units} - {"i", "h", "o"}):
        add(f"unit type {tt!r} ({TTYPES.get(tt, 'unknown')}) on", [u for u in s.units if u.ttype == tt])
    for f in sorted({u.act_func for u in s.units if u.ttype != "i"} - set(ACT_FUNCS)):
        add(f"activation function {f} on", [u for u in s.units if u.act_func == f and u.ttype != "i"])
    for f in sorted({u.out_func for u in s.units} - set(OUT_FUNCS)):
        add(f"output function {f} on", [u for u in s.units if u.out_func == f])
    add("links into input", sorted({by_no[t] for _, t, _ in s.links if by_no[t].ttype == "i"},
                                   key=lambda u: u.no))
    if not recurrent:
        add("links out of output", sorted({by_no[a] for a, _, _ in s.links if by_no[a].ttype == "o"},
                                          key=lambda u: u.no), " (outputs must be the last layer)")
    out += [f"the {sec} (time-delay networks are not supported)" if "time delay" in sec else f"the {sec}"
            for sec in s.unsupported_sections]
    return out


def _recurrent(s: SnnsNet) -> list[tuple[int, int]]:
    """Links that close a cycle (self-links included), in a depth-first order."""
    succ: dict[int, list[int]] = {u.no: [] for u in s.units}
    for a, b, _ in s.links:
        succ[a].append(b)
    state: dict[int, int] = {}
    back: list[tuple[int, int]] = []
    for root in succ:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.append((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    return back


def _layers_of(s: SnnsNet, back: set[tuple[int, int]] = frozenset()) -> dict[int, int]:
    """Unit number -> layer: inputs 0, a hidden unit one after its deepest source, outputs last.
    The ``back`` links (those closing a cycle) are left out, so the rest has an order."""
    sources: dict[int, list[int]] = {u.no: [] for u in s.units}
    for a, b, _ in s.links:
        if (a, b) not in back:
            sources[b].append(a)
    ttype = {u.no: u.ttype for u in s.units}
    depth: dict[int, int] = {}

    def visit(no: int) -> int:
        stack = [no]
        while stack:
            top = stack[-1]
            todo = [a for a in sources[top] if a not in depth and ttype[a] != "i"]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            depth[top] = 0 if ttype[top] == "i" else 1 + max((depth.get(a, 0) for a in sources[top]), default=0)
        return depth[no]

    for u in s.units:
        visit(u.no)
    last = max([depth[u.no] + 1 for u in s.units if u.ttype == "h"] + [1])
    return {no: (last if ttype[no] == "o" else d) for no, d in depth.items()}


def _names(units: list[Unit]) -> dict[int, str]:
    """Unit names, where usable and unique; otherwise u<number> (SNNS's own numbering)."""
    count: dict[str, int] = {}
    for u in units:
        count[u.name] = count.get(u.name, 0) + 1
    taken = {u.name for u in units}
    out = {}
    for u in units:
        ok = u.name and count[u.name] == 1 and "->" not in u.name
        name = u.name if ok else f"u{u.no}"
        while not ok and name in taken:
            name = "_" + name
        out[u.no] = name
    return out


def to_network(s: SnnsNet) -> tuple[Network, list[str]]:
    """The Network an SNNS net describes, and notes on what was adapted (never lost)."""
    inputs = {u.no for u in s.units if u.ttype == "i"}
    back = [(a, b) for a, b in _recurrent(s) if b not in inputs]  # links into inputs are refused anyway
    problems = _problems(s, recurrent=bool(back))
    if problems:
        raise SnnsError("cannot import: " + "; ".join(problems))
    if not any(u.ttype == "i" for u in s.units) or not any(u.ttype == "o" for u in s.units):
        raise SnnsError("the network needs at least one input unit (st i) and one output unit (st o)")
    layer_of = _layers_of(s, set(back))
    names = _names(s.units)
    n_layers = max(layer_of.values()) + 1
    members: list[list[Unit]] = [[] for _ in range(n_layers)]
    for u in s.units:  # unit-number order: patterns fill input and output units in this order
        members[layer_of[u.no]].append(u)
    notes: list[str] = []
    unused = [u for u in members[0] if u.bias != 0.0]
    if unused:
        notes.append(f"the biases of {len(unused)} input unit{'s' if len(unused) > 1 else ''} are not kept "
                     f"(SNNS does not use an input unit's bias)")
    layers = []
    for li, us in enumerate(members):
        acts = [ACT_FUNCS[u.act_func][0] if li else "linear" for u in us]
        main = max(set(acts), key=acts.count)
        biases = []
        for u in us:
            if li and not ACT_FUNCS[u.act_func][1] and u.bias != 0.0:
                notes.append(f"unit {u.label()}: Act_Identity ignores its bias {u.bias!r}; imported with bias 0")
            biases.append(u.bias if li and ACT_FUNCS[u.act_func][1] else 0.0)
        layers.append(Layer([names[u.no] for u in us], main, np.array(biases),
                            [None if a == main else a for a in acts],
                            [(u.position[0] * GRID, u.position[1] * GRID) for u in us]))
    net = Network(layers, loss="half_sse")
    if back or any(layer_of[a] >= layer_of[b] for a, b, _ in s.links):
        net.recurrence, note = _recurrence(s, back)
        notes.append(note)
    where = {u.no: (li, k) for li, us in enumerate(members) for k, u in enumerate(us)}
    for a, b, w in s.links:
        (la, i), (lb, j) = where[a], where[b]
        if net.has_connection(la, i, lb, j):
            raise SnnsError(f"unit {b} has two links from unit {a}")
        net.connect(la, i, lb, j, w)
    net.validate()
    return net, notes


def _recurrence(s: SnnsNet, back: list[tuple[int, int]]) -> tuple[Recurrence, str]:
    """Settle to a fixed point, or step once per pattern for SNNS's Jordan/Elman learning functions."""
    by_no = {u.no: u for u in s.units}
    shown = ", ".join(f"{by_no[a].label()} -> {by_no[b].label()}" for a, b in back[:6])
    more = f" and {len(back) - 6} more" if len(back) > 6 else ""
    links = f"recurrent links ({shown}{more})" if back else "links out of output units"
    if s.learning_function.startswith("JE_"):
        return Recurrence("sequence"), (f"{links}: imported as a sequence network (one time step per "
                                        f"pattern, backpropagation through time), as SNNS's {s.learning_function} "
                                        f"trains it")
    return Recurrence("settle"), (f"{links}: imported as a recurrent network that settles each pattern "
                                  f"to a fixed point (recurrent backpropagation)")


def dataset_for(net: Network, x: np.ndarray, y: np.ndarray) -> Dataset:
    if x.shape[1] != net.n_inputs or y.shape[1] != net.n_outputs:
        raise SnnsError(f"the patterns have {x.shape[1]} inputs and {y.shape[1]} outputs; the network has "
                        f"{net.n_inputs} input and {net.n_outputs} output units")
    classify = is_classification(y) and len(y) > 0
    class_names = (["0", "1"] if y.shape[1] == 1 else list(net.layers[-1].names)) if classify else None
    return Dataset(x, y, list(net.layers[0].names), list(net.layers[-1].names),
                   "classification" if classify else "regression", class_names)


MAX_BYTES = 200 * 1024 * 1024


def _read(path: Path) -> str:
    """Only a regular file, at most MAX_BYTES (core/safe_read.py); SNNS wrote Latin-1."""
    return bytes(read_regular_file(path, MAX_BYTES)).decode("latin-1")


def import_snns(net_path: str | Path, pat_path: str | Path | None = None) -> tuple[Project, list[str]]:
    """A Project from an SNNS .net file (and its patterns); raises SnnsError or OSError."""
    net_path = Path(net_path)
    try:
        s = parse_net(_read(net_path))
        net, notes = to_network(s)
    except SnnsError as e:
        raise SnnsError(f"{net_path.name}: {e}") from None
    project = Project(net, title=s.name or net_path.stem,
                      description=f"Imported from the SNNS network {net_path.name}"
                                  + (f" (SNNS learning function {s.learning_function})" if s.learning_function else "")
                                  + ".")
    if pat_path is not None:
        pat_path = Path(pat_path)
        try:
            project.dataset = dataset_for(net, *parse_pat(_read(pat_path)))
        except SnnsError as e:
            raise SnnsError(f"{pat_path.name}: {e}") from None
        project.description = project.description[:-1] + f", patterns from {pat_path.name}."
    return project, notes
