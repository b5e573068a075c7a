"""The training history of a project, bounded: the most recent epochs at full resolution, older
ones folded into a fixed number of summary buckets (first/last epoch, count, min/max/mean loss,
mean of the other series), so a run of millions of epochs costs the same memory and file space as
one of a few thousand, and a plot still shows the whole run with its spikes.

``History`` behaves like the list it replaces: ``append``, ``extend``, ``pop``, ``clear``,
``len``, ``[-1]`` and iteration, which yields the buckets (as entries with ``count > 1``, loss =
the bucket's mean) and then the recent entries, oldest first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

RECENT = 10_000  # epochs kept at full resolution
CHUNK = 2_000  # folded into buckets at a time (so folding is rare, not once per epoch)
MAX_BUCKETS = 2_000  # when exceeded, neighbouring buckets merge pairwise (width doubles)


@dataclass
class HistoryEntry:
    """One epoch, or (``count > 1``) a summary of epochs ``first_epoch``..``epoch``: ``loss`` is
    then their mean, ``loss_min``/``loss_max`` their extremes, the other series their means."""

    epoch: int
    loss: float
    val_loss: float | None = None
    accuracy: float | None = None
    val_accuracy: float | None = None
    count: int = 1
    first_epoch: int | None = None
    loss_min: float | None = None
    loss_max: float | None = None

    @classmethod
    def from_report(cls, r) -> "HistoryEntry":
        return cls(r.epoch, r.loss, r.val_loss, r.accuracy, r.val_accuracy)

    @property
    def low(self) -> float:
        return self.loss if self.loss_min is None else self.loss_min

    @property
    def high(self) -> float:
        return self.loss if self.loss_max is None else self.loss_max

    @property
    def start(self) -> int:
        return self.epoch if self.first_epoch is None else self.first_epoch


OPTIONAL = ("val_loss", "accuracy", "val_accuracy")


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def merge(entries: list[HistoryEntry]) -> HistoryEntry:
    """One bucket for consecutive entries (single epochs or buckets): counts add, extremes are
    kept, means are weighted by count. A non-finite loss counts in min/max as NaN would not."""
    total = sum(e.count for e in entries)
    finite = [e for e in entries if math.isfinite(e.loss)]
    n_fin = sum(e.count for e in finite)
    mean = sum(e.loss * e.count for e in finite) / n_fin if n_fin else math.nan
    lows = [e.low for e in entries if not math.isnan(e.low)]
    highs = [e.high for e in entries if not math.isnan(e.high)]
    out = HistoryEntry(entries[-1].epoch, mean, count=total, first_epoch=entries[0].start,
                       loss_min=min(lows) if lows else math.nan, loss_max=max(highs) if highs else math.nan)
    for key in OPTIONAL:
        vals = [(getattr(e, key), e.count) for e in entries if _finite(getattr(e, key))]
        n = sum(c for _, c in vals)
        setattr(out, key, sum(v * c for v, c in vals) / n if n else None)
    return out


class History:
    """Bounded history; see the module docstring."""

    def __init__(self, entries: Iterable[HistoryEntry] = (), recent: int = RECENT,
                 max_buckets: int = MAX_BUCKETS) -> None:
        self.recent_limit = recent
        self.max_buckets = max_buckets
        self.buckets: list[HistoryEntry] = []
        self.recent: list[HistoryEntry] = []
        self.width = 1  # epochs (single entries) per bucket at the current resolution
        self.extend(entries)

    # ------------------------------------------------------------------ list-like
    def append(self, entry: HistoryEntry) -> None:
        if entry.count > 1:
            self._add_bucket(entry)
            return
        self.recent.append(entry)
        if len(self.recent) > self.recent_limit + CHUNK:
            self._fold(len(self.recent) - self.recent_limit)

    def extend(self, entries: Iterable[HistoryEntry]) -> None:
        """As ``append`` for each, but single epochs are added a run at a time, up to each fold
        (a run's end added 10,000 of them one call each)."""
        run: list[HistoryEntry] = []
        for e in entries:
            if e.count > 1:
                self._extend_recent(run)
                run = []
                self._add_bucket(e)
            else:
                run.append(e)
        self._extend_recent(run)

    def _extend_recent(self, entries: list[HistoryEntry]) -> None:
        i, top = 0, self.recent_limit + CHUNK
        while i < len(entries):
            # appended one at a time, the next fold comes here (at least one: never a loop)
            room = max(top + 1 - len(self.recent), 1)
            self.recent.extend(entries[i:i + room])
            i += room
            if len(self.recent) > top:
                self._fold(len(self.recent) - self.recent_limit)

    def pop(self) -> HistoryEntry:
        return self.recent.pop() if self.recent else self.buckets.pop()

    def clear(self) -> None:
        self.buckets.clear()
        self.recent.clear()
        self.width = 1

    def __len__(self) -> int:
        return len(self.buckets) + len(self.recent)

    def __bool__(self) -> bool:
        return bool(self.recent or self.buckets)

    def __iter__(self) -> Iterator[HistoryEntry]:
        yield from self.buckets
        yield from self.recent

    def __getitem__(self, k: int | slice) -> HistoryEntry | list[HistoryEntry]:
        if isinstance(k, slice):
            return list(self)[k]
        if not isinstance(k, int):
            raise TypeError("History indexes are integers or slices")
        n = len(self)
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError("history index out of range")
        nb = len(self.buckets)
        return self.buckets[k] if k < nb else self.recent[k - nb]

    def __setitem__(self, k: slice, entries: Iterable[HistoryEntry]) -> None:
        if k != slice(None):
            raise TypeError("a History is replaced whole (history[:] = entries)")
        entries = list(entries)  # may be built from self
        self.clear()
        self.extend(entries)

    def __add__(self, other: Iterable[HistoryEntry]) -> "History":
        out = History(self, self.recent_limit, self.max_buckets)
        out.extend(other)
        return out

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (History, list)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"History({len(self.buckets)} buckets, {len(self.recent)} recent epochs)"

    # ------------------------------------------------------------------ queries
    @property
    def epochs(self) -> int:
        """Epochs recorded, summarised ones included."""
        return sum(e.count for e in self.buckets) + len(self.recent)

    # ------------------------------------------------------------------ folding
    def _fold(self, k: int) -> None:
        old, self.recent = self.recent[:k], self.recent[k:]
        i = 0
        last = self.buckets[-1] if self.buckets else None
        if last is not None and last.count < self.width:  # top up the newest bucket first
            i = self.width - last.count
            self.buckets[-1] = merge([last, *old[:i]])
        while i < len(old):
            self.buckets.append(merge(old[i:i + self.width]))
            i += self.width
            self._limit()

    def _add_bucket(self, e: HistoryEntry) -> None:
        last = self.buckets[-1] if self.buckets else None
        if last is not None and last.count + e.count <= self.width:
            self.buckets[-1] = merge([last, e])
        else:
            self.buckets.append(e)
        self._limit()

    def _limit(self) -> None:
        if len(self.buckets) > self.max_buckets:
            self.width = max(self.width * 2, max(b.count for b in self.buckets))
            b = self.buckets
            self.buckets = [merge(b[i:i + 2]) if i + 1 < len(b) else b[i] for i in range(0, len(b), 2)]

    # ------------------------------------------------------------------ columns (files, plots)
    @classmethod
    def from_columns(cls, cols: dict[str, np.ndarray], summary: dict[str, np.ndarray] | None = None,
                     recent: int = RECENT, max_buckets: int = MAX_BUCKETS) -> "History":
        """Build from float columns (NaN = absent) without one object per old epoch: ``cols`` has
        ``epoch`` and the four series; ``summary`` (optional) the bucket columns of a file."""
        h = cls(recent=recent, max_buckets=max_buckets)
        n = len(cols["epoch"])
        keep = n if n <= recent + CHUNK else recent
        old = n - keep
        parts = []
        if summary is not None and len(summary["count"]):
            parts.append({k: np.asarray(summary[k], dtype=np.float64) for k in BUCKET_COLUMNS})
        if old:
            e, lo = cols["epoch"][:old], cols["loss"][:old]
            parts.append({"first_epoch": e, "last_epoch": e, "count": np.broadcast_to(1.0, old), "loss": lo,
                          "loss_min": lo, "loss_max": lo,
                          **{k: cols[k][:old] for k in OPTIONAL}})
        if parts:
            b = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts]) for k in BUCKET_COLUMNS}
            group = -(-len(b["count"]) // max_buckets)  # items per bucket, so at most max_buckets
            b = group_buckets(b, group) if group > 1 else b
            h.buckets = _bucket_entries(b)
            h.width = max(int(b["count"].max()), 1)
        # plain lists first: indexing numpy columns per value cost 8 µs an entry, and a run's
        # end (10,000 recent epochs) stalled the window for 80 ms
        series = [np.asarray(cols[k][old:n], dtype=np.float64).tolist() for k in OPTIONAL]
        series = [[None if v != v else v for v in vals] for vals in series]  # NaN: absent
        h.recent = list(map(HistoryEntry, np.asarray(cols["epoch"][old:n]).astype(np.int64).tolist(),
                            np.asarray(cols["loss"][old:n], dtype=np.float64).tolist(), *series))
        return h

    def columns(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """(recent columns, summary columns), NaN where a value is absent: for files and plots."""
        def col(entries: list[HistoryEntry], get) -> np.ndarray:
            return np.array([np.nan if (v := get(e)) is None else v for e in entries], dtype=np.float64)
        recent = {"epoch": np.array([e.epoch for e in self.recent], dtype=np.int64)}
        for key in ("loss",) + OPTIONAL:
            recent[key] = col(self.recent, lambda e, k=key: getattr(e, k))
        b = self.buckets
        summary = {"first_epoch": np.array([e.start for e in b], dtype=np.int64),
                   "last_epoch": np.array([e.epoch for e in b], dtype=np.int64),
                   "count": np.array([e.count for e in b], dtype=np.int64),
                   "loss": col(b, lambda e: e.loss), "loss_min": col(b, lambda e: e.low),
                   "loss_max": col(b, lambda e: e.high)}
        for key in OPTIONAL:
            summary[key] = col(b, lambda e, k=key: getattr(e, k))
        return recent, summary


BUCKET_COLUMNS = ("first_epoch", "last_epoch", "count", "loss", "loss_min", "loss_max") + OPTIONAL


def group_buckets(b: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """Merge every ``k`` consecutive buckets (as ``merge`` does, vectorised); ``b`` holds the
    BUCKET_COLUMNS (a live run keeps its old epochs this way, app/training/run_log.py)."""
    starts = np.arange(0, len(b["count"]), k)
    count = np.add.reduceat(b["count"], starts)
    out = {"first_epoch": b["first_epoch"][starts], "last_epoch": b["last_epoch"][np.minimum(starts + k, len(b["count"])) - 1],
           "count": count}
    with np.errstate(invalid="ignore", divide="ignore"):
        out["loss_min"] = np.fmin.reduceat(b["loss_min"], starts)
        out["loss_max"] = np.fmax.reduceat(b["loss_max"], starts)
        for key in ("loss",) + OPTIONAL:
            v = b[key]
            ok = np.isfinite(v)
            weight = np.where(ok, b["count"], 0.0)
            total = np.add.reduceat(np.where(ok, v, 0.0) * weight, starts)
            n = np.add.reduceat(weight, starts)
            out[key] = np.where(n > 0, total / np.where(n > 0, n, 1), np.nan)
    return out


def _bucket_entries(b: dict[str, np.ndarray]) -> list[HistoryEntry]:
    """One entry per bucket, from plain lists (numpy scalars, indexed per value, made up half of
    the 20 ms a 20,000-epoch run's end took to build its history)."""
    col = {k: np.asarray(b[k], dtype=np.float64).tolist() for k in BUCKET_COLUMNS}
    opt = [[None if v != v else v for v in col[k]] for k in OPTIONAL]  # NaN: absent
    return [HistoryEntry(int(last), loss, val_loss, acc, val_acc, count=int(count), first_epoch=int(first),
                         loss_min=lo, loss_max=hi)
            for last, loss, val_loss, acc, val_acc, count, first, lo, hi
            in zip(col["last_epoch"], col["loss"], *opt, col["count"], col["first_epoch"],
                   col["loss_min"], col["loss_max"])]
