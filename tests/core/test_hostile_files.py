"""Every hostile file (tests/core/hostile_corpus.py) through core's open path and through the
real command line: one line naming the problem, within a time limit (a FIFO must not hang, /dev/zero
must not be read), never a traceback."""
import subprocess
import sys

import pytest

from core.fileio import FileFormatError, load_project

from .hostile_corpus import EXPECTED, HOSTILE, SPECIAL, make_special, write_static
from .test_cli import ROOT, cli


def test_corpus_is_complete_and_current(tmp_path):
    assert sorted(p.name for p in HOSTILE.glob("*.bpnet")) == sorted(set(EXPECTED) - set(SPECIAL))
    write_static(tmp_path)  # the script still writes exactly the committed files
    for p in tmp_path.glob("*.bpnet"):
        assert p.read_bytes() == (HOSTILE / p.name).read_bytes(), p.name


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    paths = {p.name: p for p in HOSTILE.glob("*.bpnet")}
    paths.update(make_special(tmp))
    return paths


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_core_open_path(files, name):
    """load_project in a child process, so a hang or a runaway allocation fails the test instead
    of taking the test run down with it."""
    code = ("import sys; from core.fileio import load_project\n"
            "try:\n    p = load_project(sys.argv[1])\n"
            "except Exception as e:\n    print(type(e).__name__ + '|' + str(e)); sys.exit(0)\n"
            "print('Project|' + (p.problems[0] if p.problems else ''))")
    r = subprocess.run([sys.executable, "-c", code, str(files[name])], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    kind, _, message = r.stdout.rstrip("\n").partition("|")
    want = EXPECTED[name]
    if want.startswith("problem:"):
        assert kind == "Project" and message.startswith(want[len("problem:"):]), r.stdout
    else:
        assert kind in ("FileFormatError", "NotRegularFile", "IsADirectoryError", "OSError"), r.stdout
        shown = message if kind == "FileFormatError" else message
        assert want in shown, r.stdout
        assert "\n" not in message


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_command_line(files, name):
    r = cli("predict", files[name])
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    line = r.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, r.stderr
    want = EXPECTED[name].removeprefix("problem:")
    assert line.startswith(f"error: {files[name]}: ") and want in line, line


@pytest.mark.parametrize("name", SPECIAL[:4])
def test_window_launch_says_what_the_path_is(files, name):
    r = cli(files[name])  # `backprop-studio FILE` checks the file before any window opens
    assert r.returncode == 1 and EXPECTED[name] in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_core_load_raises_the_documented_errors(files):
    with pytest.raises(FileFormatError, match="lone surrogate"):
        load_project(files["lone-surrogate-name.bpnet"])
    with pytest.raises(OSError, match="named pipe"):
        load_project(files["fifo.bpnet"])
