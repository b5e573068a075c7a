"""One running app per user: a second start hands its files to the running app (which opens each
in a new window) and exits, so two processes never fight over the same settings and recovery files.

The channel is a QLocalServer (a Unix socket or a Windows named pipe) whose name carries the user's
name, restricted to that user. A QLockFile makes "is one running? else become the one" atomic when
two starts race (a double-click on two files at once). Messages are one JSON line
``{"files": [absolute paths]}``; the server answers ``ok`` once it has taken them, so the second
start exits only when the files are in safe hands, and starts normally when nobody answers.
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
from pathlib import Path

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

TIMEOUT_MS = 3000
MAX_MESSAGE = 1 << 20
ACK = b"ok\n"


def instance_name() -> str:
    """Per user (and per BACKPROP_STUDIO_INSTANCE, which tests and the smoke test set)."""
    override = os.environ.get("BACKPROP_STUDIO_INSTANCE")
    if override:
        return override
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "", user)[:32]
    if safe != user:  # names that are not plain ASCII still get a stable, distinct channel
        safe += "-" + hashlib.sha1(user.encode()).hexdigest()[:8]
    return f"backprop-studio-{safe}"


def send_files(name: str, files: list[str], timeout_ms: int = TIMEOUT_MS) -> bool:
    """Hand ``files`` to the app listening on ``name``; True once it acknowledged them."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    message = json.dumps({"files": [str(Path(f).absolute()) for f in files]}).encode() + b"\n"
    socket.write(message)
    if not socket.waitForBytesWritten(timeout_ms):
        return False
    answer = b""
    while not answer.endswith(b"\n") and socket.waitForReadyRead(timeout_ms):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer == ACK


class InstanceServer(QObject):
    """Listens for later starts; ``files_requested`` carries each one's files (maybe none)."""

    files_requested = Signal(list)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.UserAccessOption)
        self.server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A socket file left by a crashed app: nobody answered on it (claim() checked), so remove it.
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE:
            socket.abort()
            return
        self._buffers[socket] = data
        if not data.endswith(b"\n"):
            return
        try:
            files = json.loads(data.decode("utf-8"))["files"]
            if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                raise ValueError("files is not a list of strings")
        except (ValueError, KeyError, TypeError):
            socket.abort()
            return
        socket.write(ACK)
        socket.flush()
        socket.disconnectFromServer()
        self.files_requested.emit(files)


def claim(name: str, files: list[str]) -> InstanceServer | None:
    """Either hand ``files`` to a running app (returns None: this start should exit) or become
    the running app (returns the listening server). Atomic across processes of this user."""
    lock = QLockFile(os.path.join(QDir.tempPath(), f"{name}.lock"))
    lock.tryLock(TIMEOUT_MS)
    try:
        if send_files(name, files):
            return None
        server = InstanceServer(name)
        server.listen()  # if this fails the app still works; later starts run on their own
        return server
    finally:
        if lock.isLocked():
            lock.unlock()
