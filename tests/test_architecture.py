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


def test_command_line_subcommands_import_no_qt():
    """The console script (app.launch) runs trace/predict/train without loading Qt."""
    code = ("import sys, app.launch\n"
            "for argv in (['predict', 'missing.bpnet'], ['trace', '--help']):\n"
            "    try:\n        app.launch.main(argv)\n    except SystemExit:\n        pass\n"
            "print('QT', any(n.split('.')[0] in ('PySide6', 'pyqtgraph') for n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "usage" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "QT False"
