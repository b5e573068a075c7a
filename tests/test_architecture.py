"""core/ must stay usable without a window: importing it loads no Qt module."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_no_qt():
    code = ("import sys, pkgutil, importlib, core\n"
            "for m in pkgutil.iter_modules(core.__path__):\n"
            "    importlib.import_module('core.' + m.name)\n"
            "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'pyqtgraph', 'app', 'shiboken6'))\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in GUI modules: {out.stdout}"


def test_cli_subcommand_imports_no_qt():
    code = ("import sys, core.cli\n"
            "core.cli.main(['trace', '--help'])\n")
    out = subprocess.run([sys.executable, "-c", code + "\n"], cwd=ROOT, capture_output=True, text=True)
    # argparse exits after --help; check with a second process that inspects sys.modules
    code2 = ("import sys, core.cli\n"
             "try:\n    core.cli.main(['predict', 'missing.bpnet'])\nexcept SystemExit:\n    pass\n"
             "print(any(n.startswith('PySide6') for n in sys.modules))")
    out2 = subprocess.run([sys.executable, "-c", code2], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "usage" in out.stdout
    assert out2.stdout.strip().endswith("False")
