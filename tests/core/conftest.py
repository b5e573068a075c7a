import numpy as np
import pytest

from core.network import Network


def textbook_2_2_2() -> Network:
    """The seed's 2-2-2 network (Mazur's worked example)."""
    net = Network.dense([2, 2, 2], "sigmoid", seed=0)
    net.layers[1].biases[:] = 0.35
    net.layers[2].biases[:] = 0.60
    net.blocks[(0, 1)].weight[:] = [[0.15, 0.25], [0.20, 0.30]]  # rows: i1, i2; cols: h1, h2
    net.blocks[(1, 2)].weight[:] = [[0.40, 0.50], [0.45, 0.55]]
    return net


def textbook_3_2_1() -> Network:
    """The seed's 3-2-1 network (Han & Kamber's worked example), units numbered 1..6."""
    net = Network.dense([3, 2, 1], "sigmoid", seed=0)
    for li, names in enumerate([["x1", "x2", "x3"], ["h4", "h5"], ["o6"]]):
        net.layers[li].names = names
    net.blocks[(0, 1)].weight[:] = [[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]
    net.blocks[(1, 2)].weight[:] = [[-0.3], [-0.2]]
    net.layers[1].biases[:] = [-0.4, 0.2]
    net.layers[2].biases[:] = [0.1]
    return net


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
