"""Datasets: inputs and targets a network trains on, with their names, scaling and split.

Inputs are stored raw; ``normalization`` (min-max or z-score statistics) is applied on the way
into the network, so a file keeps the user's numbers and predictions use the same scaling.
Classification targets are one-hot rows (one column per class), or a single 0/1 column for a
two-class problem with one sigmoid output. ``source`` records where the data came from
(``{"kind": "embedded" | "generated" | "csv", ...}``, see docs/file-format.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass
class Normalization:
    method: str  # "minmax" or "zscore"
    offset: Array  # subtracted from each input column
    scale: Array  # then divided by this (never 0)

    def apply(self, x: Array) -> Array:
        return (np.asarray(x, dtype=np.float64) - self.offset) / self.scale

    @classmethod
    def fit(cls, method: str, x: Array) -> "Normalization":
        if method == "minmax":
            lo, hi = x.min(axis=0), x.max(axis=0)
            return cls(method, lo, np.where(hi > lo, hi - lo, 1.0))
        if method == "zscore":
            sd = x.std(axis=0)
            return cls(method, x.mean(axis=0), np.where(sd > 0, sd, 1.0))
        raise ValueError(f"unknown normalisation {method!r} (use 'minmax' or 'zscore')")


@dataclass
class Dataset:
    x: Array  # raw inputs, (n, n_inputs)
    y: Array  # targets, (n, n_outputs); one-hot for classification
    input_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    task: str = "regression"  # or "classification"
    class_names: list[str] | None = None
    normalization: Normalization | None = None
    validation_fraction: float = 0.0
    split_seed: int = 0
    source: dict = field(default_factory=lambda: {"kind": "embedded"})

    def __post_init__(self) -> None:
        self.x = np.atleast_2d(np.asarray(self.x, dtype=np.float64))
        self.y = np.atleast_2d(np.asarray(self.y, dtype=np.float64))
        if not self.input_names:
            self.input_names = [f"x{k + 1}" for k in range(self.x.shape[1])]
        if not self.target_names:
            self.target_names = [f"t{k + 1}" for k in range(self.y.shape[1])]

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def n_inputs(self) -> int:
        return self.x.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y.shape[1]

    def check_fits(self, n_inputs: int, n_outputs: int) -> None:
        """Raise ValueError saying which side differs if the data does not fit a network."""
        if self.n_inputs != n_inputs:
            raise ValueError(f"the data has {self.n_inputs} input columns; the network has {n_inputs} inputs")
        if self.n_outputs != n_outputs:
            raise ValueError(f"the data has {self.n_outputs} target columns; the network has {n_outputs} outputs")

    def labels(self) -> NDArray[np.intp]:
        """Class index of every row (classification): argmax of one-hot rows, or the 0/1 column."""
        if self.y.shape[1] == 1:
            return (self.y[:, 0] >= 0.5).astype(np.intp)
        return self.y.argmax(axis=1)

    def normalized(self, method: str | None) -> "Dataset":
        """A copy whose normalisation is fitted to the training rows only (None removes it), so
        validation rows never leak into the statistics."""
        from dataclasses import replace
        if method is None:
            return replace(self, normalization=None)
        tr, _ = self.split_indices()
        return replace(self, normalization=Normalization.fit(method, self.x[tr]))

    def inputs(self) -> Array:
        """Inputs as the network sees them (normalised when the dataset says so)."""
        return self.normalization.apply(self.x) if self.normalization else self.x

    def split_indices(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        n = len(self)
        n_val = int(round(self.validation_fraction * n))
        if n_val == 0:
            return np.arange(n), np.arange(0)
        perm = np.random.default_rng(self.split_seed).permutation(n)
        return np.sort(perm[n_val:]), np.sort(perm[:n_val])

    def arrays(self) -> tuple[Array, Array, tuple[Array, Array] | None]:
        """(train x, train y, validation (x, y) or None), inputs normalised."""
        x = self.inputs()
        tr, va = self.split_indices()
        val = (x[va], self.y[va]) if len(va) else None
        return x[tr], self.y[tr], val


def one_hot(indices: Sequence[int], n_classes: int) -> Array:
    """Rows with a 1 in column ``indices[r]`` and 0 elsewhere."""
    idx = np.asarray(indices, dtype=np.intp)
    out = np.zeros((len(idx), n_classes))
    out[np.arange(len(idx)), idx] = 1.0
    return out
