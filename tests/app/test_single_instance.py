"""Single instance: a second start (a real process) hands its file to the running app, which
opens it in a new window; a file already open raises its window; a socket left by a crashed app
does not lock later starts out; macOS's QFileOpenEvent opens the file too."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from app.main import FileOpenFilter, Studio
from app.single_instance import InstanceServer, claim, instance_name, send_files
from core.resources import resource_path

ROOT = Path(__file__).resolve().parents[2]
offscreen_limits = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise",
                                             "does not support activateWindow")


@pytest.fixture
def name(monkeypatch):
    unique = f"backprop-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("BACKPROP_STUDIO_INSTANCE", unique)
    return unique


@pytest.fixture
def studio(qtbot, name):
    server = claim(name, [])
    assert server is not None and server.server.isListening()
    s = Studio()
    s.started = True
    server.files_requested.connect(s.open_files)
    yield s
    server.close()
    for w in s.live_windows():
        w.files.maybe_save = lambda: True
        w.close()
    QApplication.processEvents()


def second_start(*args: str, env_name: str) -> subprocess.Popen:
    """`python -m app.launch ARGS` as the desktop would start it, in this checkout."""
    env = {**os.environ, "BACKPROP_STUDIO_INSTANCE": env_name, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-m", "app.launch", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(qtbot, proc: subprocess.Popen, timeout_ms: int = 30000) -> int:
    """Wait for the process while this event loop keeps serving the socket."""
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=timeout_ms)
    return proc.returncode


def example_copy(tmp_path, name="xor") -> Path:
    path = tmp_path / f"{name}-copy.bpnet"
    path.write_bytes(resource_path("examples", f"{name}.bpnet").read_bytes())
    return path


def test_instance_name_is_per_user(monkeypatch):
    monkeypatch.delenv("BACKPROP_STUDIO_INSTANCE", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "ada")
    assert instance_name() == "backprop-studio-ada"
    monkeypatch.setattr("getpass.getuser", lambda: "zoë lovelace")
    odd = instance_name()
    assert odd.startswith("backprop-studio-zolovelace-")


def test_nobody_listening_means_no_hand_over(name):
    assert send_files(name, ["x.bpnet"], timeout_ms=500) is False


@offscreen_limits
def test_second_start_opens_the_file_in_a_new_window_of_the_running_app(qtbot, studio, name,
                                                                         tmp_path):
    first = studio.open_file(str(example_copy(tmp_path, "textbook-2-2-2")))
    path = example_copy(tmp_path, "xor")
    proc = second_start(str(path), env_name=name)
    assert finish(qtbot, proc) == 0, proc.stderr.read()
    qtbot.waitUntil(lambda: len(studio.live_windows()) == 2)
    second = studio.live_windows()[-1]
    assert second is not first and second.isVisible()
    assert Path(second.document.path) == path
    assert second.pos() != first.pos()  # cascaded, not hidden under the first


@offscreen_limits
def test_a_file_already_open_raises_its_window(qtbot, studio, name, tmp_path):
    path = example_copy(tmp_path)
    window = studio.open_file(str(path))
    proc = second_start(str(path), env_name=name)
    assert finish(qtbot, proc) == 0
    QApplication.processEvents()
    assert studio.live_windows() == [window]


@offscreen_limits
def test_a_file_that_cannot_be_read_opens_no_window(qtbot, studio, tmp_path, no_real_dialogs,
                                                    monkeypatch):
    bad = tmp_path / "broken.bpnet"
    bad.write_text("{ not json", encoding="utf-8")
    shown = []
    monkeypatch.setattr(no_real_dialogs, "show_error", lambda *a: shown.append(a[2]))
    assert studio.open_file(str(bad)) is None
    assert studio.live_windows() == []
    assert shown and "broken.bpnet" in shown[0]


def test_a_socket_left_by_a_crashed_app_is_taken_over(qtbot, name, tmp_path):
    if sys.platform == "win32":
        pytest.skip("named pipes vanish with their process")
    stale = os.path.join(QDir.tempPath(), name)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(stale)  # bound, never listening, then abandoned: what a killed app leaves
    dead.close()
    assert os.path.exists(stale)
    server = claim(name, [])
    try:
        assert server is not None and server.server.isListening()
    finally:
        server.close()


def test_garbage_on_the_socket_is_refused_and_the_server_keeps_serving(qtbot, name, tmp_path):
    server = InstanceServer(name)
    assert server.listen()
    received = []
    server.files_requested.connect(received.append)
    try:
        code = ("import socket,sys,os; from PySide6.QtCore import QDir; s=socket.socket(socket.AF_UNIX);"
                f"s.connect(os.path.join(QDir.tempPath(), {name!r})); s.sendall(b'not json\\n');"
                "print(s.recv(10)); s.close()")
        bad = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                               text=True)
        assert finish(qtbot, bad) == 0
        assert bad.stdout.read().strip() == "b''"  # closed without an answer
        good = subprocess.Popen([sys.executable, "-c", "import sys; from app.single_instance import "
                                 f"send_files; sys.exit(0 if send_files({name!r}, ['a.bpnet']) else 1)"],
                                cwd=ROOT)
        assert finish(qtbot, good) == 0
        assert received == [[str(ROOT / "a.bpnet")]]
    finally:
        server.close()


@offscreen_limits
def test_macos_file_open_event_opens_the_file(qtbot, studio, tmp_path):
    path = example_copy(tmp_path)
    events = FileOpenFilter()
    events.file_opened.connect(lambda f: studio.open_files([f]))
    app = QApplication.instance()
    app.installEventFilter(events)
    try:
        QApplication.sendEvent(app, QFileOpenEvent(str(path)))
    finally:
        app.removeEventFilter(events)
    windows = studio.live_windows()
    assert len(windows) == 1 and Path(windows[0].document.path) == path


@offscreen_limits
def test_files_arriving_before_start_up_become_the_first_window(qtbot, tmp_path):
    s = Studio()
    early = example_copy(tmp_path)
    s.open_files([str(early)])
    assert s.live_windows() == []
    s.start()
    try:
        windows = s.live_windows()
        assert len(windows) == 1 and Path(windows[0].document.path) == early
    finally:
        for w in s.live_windows():
            w.close()
