"""Epochs in slices (core/slices.py): the hook runs inside long epochs, and slicing changes no
number on any path (plain floats, the chain path whole or gathered per batch, the general path)."""
from __future__ import annotations

import numpy as np
import pytest

import core.training as T
from core import dense, slices
from core.network import Network
from core.optimizers import OptimizerSettings

PATHS = {
    # name: (sizes, activations, loss, batch, optimiser, chain path allowed, whole-data limit)
    "plain floats": ((2, 3, 1), ("sigmoid", "sigmoid"), "half_sse", 1, "momentum", True, None),
    "chain, whole data": ((2, 16, 16, 1), ("tanh", "tanh", "sigmoid"), "mse", 4, "sgd", True, None),
    "chain, gathered": ((4, 8, 3), ("relu", "softmax"), "cross_entropy", 4, "sgd", True, 100),
    "general, whole data": ((3, 6, 2), ("tanh", "sigmoid"), "mse", 4, "adam", False, None),
    "general, gathered": ((3, 6, 2), ("tanh", "sigmoid"), "mse", 4, "adam", False, 100),
}


def _train(name: str, pulse, monkeypatch) -> tuple[Network, list[T.EpochReport], type | None]:
    sizes, acts, loss, batch, opt, chain, whole = PATHS[name]
    if not chain:
        monkeypatch.setattr(T, "dense_eligible", lambda eng: False)
    if whole is not None:
        monkeypatch.setattr(dense, "PERMUTE_WHOLE_BYTES", whole)
        monkeypatch.setattr(T, "PERMUTE_WHOLE_BYTES", whole)
    used = []
    for cls in ("OnlineTrainer", "DenseTrainer"):
        real = getattr(T, cls)
        monkeypatch.setattr(T, cls, lambda *a, _real=real, **k: used.append(_real) or _real(*a, **k))
    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 40)] if loss == "cross_entropy" \
        else rng.uniform(0.1, 0.9, (40, sizes[-1]))
    net = Network.dense(list(sizes), list(acts), loss=loss, init="xavier", seed=5)
    cfg = T.TrainConfig(OptimizerSettings(opt, 0.1), batch_size=batch, max_epochs=3, report_weights=True)
    reports = list(T.train(net, x, y, cfg, pulse=pulse))
    monkeypatch.undo()
    return net, reports, used[0] if used else None


@pytest.mark.parametrize("name", list(PATHS))
def test_slices_change_no_number(name, monkeypatch):
    calls = []
    monkeypatch.setattr(slices, "SLICE_SECONDS", 0.0)  # every step after the first slice its own slice
    sliced_net, sliced, path = _train(name, lambda: calls.append(1), monkeypatch)
    whole_net, whole, path_again = _train(name, None, monkeypatch)
    expected = {"plain floats": T.OnlineTrainer, "chain, whole data": T.DenseTrainer,
                "chain, gathered": T.DenseTrainer}.get(name)
    assert path is path_again is expected
    steps = 40 // PATHS[name][3]
    # the first epoch: FIRST_SLICE steps, then one step a slice; every later epoch one step a slice
    assert len(calls) == (steps - slices.FIRST_SLICE) + 2 * (steps - 1)
    for a, b in zip(sliced, whole):
        assert (a.loss, a.accuracy, a.max_weight_change) == (b.loss, b.accuracy, b.max_weight_change)
        assert [list(m) for m in a.mean_abs_delta] == [list(m) for m in b.mean_abs_delta]
    (wa, ba), (wb, bb) = sliced_net.get_parameters(), whole_net.get_parameters()
    assert all(np.array_equal(wa[k], wb[k]) for k in wb) and len(wa) == len(wb)
    assert all(np.array_equal(a, b) for a, b in zip(ba, bb)) and len(ba) == len(bb)


def test_slices_follow_the_time_a_slice_takes(monkeypatch):
    clock = iter(np.arange(0.0, 100.0, 0.0005))  # every step takes half a millisecond
    monkeypatch.setattr(slices.time, "perf_counter", lambda: next(clock))
    hooks = []
    s = slices.Slicer(lambda: hooks.append(1))
    spans = []
    for span in s.spans(20):
        spans.append(span)
        for _ in range(span[1] - span[0] - 1):
            next(clock)
    # 4 steps took 2 ms: 2 steps make a millisecond from then on
    assert spans[:3] == [(0, 4), (4, 6), (6, 8)] and spans[-1] == (18, 20)
    assert len(hooks) == len(spans) - 1
    assert s.per_slice == 2 and not s.whole(3) and s.whole(2)


@pytest.mark.parametrize("example", ["pattern-completion.bpnet", "elman-grammar.bpnet"])  # settle, sequence
def test_recurrent_epochs_in_slices_change_no_number(example, monkeypatch):
    from dataclasses import replace

    from core.fileio import load_project
    from core.resources import resource_path
    monkeypatch.setattr(slices, "SLICE_SECONDS", 0.0)
    project = load_project(resource_path("examples", example))
    x, y, val = project.dataset.arrays()
    cfg = replace(project.training, max_epochs=3, report_weights=True)
    calls = []
    runs = []
    for pulse in (lambda: calls.append(1), None):
        net = project.network.copy()
        runs.append((net, list(T.train(net, x, y, cfg, val, pulse=pulse))))
    (a_net, a), (b_net, b) = runs
    assert net.is_recurrent and len(a) == len(b) == 3 and calls
    for ra, rb in zip(a, b):
        assert (ra.loss, ra.accuracy, ra.max_weight_change, ra.relaxation) == \
            (rb.loss, rb.accuracy, rb.max_weight_change, rb.relaxation)
    (wa, ba), (wb, bb) = a_net.get_parameters(), b_net.get_parameters()
    assert all(np.array_equal(wa[k], wb[k]) for k in wb)
    assert all(np.array_equal(p, q) for p, q in zip(ba, bb))
