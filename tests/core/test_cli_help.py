"""`backprop-studio … --help` run as a real process (issue 8, item 9): every option is explained
with its default, and every command's help shows examples of its use."""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli

ROOT = Path(__file__).resolve().parents[2]


def help_text(*argv: str) -> str:
    out = subprocess.run([sys.executable, "-m", "app.launch", *argv, "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in cli._parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", cli.SUBCOMMANDS)
def test_every_option_has_a_sentence_and_its_default(command):
    text = help_text(command)
    options = text.split("options:", 1)[1].split("examples:", 1)[0]
    for action in subparsers()[command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        flag = action.option_strings[-1] if action.option_strings else action.metavar or action.dest
        # the option's paragraph: from its flag to the next line that starts another option
        block = re.search(rf"^  (?:-\w [A-Z]+, )?{re.escape(flag)}\b.*?(?=^  \S|\Z)",
                          text if not action.option_strings else options, re.S | re.M)
        assert block, f"{command} {flag}: not in --help"
        words = " ".join(block.group(0).split()[1:])
        assert len(words.split()) >= 5, f"{command} {flag}: no sentence in --help ({words!r})"
        if action.option_strings:
            assert "default" in words or "required" in words, f"{command} {flag}: no default ({words!r})"


@pytest.mark.parametrize("command", cli.SUBCOMMANDS)
def test_every_command_shows_examples(command):
    text = help_text(command)
    assert "examples:" in text
    examples = re.findall(rf"^  backprop-studio {command} \S+.*$", text.split("examples:", 1)[1], re.M)
    assert len(examples) >= 2, f"{command}: fewer than two examples"


def test_units_are_named():
    text = help_text("train")
    assert "one pass" in text and "samples per weight update" in text and "step size" in text
