"""The epochs of the run under way, as the controller keeps them until the run is committed:
bounded the way core's History is (the newest ``RECENT`` epochs at full resolution, older ones
folded into at most ``MAX_BUCKETS`` summary buckets), but held as numpy columns, so a batch of
thousands of epochs costs a few array calls instead of one object per epoch."""
from __future__ import annotations

import numpy as np

from core.history import (BUCKET_COLUMNS, CHUNK, MAX_BUCKETS, OPTIONAL, RECENT, History,
                          group_buckets)

COLUMNS = ("epoch", "loss") + OPTIONAL


class RunLog:
    def __init__(self, recent: int = RECENT, max_buckets: int = MAX_BUCKETS) -> None:
        self.recent_limit = recent
        self.max_buckets = max_buckets
        self._chunks: list[dict[str, np.ndarray]] = []
        self._n_recent = 0
        self._summary: dict[str, np.ndarray] | None = None
        self.epochs = 0  # every epoch recorded, folded ones included
        self.last_epoch = 0

    def append(self, batch) -> None:
        """``batch``: a ReportBatch (or anything with the five columns)."""
        n = len(batch.epoch)
        if not n:
            return
        self._chunks.append({name: np.asarray(getattr(batch, name), dtype=np.float64)
                             for name in COLUMNS})
        self._n_recent += n
        self.epochs += n
        self.last_epoch = int(batch.epoch[-1])
        if self._n_recent > self.recent_limit + CHUNK:
            self._fold(self._n_recent - self.recent_limit)

    def held_values(self) -> int:
        """Numbers held (for the bounded-memory test): columns of recent epochs and buckets."""
        summary = 0 if self._summary is None else len(self._summary["count"]) * len(BUCKET_COLUMNS)
        return self._n_recent * len(COLUMNS) + summary

    def _recent(self) -> dict[str, np.ndarray]:
        if len(self._chunks) != 1:
            cols = {name: np.concatenate([c[name] for c in self._chunks]) if self._chunks
                    else np.empty(0) for name in COLUMNS}
            self._chunks = [cols]
        return self._chunks[0]

    def _fold(self, k: int) -> None:
        cols = self._recent()
        e, lo = cols["epoch"][:k], cols["loss"][:k]
        old = {"first_epoch": e, "last_epoch": e, "count": np.ones(k), "loss": lo,
               "loss_min": lo, "loss_max": lo, **{name: cols[name][:k] for name in OPTIONAL}}
        b = old if self._summary is None else \
            {name: np.concatenate([self._summary[name], old[name]]) for name in BUCKET_COLUMNS}
        while len(b["count"]) > self.max_buckets:
            b = group_buckets(b, 2)
        self._summary = b
        self._chunks = [{name: cols[name][k:].copy() for name in COLUMNS}]
        self._n_recent -= k

    def history(self, upto: int | None = None) -> History:
        """The run's epochs as core's History (epochs after ``upto`` left out)."""
        cols = self._recent()
        if upto is not None:
            cut = int(np.searchsorted(cols["epoch"], upto, side="right"))
            cols = {name: c[:cut] for name, c in cols.items()}
        return History.from_columns(cols, self._summary, self.recent_limit, self.max_buckets)
