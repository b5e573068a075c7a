"""A project: everything a network file holds, so work carries on where its author stopped."""
from __future__ import annotations

from dataclasses import dataclass, field

from .datasets import Dataset
from .network import Network
from .resume import ResumeState
from .training import EpochReport, TrainConfig


@dataclass
class HistoryEntry:
    epoch: int
    loss: float
    val_loss: float | None = None
    accuracy: float | None = None
    val_accuracy: float | None = None

    @classmethod
    def from_report(cls, r: EpochReport) -> "HistoryEntry":
        return cls(r.epoch, r.loss, r.val_loss, r.accuracy, r.val_accuracy)


@dataclass
class Project:
    network: Network
    training: TrainConfig = field(default_factory=TrainConfig)
    dataset: Dataset | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    title: str = ""
    description: str = ""
    display_digits: int | None = None  # the step-through's default precision; None = the app's
    resume: ResumeState | None = None  # optimiser and shuffle state after the last epoch
