"""Small helpers shared by the GUI tests (not tests themselves)."""
from __future__ import annotations


def answer(monkeypatch, name, value, calls=None):
    """Make ``app.dialogs.prompts.<name>`` reply ``value`` (or ``value(*args)``), recording calls."""
    from app.dialogs import prompts

    def reply(*args, **kwargs):
        if calls is not None:
            calls.append(args[1:])
        return value(*args) if callable(value) else value
    monkeypatch.setattr(prompts, name, reply)
