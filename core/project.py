"""A project: everything a network file holds, so work carries on where its author stopped."""
from __future__ import annotations

from dataclasses import dataclass, field

from .datasets import Dataset
from .history import History, HistoryEntry
from .network import Network
from .resume import ResumeState
from .training import TrainConfig

__all__ = ["Project", "History", "HistoryEntry"]


@dataclass
class Project:
    network: Network
    training: TrainConfig = field(default_factory=TrainConfig)
    dataset: Dataset | None = None
    history: History = field(default_factory=History)
    title: str = ""
    description: str = ""
    display_digits: int | None = None  # the step-through's default precision; None = the app's
    resume: ResumeState | None = None  # optimiser and shuffle state after the last epoch
    # What could not be restored when the file was opened (one line each, e.g. a linked CSV that
    # is missing): the project opens anyway and the GUI shows these. Never written to a file.
    problems: list[str] = field(default_factory=list)

    def __setattr__(self, name: str, value: object) -> None:
        # Whoever assigns a plain list of entries, the history stays bounded.
        if name == "history" and not isinstance(value, History):
            value = History(value)
        super().__setattr__(name, value)
