"""The headless subcommands of `backprop-studio` (trace, predict, train, export, import).

The console script itself is ``app.launch:main``: it sends these subcommands here, before any Qt
import, and everything else to the window. Every error is one line on stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
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


def _fill(text: str) -> str:
    return textwrap.fill(text, 78)


_FILE_HELP = "a network file (.bpnet), e.g. resources/examples/xor.bpnet"

TRACE_EXAMPLES = """examples:
  backprop-studio trace resources/examples/textbook-2-2-2.bpnet
      the classic worked example: E = 0.298371109, w5 -> 0.35891648
  backprop-studio trace net.bpnet --sample 3 --lr 0.1
      the third sample of the file's data, one step of size 0.1
  backprop-studio trace net.bpnet --json > trace.json
      every number as JSON, for a script or a hand-out"""

PREDICT_EXAMPLES = """examples:
  backprop-studio predict resources/examples/xor.bpnet
      a table: each sample's inputs and the network's outputs
  backprop-studio predict net.bpnet --data new-inputs.csv
      outputs for the rows of a CSV (columns matched to the inputs by name, else in order)
  backprop-studio predict net.bpnet --json"""

TRAIN_EXAMPLES = """examples:
  backprop-studio train resources/examples/xor.bpnet
      the file's own settings; writes resources/examples/xor-trained.bpnet
  backprop-studio train xor.bpnet --epochs 5000 --lr 0.5 --seed 1 -o xor-5000.bpnet
  backprop-studio train iris.bpnet --batch 16 --momentum 0.9
      mini-batches of 16 samples, momentum 0.9
exit status: 0 trained, 1 an error, 2 a bad option, 3 the loss diverged"""

EXPORT_EXAMPLES = """examples:
  backprop-studio export resources/examples/xor.bpnet --to csv
      writes resources/examples/xor.csv
  backprop-studio export net.bpnet --to csv -o history.csv
      the loss history, one row per epoch
  backprop-studio export net.bpnet --to onnx --precision float64
  backprop-studio export resources/examples/textbook-2-2-2.bpnet --to html --sample 1
      a hand-out of the worked example, step by step
  backprop-studio export net.bpnet --to svg --values on"""

IMPORT_EXAMPLES = """examples:
  backprop-studio import xor.net
      writes xor.bpnet, with the samples of xor.pat when it is there
  backprop-studio import encoder.net --patterns train.pat -o encoder.bpnet"""


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="backprop-studio", description=_fill("Backprop Studio: draw, train and watch "
                "networks. Without a command it opens the window (on FILE, if given)."),
                epilog="examples:\n  backprop-studio resources/examples/xor.bpnet    open it in the window\n"
                       "  backprop-studio trace --help                   help on one command",
                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND",
                           title="commands (each has its own --help)")
    raw = argparse.RawDescriptionHelpFormatter  # keeps the examples' layout; descriptions are filled here
    desc = "one sample forward, backward and through one plain gradient-descent step"
    t = sub.add_parser("trace", help=desc, epilog=TRACE_EXAMPLES, formatter_class=raw,
                       description=_fill(desc.capitalize() + " w\u00a0←\u00a0w\u00a0−\u00a0η\u00a0∂E/∂w (the textbooks' "
                       "update), whatever optimiser, momentum or weight decay the file trains with: "
                       "each neuron's net input, output and δ = ∂E/∂net; each weight's and bias's "
                       "gradient, old and new value; the error before and after the step."))
    t.add_argument("file", metavar="FILE", help=_FILE_HELP)
    t.add_argument("--sample", type=int, default=1, metavar="K",
                   help="which sample of the file's data to trace, counted from 1 "
                        "(default: 1, the first)")
    t.add_argument("--lr", type=float, metavar="ETA",
                   help="learning rate of the one gradient-descent step: each weight moves by "
                        "-ETA x dE/dw (a positive number; default: the file's learning rate)")
    t.add_argument("--json", action="store_true",
                   help="print every number as JSON instead of tables (default: tables)")
    desc = "the network's outputs for every sample"
    pr = sub.add_parser("predict", help=desc, epilog=PREDICT_EXAMPLES, formatter_class=raw,
                        description=_fill(desc.capitalize() + " (one forward pass, no training)."))
    pr.add_argument("file", metavar="FILE", help=_FILE_HELP)
    pr.add_argument("--data", metavar="CSV",
                    help="a CSV file of inputs, one sample a row, in the units of the file's data "
                         "(its normalisation is applied; default: the file's own data)")
    pr.add_argument("--json", action="store_true",
                    help="print JSON, one object per sample, instead of a table (default: a table)")
    desc = "train headless and write the trained network"
    tr = sub.add_parser("train", help=desc, epilog=TRAIN_EXAMPLES, formatter_class=raw,
                        description=_fill(desc.capitalize() + ". Settings not given come from the file; "
                        "the epochs continue the file's history. Progress goes to stderr."))
    tr.add_argument("file", metavar="FILE", help=_FILE_HELP)
    tr.add_argument("--epochs", type=int, metavar="N",
                    help="how many epochs to train, one epoch being one pass over the training "
                         "samples (default: the file's epoch budget)")
    tr.add_argument("--lr", type=float, metavar="ETA",
                    help="learning rate: the step size per unit of gradient (a positive number; "
                         "default: the file's)")
    tr.add_argument("--momentum", type=float, metavar="M",
                    help="momentum, the share of the last update carried into the next, 0 to "
                         "below 1 (default: the file's; given with plain gradient descent, it "
                         "switches the optimiser to momentum)")
    tr.add_argument("--batch", type=int, metavar="B",
                    help="samples per weight update: 1 = online (after every sample), 0 = full "
                         "batch (once per epoch), B = mini-batches of B samples (default: the file's)")
    tr.add_argument("--seed", type=int, metavar="S",
                    help="seed of the per-epoch shuffling, a whole number; the same seed gives "
                         "the same run (default: the file's)")
    tr.add_argument("-o", "--output", metavar="OUT",
                    help="where to write the trained network (default: FILE with -trained "
                         "before the extension, e.g. xor-trained.bpnet)")
    from .export import EXPORTERS
    formats = "formats: " + "; ".join(f"{e.name} ({e.description})" for e in EXPORTERS.values())
    ex = sub.add_parser("export", help="write the network in another format", epilog=EXPORT_EXAMPLES,
                        formatter_class=raw, description=_fill("Write the network in another format. " + formats))
    ex.add_argument("file", metavar="FILE", help=_FILE_HELP)
    ex.add_argument("--to", required=True, choices=sorted(EXPORTERS), metavar="FORMAT",
                    help="the format to write, one of: " + ", ".join(sorted(EXPORTERS)) +
                         " (required, no default)")
    ex.add_argument("-o", "--output", metavar="OUT",
                    help="where to write it (default: FILE with the format's extension)")
    ex.add_argument("--sample", type=int, metavar="K",
                    help="html: which sample of the file's data the hand-out follows, counted "
                         "from 1 (default: 1, the first)")
    ex.add_argument("--weights", metavar="SRC>DST",
                    help="landscape-png: the weight to vary, as SRC>DST neuron names, for a loss "
                         "curve; two as SRC>DST,SRC>DST for a loss map (default: the only weight, "
                         "else two into the output layer)")
    ex.add_argument("--values", choices=("auto", "on", "off"),
                    help="svg, png: write each weight and bias on the drawing: on, off, or auto "
                         "(default: auto, which writes them for small networks)")
    ex.add_argument("--precision", choices=("float32", "float64"),
                    help="number type of an ONNX model's weights and values, float32 or float64 "
                         "(default: float32, which every ONNX runtime runs)")
    desc = "read an SNNS network (.net) and its patterns (.pat) into a network file"
    im = sub.add_parser("import", help=desc, epilog=IMPORT_EXAMPLES, formatter_class=raw,
                        description=_fill(desc[0].upper() + desc[1:] + "."))
    im.add_argument("file", metavar="FILE", help="an SNNS network definition file (.net)")
    im.add_argument("--patterns", metavar="PAT",
                    help="an SNNS pattern file whose samples become the network's data "
                         "(default: FILE with .pat, if there is one)")
    im.add_argument("-o", "--output", metavar="OUT",
                    help="where to write the network file (default: FILE with .bpnet)")
    return p


def _load(path: str):
    from .fileio import FileFormatError, LoadCancelled, load_project
    from .safe_read import describe_os_error
    try:
        return load_project(path)
    except FileFormatError as e:
        raise CliError(f"{path}: {e}") from None
    except LoadCancelled:  # only a progress callback cancels; the CLI passes none
        raise CliError(f"{path}: cancelled") from None
    except OSError as e:
        raise CliError(f"{path}: {describe_os_error(e)}") from None


def _dataset(project, path: str):
    if project.dataset is None or len(project.dataset) == 0:
        raise CliError(f"{path}: {project.problems[0] if project.problems else 'the network file holds no data'}")
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
        except CsvError as e:
            raise CliError(f"{a.data}: {e}") from None
        except OSError as e:
            from .safe_read import describe_os_error
            raise CliError(f"{a.data}: {describe_os_error(e)}") from None
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


OPTION_KEYS = (("lr", "--lr", "optimizer", "learning_rate"), ("momentum", "--momentum", "optimizer", "momentum"),
               ("epochs", "--epochs", "training", "max_epochs"), ("batch", "--batch", "training", "batch_size"),
               ("seed", "--seed", "training", "seed"))


def _check_options(a: argparse.Namespace) -> None:
    """Each option against the file format's own rule for its key, so a run never produces a
    file the app then refuses (nan, inf, a negative momentum, 10**30 epochs)."""
    from .format_spec import OPTIMIZER, TRAINING, FileFormatError
    for attr, flag, where, key in OPTION_KEYS:
        v = getattr(a, attr)
        if v is None:
            continue
        spec = (OPTIMIZER if where == "optimizer" else TRAINING).fields[key].spec
        try:
            spec.check(v, flag)
        except FileFormatError as e:
            raise CliError(f"{flag}: {e.problem}") from None


def _check_output(out: Path, project) -> None:
    """Before the first epoch: the output can be written, and the trained project could be saved
    (everything in it is something the format accepts)."""
    from .fileio import FILE, FileFormatError, check_writable, project_to_dict
    from .safe_read import describe_os_error
    try:
        check_writable(out)
    except OSError as e:
        raise CliError(f"{out}: cannot write: {describe_os_error(e)}") from None
    try:
        FILE.check(project_to_dict(project, out.parent), "")
    except (FileFormatError, ValueError) as e:
        raise CliError(f"{out}: the trained network could not be saved: {e}") from None


def cmd_train(a: argparse.Namespace) -> int:
    from dataclasses import replace
    from .fileio import save_project
    _check_options(a)
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
    project.training = cfg
    _check_output(out_path, project)
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
    from .safe_read import check_regular, describe_os_error
    from .snns import SnnsError, import_snns
    src = Path(a.file)
    pat = Path(a.patterns) if a.patterns else src.with_suffix(".pat")
    use_pat = bool(a.patterns) or os.path.lexists(pat)  # the default .pat only when it is there
    # a FIFO, a device or a folder is named as such (a FIFO would block the read forever)
    for path, given in ((src, a.file), (pat, a.patterns or str(pat))) if use_pat else ((src, a.file),):
        try:
            check_regular(path)
        except OSError as e:
            raise CliError(f"{given}: {describe_os_error(e)}") from None
    out = Path(a.output) if a.output else src.with_suffix(".bpnet")
    try:
        project, notes = import_snns(src, pat if use_pat else None)
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
    if argv:
        from .safe_read import FileTooLarge, check_regular, describe_os_error
        try:
            check_regular(argv[0])
        except FileNotFoundError:
            return (f"{argv[0]}: no such file or command "
                    f"(commands: {', '.join(SUBCOMMANDS)}; see --help)")
        except (FileTooLarge, OSError) as e:
            return f"{argv[0]}: {describe_os_error(e)}"
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
