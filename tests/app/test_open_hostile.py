"""Hostile files through the window's real open path (File → Open): special files are named and
never read, every file of core's hostile corpus gives a one-line message and the window and its
document survive; a large file opens behind a progress dialog that can cancel."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.fileio import dumps


def answer(monkeypatch, name, value, calls=None):
    from app.dialogs import prompts

    def reply(*args, **kwargs):
        if calls is not None:
            calls.append(args[1:])
        return value(*args) if callable(value) else value
    monkeypatch.setattr(prompts, name, reply)


def open_through_menu(window, monkeypatch, path) -> list:
    """File → Open on ``path``; returns the error messages shown."""
    errors = []
    answer(monkeypatch, "get_open_path", str(path))
    answer(monkeypatch, "show_error", None, errors)
    window.actions["open"].trigger()
    return errors


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "folder", "loop", "missing"])
def test_special_files_are_named_and_never_read(window, tmp_path, monkeypatch, kind):
    if kind == "dev_zero":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "pipe.bpnet"
        os.mkfifo(path)
    elif kind == "folder":
        path = tmp_path / "folder.bpnet"
        path.mkdir()
    elif kind == "loop":
        path = tmp_path / "loop.bpnet"
        os.symlink(path, path)
    else:
        path = tmp_path / "missing.bpnet"
    expected = {"dev_zero": "device", "fifo": "named pipe (FIFO)", "folder": "folder",
                "loop": "loop", "missing": "no such file"}[kind]
    before = dumps(window.document.project)
    errors = open_through_menu(window, monkeypatch, path)
    assert len(errors) == 1, errors
    title, text = errors[0]
    assert title == "Cannot open file" and path.name in text and expected.lower() in text.lower(), text
    assert "\n" not in text
    assert dumps(window.document.project) == before and window.document.path is None
    assert window.isVisible()
