"""The headless subcommands of `backprop-studio` (trace, predict, train, export, import).

The console script itself is ``app.launch:main``: it sends these subcommands here, before any Qt
import, and everything else to the window. Every error is one line on stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from .project import HistoryEntry
from .resume import ResumeSlot
from .training import TrainConfig, evaluate, train
from .trace import trace

SUBCOMMANDS = ("trace", "predict", "train", "export", "import")


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line instead of usage + traceback-ish text
        raise CliError(f"{self.prog}: {message} (see --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="backprop-studio", description="Backprop Studio: draw, train and watch networks.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    t = sub.add_parser("trace", help="one sample forward, backward and through one plain gradient-descent step",
                       description="One sample forward, backward and through one plain gradient-descent "
                                   "step w ← w − η ∂E/∂w (the textbooks' update), whatever optimiser, "
                                   "momentum or weight decay the file trains with.")
    t.add_argument("file")
    t.add_argument("--sample", type=int, default=1, help="which sample of the file's data (1 = first)")
    t.add_argument("--lr", type=float, help="learning rate (default: the file's)")
    t.add_argument("--json", action="store_true", help="print JSON instead of tables")
    pr = sub.add_parser("predict", help="the network's outputs for every sample")
    pr.add_argument("file")
    pr.add_argument("--data", help="a CSV file of inputs (default: the file's own data)")
    pr.add_argument("--json", action="store_true")
    tr = sub.add_parser("train", help="train headless and write the trained network")
    tr.add_argument("file")
    tr.add_argument("--epochs", type=int)
    tr.add_argument("--lr", type=float)
    tr.add_argument("--momentum", type=float)
    tr.add_argument("--batch", type=int, help="1 = online, 0 = full batch, B = mini-batch")
    tr.add_argument("--seed", type=int)
    tr.add_argument("-o", "--output", help="where to write the trained network "
                                           "(default: FILE with -trained before the extension)")
    from .export import EXPORTERS
    ex = sub.add_parser("export", help="write the network in another format",
                        description="formats: " + "; ".join(f"{e.name} ({e.description})"
                                                           for e in EXPORTERS.values()))
    ex.add_argument("file")
    ex.add_argument("--to", required=True, choices=sorted(EXPORTERS), help="the format to write")
    ex.add_argument("-o", "--output", help="where to write it (default: FILE with the format's extension)")
    ex.add_argument("--sample", type=int, help="html: which sample the hand-out follows (1 = first)")
    ex.add_argument("--weights", help="landscape-png: SRC>DST for a curve, SRC>DST,SRC>DST for a map "
                                      "(default: the only weight, else two into the output layer)")
    ex.add_argument("--values", choices=("auto", "on", "off"),
                    help="svg, png: write weights and biases on the drawing (default: auto, small networks)")
    ex.add_argument("--precision", choices=("float32", "float64"),
                    help="number type of an ONNX model (default float32, which every ONNX runtime runs)")
    im = sub.add_parser("import", help="read an SNNS network (.net) and its patterns (.pat) into a network file")
    im.add_argument("file", help="an SNNS network definition file (.net)")
    im.add_argument("--patterns", help="an SNNS pattern file (default: FILE with .pat, if there is one)")
    im.add_argument("-o", "--output", help="where to write the network (default: FILE with .bpnet)")
    return p


def _load(path: str):
    if not Path(path).is_file():
        raise CliError(f"{path}: no such file")
    from .fileio import FileFormatError, load_project
    try:
        return load_project(path)
    except FileFormatError as e:
        raise CliError(f"{path}: {e}") from None
    except OSError as e:
        raise CliError(f"{path}: {e.strerror or e}") from None


def _dataset(project, path: str):
    if project.dataset is None or len(project.dataset) == 0:
        raise CliError(f"{path}: the network file holds no data")
    return project.dataset


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.9g}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h) for k, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _unapplied(opt) -> str:
    """What the file trains with that a trace step leaves out."""
    parts = [] if opt.name == "sgd" else [OPTIMIZER_WORDS.get(opt.name, opt.name)]
    parts += [f"{k.upper()} decay" for k in ("l1", "l2") if getattr(opt, k)]
    return f" (the file trains with {' and '.join(parts)}; this step does not apply it)" if parts else ""


OPTIMIZER_WORDS = {"momentum": "momentum", "adam": "Adam"}


def cmd_trace(a: argparse.Namespace) -> int:
    project = _load(a.file)
    ds = _dataset(project, a.file)
    if not 1 <= a.sample <= len(ds):
        raise CliError(f"--sample {a.sample}: the data has samples 1 to {len(ds)}")
    lr = a.lr if a.lr is not None else project.training.optimizer.learning_rate
    if not (lr > 0 and np.isfinite(lr)):
        raise CliError("--lr: the learning rate must be a positive number")
    x = ds.inputs()[a.sample - 1]
    if project.network.is_recurrent:  # sequence mode needs the earlier time steps too
        from .recurrent_trace import recurrent_trace
        try:
            tr = recurrent_trace(project.network, ds.inputs()[:a.sample], ds.y[:a.sample], lr, sample=a.sample)
        except ValueError as e:
            raise CliError(f"{a.file}: {e}") from None
    else:
        tr = trace(project.network, x, ds.y[a.sample - 1], lr, sample=a.sample)
    if a.json:
        print(json.dumps(tr.to_dict(), indent=2))
        return 0
    print(f"Sample {a.sample}: inputs {', '.join(map(_fmt, tr.inputs))}; targets {', '.join(map(_fmt, tr.targets))}")
    print(f"Loss {tr.loss}, learning rate {lr:g}; δ = ∂E/∂net")
    print(f"Update: {tr.update}{_unapplied(project.training.optimizer)}\n")
    print(_table(["neuron", "activation", "net", "out", "delta", "bias", "dE/dbias", "new bias"],
                 [[n.name, n.activation, _fmt(n.net), _fmt(n.out), _fmt(n.delta), _fmt(n.bias),
                   _fmt(n.bias_grad), _fmt(n.bias_new)] for n in tr.neurons]))
    print()
    print(_table(["from", "to", "weight", "dE/dw", "new weight"],
                 [[w.source, w.target, _fmt(w.weight), _fmt(w.grad), _fmt(w.new)] for w in tr.weights]))
    print(f"\nError before: {_fmt(tr.error_before)}   after one update: {_fmt(tr.error_after)}")
    if hasattr(tr, "forward_changes"):
        from .recurrent_trace import format_relaxation
        print("\n" + format_relaxation(tr, _fmt, _table))
    return 0


def cmd_predict(a: argparse.Namespace) -> int:
    from .engine import Engine
    from .recurrent import RecurrentEngine
    project = _load(a.file)
    net = project.network
    if a.data:
        from .csv_import import CsvError, read_inputs, sniff_csv
        ds0 = project.dataset
        try:
            columns = sniff_csv(a.data).columns
            wanted = ds0.input_names if ds0 is not None else []
            # the columns the network was trained on, by name, when the CSV has them all
            cols = wanted if wanted and all(c in columns for c in wanted) else None
            _, raw = read_inputs(a.data, cols)
        except (CsvError, OSError) as e:
            raise CliError(f"{a.data}: {e}") from None
        if raw.shape[1] != net.n_inputs:
            raise CliError(f"{a.data}: has {raw.shape[1]} input columns; the network has {net.n_inputs} inputs")
        x = ds0.normalization.apply(raw) if ds0 is not None and ds0.normalization else raw
    else:
        ds = _dataset(project, a.file)
        x, raw = ds.inputs(), ds.x
    try:
        out = (RecurrentEngine(net) if net.is_recurrent else Engine(net)).predict(x)
    except ValueError as e:  # a recurrent network that does not settle
        raise CliError(f"{a.file}: {e}") from None
    names = net.layers[-1].names
    if a.json:
        print(json.dumps([{"sample": k + 1, "inputs": raw[k].tolist(), "outputs": out[k].tolist()}
                          for k in range(len(out))], indent=2))
        return 0
    in_names = net.layers[0].names
    print(_table(["sample", *in_names, *names],
                 [[str(k + 1), *map(_fmt, raw[k]), *map(_fmt, out[k])] for k in range(len(out))]))
    return 0


def _progress(done: int, total: int, loss: float, started: float) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} epochs  "
                     f"loss {loss:.6g}  {rate:,.0f} epochs/s ")
    sys.stderr.flush()


def cmd_train(a: argparse.Namespace) -> int:
    from dataclasses import replace
    from .fileio import save_project
    project = _load(a.file)
    ds = _dataset(project, a.file)
    cfg = project.training
    opt = cfg.optimizer
    try:
        if a.lr is not None:
            opt = replace(opt, learning_rate=a.lr)
        if a.momentum is not None:
            opt = replace(opt, momentum=a.momentum, name="momentum" if opt.name == "sgd" else opt.name)
        cfg = replace(cfg, optimizer=opt,
                      max_epochs=cfg.max_epochs if a.epochs is None else a.epochs,
                      batch_size=cfg.batch_size if a.batch is None else a.batch,
                      seed=cfg.seed if a.seed is None else a.seed)
    except ValueError as e:
        raise CliError(str(e)) from None
    out_path = Path(a.output) if a.output else Path(a.file).with_name(Path(a.file).stem + "-trained.bpnet")
    x, y, val = ds.arrays()
    start = project.history[-1].epoch + 1 if project.history else 1
    started, last = time.perf_counter(), 0.0
    report = None
    slot = ResumeSlot(project.resume)  # momentum, Adam moments and shuffle order carry on
    try:
        for report in train(project.network, x, y, cfg, validation=val, first_epoch=start, resume=slot):
            project.history.append(HistoryEntry.from_report(report))
            now = time.perf_counter()
            if now - last > 0.1 or report.stop_reason:
                _progress(report.epoch - start + 1, cfg.max_epochs, report.loss, started)
                last = now
    except ValueError as e:
        raise CliError(f"{a.file}: {e}") from None
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted; writing the network as trained so far\n")
    sys.stderr.write("\n")
    if report is not None and report.diverged:
        project.history.pop()
        print(report.stop_reason, file=sys.stderr)
    project.training = cfg
    project.resume = slot.state
    try:
        loss, acc = evaluate(project.network, x, y)
    except ValueError as e:  # a recurrent network that does not settle even with its starting weights
        raise CliError(f"{a.file}: {e}") from None
    print(f"final loss {loss:.6g}" + (f"  accuracy {acc:.1%}" if acc is not None else ""))
    if report is not None and report.stop_reason and not report.diverged:
        print(f"stopped: {report.stop_reason}")
    if report is not None and report.relaxation is not None:
        print(f"relaxation (last epoch): up to {report.relaxation[0]} forward and {report.relaxation[1]} "
              f"backward iterations per batch")
    try:
        save_project(project, out_path)
    except OSError as e:
        raise CliError(f"{out_path}: cannot write: {e.strerror or e}") from None
    print(f"wrote {out_path}")
    return 3 if report is not None and report.diverged else 0


def cmd_export(a: argparse.Namespace) -> int:
    from .export import EXPORTERS, ExportError, export
    project = _load(a.file)
    out = Path(a.output) if a.output else Path(a.file).with_suffix(EXPORTERS[a.to].suffix)
    options = {}
    if a.precision is not None:
        if a.to != "onnx":
            raise CliError("--precision applies to --to onnx only")
        options["precision"] = a.precision
    options.update({k: v for k in ("sample", "weights", "values") if (v := getattr(a, k)) is not None})
    try:
        export(project, a.to, out, **options)
    except ExportError as e:
        raise CliError(f"{a.file}: {e}") from None
    except OSError as e:
        raise CliError(f"{out}: cannot write: {e.strerror or e}") from None
    print(f"wrote {out}")
    return 0


def cmd_import(a: argparse.Namespace) -> int:
    from .fileio import save_project
    from .snns import SnnsError, import_snns
    src = Path(a.file)
    if not src.is_file():
        raise CliError(f"{a.file}: no such file")
    pat = Path(a.patterns) if a.patterns else src.with_suffix(".pat")
    if a.patterns and not pat.is_file():
        raise CliError(f"{a.patterns}: no such file")
    out = Path(a.output) if a.output else src.with_suffix(".bpnet")
    try:
        project, notes = import_snns(src, pat if pat.is_file() else None)
    except SnnsError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"{e.filename or a.file}: {e.strerror or e}") from None
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    try:
        save_project(project, out)
    except OSError as e:
        raise CliError(f"{out}: cannot write: {e.strerror or e}") from None
    net = project.network
    data = f", {len(project.dataset)} patterns from {pat.name}" if project.dataset is not None else ", no patterns"
    print(f"wrote {out}: {'-'.join(map(str, net.sizes))} network, {net.num_connections} connections{data}")
    return 0


def gui_problem(argv: list[str]) -> str | None:
    """Why the window cannot open, checked before Qt would abort the process."""
    if argv and not Path(argv[0]).is_file():
        return (f"{argv[0]}: no such file or command "
                f"(commands: {', '.join(SUBCOMMANDS)}; see --help)")
    env = os.environ
    if sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
                                                  or env.get("QT_QPA_PLATFORM")):
        return ("no display to open the window on (DISPLAY is not set); "
                f"the commands {', '.join(SUBCOMMANDS)} work without one")
    return None


def is_subcommand(argv: Sequence[str]) -> bool:
    """True when ``argv`` is for this module (a subcommand or an option such as --help)."""
    return bool(argv) and (argv[0] in SUBCOMMANDS or argv[0].startswith("-"))


COMMANDS = {"trace": cmd_trace, "predict": cmd_predict, "train": cmd_train, "export": cmd_export,
            "import": cmd_import}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        _parser().print_usage(sys.stderr)
        return 2
    try:
        a = _parser().parse_args(argv)
        return COMMANDS[a.command](a)
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2 if "see --help" in str(e) else 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
