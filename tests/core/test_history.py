"""The bounded history (issue 9, item 7): memory does not grow with run length, the summary keeps
every spike and the mean, and the file round-trips it."""
import math

import numpy as np

from core.fileio import dumps, loads
from core.history import History, HistoryEntry
from core.network import Network
from core.project import Project


def _run(n, spike_at=None):
    rng = np.random.default_rng(1)
    losses = 0.3 * np.exp(-np.arange(n) / (n / 5)) + 0.01 * rng.random(n)
    if spike_at is not None:
        losses[spike_at] = 7.5
    return losses


def test_size_is_bounded_and_the_whole_run_is_kept():
    h = History(recent=1000, max_buckets=100)
    losses = _run(200_000, spike_at=12_345)
    for e, lo in enumerate(losses, 1):
        h.append(HistoryEntry(e, float(lo), None, 0.5))
    assert len(h) <= 1000 + 2000 + 100 and len(h.buckets) <= 100
    assert h.epochs == 200_000 and h[-1].epoch == 200_000 and h[0].start == 1
    spans = [(b.start, b.epoch) for b in h.buckets]
    assert all(a[1] + 1 == b[0] for a, b in zip(spans, spans[1:]))  # contiguous, in order
    assert h.buckets[-1].epoch + 1 == h.recent[0].epoch
    assert max(b.high for b in h.buckets) == 7.5  # the spike is still there for the plot
    k = np.argmax([b.high for b in h.buckets])
    assert h.buckets[k].start <= 12_346 <= h.buckets[k].epoch
    total = sum(b.loss * b.count for b in h.buckets) + sum(e.loss for e in h.recent)
    assert math.isclose(total / 200_000, losses.mean(), rel_tol=1e-9)
    assert all(b.accuracy == 0.5 and b.val_loss is None for b in h.buckets)


def test_file_round_trip_and_vectorised_load_agree():
    h = History(recent=1000, max_buckets=100)
    for e, lo in enumerate(_run(50_000), 1):
        h.append(HistoryEntry(e, float(lo)))
    p = Project(Network.dense([2, 1], seed=0), history=h)
    q = loads(dumps(p))
    assert [(b.start, b.epoch, b.count) for b in q.history.buckets] == \
        [(b.start, b.epoch, b.count) for b in h.buckets]
    assert [b.loss for b in q.history.buckets] == [b.loss for b in h.buckets]
    assert list(q.history.recent) == list(h.recent)
    # a long history written in full (an older file) is folded into the same kind of summary
    flat = Project(Network.dense([2, 1], seed=0))
    flat.history = History(recent=10**9)
    for e, lo in enumerate(_run(30_000), 1):
        flat.history.append(HistoryEntry(e, float(lo)))
    r = loads(dumps(flat))
    assert r.history.epochs == 30_000 and len(r.history.recent) == 10_000 and r.history.buckets


def test_nan_losses_and_pop():
    h = History(recent=10, max_buckets=4)
    for e in range(1, 60):
        h.append(HistoryEntry(e, math.nan if e == 3 else 1.0))
    assert h.epochs == 59 and all(math.isfinite(b.loss) for b in h.buckets)
    last = h.pop()
    assert last.epoch == 59 and h.epochs == 58


def test_list_idioms_the_app_uses_keep_it_bounded():
    from core.project import Project
    p = Project(Network.dense([2, 1], seed=0))
    p.history = [HistoryEntry(e, 0.5) for e in range(1, 30_000)]  # a plain list is wrapped
    assert isinstance(p.history, History) and len(p.history) < 15_000
    more = p.history + [HistoryEntry(30_000, 0.1)]
    p.history[:] = more
    assert p.history.epochs == 30_000 and p.history[-1].loss == 0.1
    assert p.history[-1:] == [HistoryEntry(30_000, 0.1)]


def test_extend_is_append_one_at_a_time():
    """extend adds runs of single epochs in bulk (up to each fold); the result must be exactly
    that of appending them one by one, buckets among them included, at every fold and doubling."""
    rng = np.random.default_rng(3)
    for recent, max_buckets in ((10, 5), (50, 7), (1000, 100)):
        bulk, single = History(recent=recent, max_buckets=max_buckets), \
            History(recent=recent, max_buckets=max_buckets)
        epoch = 0
        for _ in range(12):
            entries = []
            for _ in range(int(rng.integers(0, 6000))):
                if rng.random() < 0.01:  # a summary bucket from a file or an older run
                    c = int(rng.integers(2, 9))
                    entries.append(HistoryEntry(epoch + c, float(rng.random()), count=c, first_epoch=epoch + 1,
                                                loss_min=0.0, loss_max=1.0))
                    epoch += c
                else:
                    epoch += 1
                    entries.append(HistoryEntry(epoch, float(rng.random()), None, float(rng.random())))
            bulk.extend(entries)
            for e in entries:
                single.append(e)
            assert list(bulk) == list(single) and bulk.width == single.width
        assert bulk.epochs == epoch
