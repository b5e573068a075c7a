"""Finding the files under resources/ (examples, datasets, schema, icons), from the source tree
or from a PyInstaller bundle, and listing the example networks."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

# The order examples are offered in: the worked textbook examples first, then by difficulty.
# Files not listed here follow in name order, so a new example shows up without code changes.
EXAMPLE_ORDER = ["textbook-2-2-2", "textbook-3-2-1", "one-weight", "xor", "xor-shortcut", "gaussians",
                 "circles", "two-spirals", "sine", "encoder-8-3-8", "iris", "digits",
                 "self-loop-attractor", "pattern-completion", "elman-grammar"]


def resources_root() -> Path:
    # PyInstaller unpacks data files under sys._MEIPASS; the spec must add resources/ as "resources".
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a file or folder under resources/ (it need not exist)."""
    return resources_root().joinpath(*parts)


@dataclass(frozen=True)
class Example:
    name: str  # file stem, e.g. "textbook-2-2-2"
    title: str  # for menus
    description: str
    path: Path


def examples() -> list[Example]:
    """The shipped example networks, in menu order. Reads only titles; load with fileio."""
    folder = resource_path("examples")
    found = []
    for path in sorted(folder.glob("*.bpnet")):
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            title, description = str(d.get("title") or path.stem), str(d.get("description") or "")
        except (OSError, ValueError, AttributeError):
            title, description = path.stem, ""  # a broken example still shows; opening it explains
        found.append(Example(path.stem, title, description, path))
    rank = {name: k for k, name in enumerate(EXAMPLE_ORDER)}
    return sorted(found, key=lambda e: (rank.get(e.name, len(rank)), e.name))


def example(name: str) -> Example:
    for e in examples():
        if e.name == name:
            return e
    raise KeyError(f"no example named {name}")
