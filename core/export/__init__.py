"""One ``export`` verb, many formats. Each format is a module of this package that calls
``register`` with a writer ``(project, path, options) -> None``; the CLI and the GUI's
File → Export list ``EXPORTERS`` and never know a format's details.

A format that needs an optional package names it in ``needs`` and imports it inside its writer,
so ``core`` stays importable without it and the message can say how to install it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..project import Project


class ExportError(Exception):
    """An export that cannot be made; ``str`` is one line a user can act on."""


@dataclass(frozen=True)
class Exporter:
    name: str                      # the --to word: "csv", "svg", "torch", ...
    suffix: str                    # the file extension it writes, with the dot
    description: str               # one line for --help and the GUI's menu
    write: Callable[[Project, Path, dict[str, Any]], None]
    needs: tuple[str, ...] = field(default=())   # optional packages the writer imports


EXPORTERS: dict[str, Exporter] = {}
# Formats that hold recurrent connections as they are (SNNS has recurrent links of its own).
RECURRENT_FORMATS = {"csv", "snns"}


def register(exporter: Exporter) -> Exporter:
    if exporter.name in EXPORTERS:
        raise ValueError(f"two exporters named {exporter.name!r}")
    EXPORTERS[exporter.name] = exporter
    return exporter


def missing_packages(exporter: Exporter) -> list[str]:
    """The optional packages an exporter needs that cannot be imported here."""
    import importlib.util
    return [p for p in exporter.needs if importlib.util.find_spec(p) is None]


def export(project: Project, fmt: str, path: str | Path, **options: Any) -> Path:
    """Write ``project`` as ``fmt`` to ``path``; raises ExportError with a one-line reason."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ExportError(f"no export format {fmt!r} (formats: {', '.join(sorted(EXPORTERS))})")
    missing = missing_packages(exporter)
    if missing:
        raise ExportError(f"--to {fmt} needs the optional package {', '.join(missing)}: "
                          f"pip install {' '.join(missing)}")
    if project.network.is_recurrent and fmt not in RECURRENT_FORMATS:
        raise ExportError(f"--to {fmt} writes feed-forward networks; this one has recurrent connections "
                          f"(formats for it: {', '.join(sorted(RECURRENT_FORMATS))})")
    out = Path(path)
    exporter.write(project, out, options)
    return out


# The formats: each module registers itself on import.
from . import handout_html, history_csv, onnx_model, snns_writer, svg, torch_module  # noqa: E402,F401
