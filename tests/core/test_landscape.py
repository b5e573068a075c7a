"""The landscape's batched, partial passes against the plainest oracle: the engine's full forward
pass with the weights set, one grid point at a time."""
import numpy as np
import pytest

from core.engine import Engine
from core.fileio import load_project
from core.landscape import WeightRef, curve, default_pair, grid, slope, training_rows
from core.network import Network
from core.resources import resource_path


def brute(net: Network, x, y, refs, values) -> float:
    n = net.copy()
    for r, v in zip(refs, values):
        n.set_weight(*r, v)
    eng = Engine(n)
    return float(eng.loss_per_sample(eng.forward(x).outs[-1], y).mean())


def odd_network() -> Network:
    """Skip connection, a missing link, mixed activations and a softmax output."""
    net = Network.dense([3, 4, 3, 3], "tanh", seed=4)
    net.set_activation(1, "relu", 2)
    net.set_activation(3, "softmax")
    net.loss = "cross_entropy"
    net.connect_fully(0, 2, 0.3)
    net.disconnect(1, 1, 2, 0)
    return net


CASES = [
    (WeightRef(0, 0, 1, 1), WeightRef(1, 2, 2, 0)),   # both hidden, different layers
    (WeightRef(0, 1, 2, 2), WeightRef(0, 2, 1, 2)),   # skip connection and a relu neuron
    (WeightRef(2, 0, 3, 1), WeightRef(2, 1, 3, 1)),   # both into one softmax neuron
    (WeightRef(0, 0, 1, 0), WeightRef(0, 1, 1, 0)),   # same target neuron
]


@pytest.mark.parametrize("a,b", CASES)
def test_grid_equals_full_forward_passes(a, b):
    net = odd_network()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 3))
    y = np.eye(3)[rng.integers(0, 3, 7)]
    av, bv = np.linspace(-2, 2, 5), np.linspace(-1.5, 3, 4)
    land = grid(net, x, y, a, b, av, bv)
    want = np.array([[brute(net, x, y, [a, b], [va, vb]) for va in av] for vb in bv])
    np.testing.assert_allclose(land.errors, want, rtol=1e-12, atol=1e-14)
    assert land.a_now == net.weight(*a) and land.b_now == net.weight(*b)
    assert land.e_now == pytest.approx(brute(net, x, y, [], []), rel=1e-12)


def test_missing_link_is_refused_by_name():
    with pytest.raises(ValueError, match="no connection"):
        grid(odd_network(), np.zeros((1, 3)), np.eye(3)[:1], WeightRef(1, 1, 2, 0),
             WeightRef(0, 0, 1, 0), [0.0], [0.0])


def test_one_weight_curve_is_the_seeds_parabola():
    """Seed 000: y = 2x on (0,0), (1,2), (2,4), starting at W = 3. With bias 0 the error is
    E(W) = (1/3) Σ ½ (W x − y)² = (5/6)(W − 2)², smallest at W = 2 ("the global loss minimum")."""
    project = load_project(resource_path("examples", "one-weight.bpnet"))
    x, y = training_rows(project)
    w = WeightRef(0, 0, 1, 0)
    ws = np.linspace(0, 4, 41)
    c = curve(project.network, x, y, w, ws)
    np.testing.assert_allclose(c.errors, 5 / 6 * (ws - 2) ** 2, rtol=1e-12, atol=1e-15)
    assert ws[np.argmin(c.errors)] == pytest.approx(2.0)
    assert c.w_now == 3.0 and c.e_now == pytest.approx(5 / 6)
    assert c.slope == pytest.approx(5 / 3 * (3 - 2))  # dE/dW = (5/3)(W − 2)
    h = 1e-6  # the tangent's slope is the finite-difference slope of the curve
    fd = (curve(project.network, x, y, w, [3 + h]).errors[0] -
          curve(project.network, x, y, w, [3 - h]).errors[0]) / (2 * h)
    assert c.slope == pytest.approx(fd, rel=1e-6)


def test_slope_matches_finite_differences_on_digits_subset():
    project = load_project(resource_path("examples", "digits.bpnet"))
    x, y = training_rows(project)
    x, y = x[:50], y[:50]
    a = WeightRef(0, 20, 1, 3)
    h = 1e-5
    w = project.network.weight(*a)
    fd = (brute(project.network, x, y, [a], [w + h]) - brute(project.network, x, y, [a], [w - h])) / (2 * h)
    assert slope(project.network, x, y, a) == pytest.approx(fd, rel=1e-5, abs=1e-10)


def test_default_pair_and_stop():
    net = odd_network()
    a, b = default_pair(net)
    assert a.ld == b.ld == 3 and a != b
    x, y = np.zeros((2, 3)), np.eye(3)[:2]
    assert grid(net, x, y, a, b, [0, 1], [0, 1], should_stop=lambda: True) is None
    with pytest.raises(ValueError, match="two different"):
        grid(net, x, y, a, a, [0], [0])


def test_soft_targets_and_a_sigmoid_output():
    """Targets that are not one-hot take the weighted path; other losses the generic one."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 3))
    y = rng.dirichlet(np.ones(3), size=6)
    a, b = CASES[0]
    for net in (odd_network(), Network.dense([3, 4, 3, 3], "sigmoid", seed=5)):
        av, bv = np.linspace(-3, 3, 4), np.linspace(-1, 1, 3)
        land = grid(net, x, y, a, b, av, bv)
        want = np.array([[brute(net, x, y, [a, b], [va, vb]) for va in av] for vb in bv])
        np.testing.assert_allclose(land.errors, want, rtol=1e-12, atol=1e-14)


def test_contours_of_a_bowl_are_circles():
    from core.landscape import contour_levels, contour_segments
    u = np.linspace(-1, 1, 41)
    e = u[None, :] ** 2 + u[:, None] ** 2 + 0.01
    segs = contour_segments(e, 0.26)  # the circle of radius 0.5
    assert len(segs) > 20
    xy = segs.reshape(-1, 2) * (2 / 40) - 1  # grid index -> coordinate
    np.testing.assert_allclose(np.hypot(xy[:, 0], xy[:, 1]), 0.5, atol=2e-3)
    levels = contour_levels(e, 5)
    assert len(levels) == 5 and e.min() < levels[0] < levels[-1] < e.max()
