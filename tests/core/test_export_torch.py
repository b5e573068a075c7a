"""`export --to torch`: the written file, imported, computes what the engine computes (outputs,
autograd gradients against the engine's backward pass, one epoch of training) on random networks
with skip connections, missing links, every activation and every loss."""
import importlib.util
import sys
from dataclasses import replace

import numpy as np
import pytest

from core.datasets import Dataset, Normalization
from core.engine import Engine
from core.export import export
from core.fileio import load_project
from core.network import Network
from core.optimizers import OptimizerSettings
from core.project import Project
from core.training import TrainConfig, train
from tests.core.test_cli import cli, example

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # torch's worker threads slow numpy down in a shared process

HIDDEN_ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
# (loss, output activation: a name, or None for a per-neuron mix, targets)
CASES = [("half_sse", None, "real"), ("mse", None, "real"), ("mse", "softmax", "real"),
         ("cross_entropy", "softmax", "one_hot"), ("cross_entropy", "sigmoid", "one_hot"),
         ("binary_cross_entropy", "sigmoid", "unit"), ("binary_cross_entropy", None, "unit")]


def random_project(seed: int, loss: str, out_act: str | None, targets: str, normalise: bool = True) -> Project:
    """Four layers, a skip connection 0→2 and 1→3, about a quarter of the links missing, every
    hidden neuron a random activation; data with its own normalisation."""
    rng = np.random.default_rng(seed)
    sizes = [3, 4, 3, 3]
    net = Network.dense(sizes, "sigmoid", loss=loss, seed=seed, scale=1.0)
    for a, b in ((0, 2), (1, 3)):
        net.connect_fully(a, b)
    for blk in net.blocks.values():
        blk.weight = rng.normal(0, 0.8, blk.weight.shape)
        blk.mask = rng.random(blk.mask.shape) > 0.25
        blk.weight[~blk.mask] = 0.0
    for li in range(1, len(sizes)):
        net.layers[li].biases = rng.normal(0, 0.5, sizes[li])
    for li in (1, 2):
        for k in range(sizes[li]):
            net.set_activation(li, str(rng.choice(HIDDEN_ACTS)), k)
    if out_act is None:
        for k in range(sizes[-1]):
            net.set_activation(3, "sigmoid" if targets == "unit" else str(rng.choice(HIDDEN_ACTS)), k)
        if targets == "unit":
            # a mix, so no fused δ: softmax over o2, o3 beside a sigmoid o1 (binary cross-entropy
            # needs probabilities, so a tanh neuron is refused)
            net.set_activation(3, "softmax")
            net.set_activation(3, "sigmoid", 0)
            net.layers[3].biases[0] = 5.0
    else:
        net.set_activation(3, out_act)
    n = 11
    x = rng.normal(2.0, 3.0, (n, sizes[0]))
    if targets == "one_hot":
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    elif targets == "unit":
        y = rng.random((n, sizes[-1]))
    else:
        y = rng.normal(0, 1, (n, sizes[-1]))
    ds = Dataset(x, y, normalization=Normalization.fit("zscore", x) if normalise else None)
    return Project(net, dataset=ds, title=f"random {seed}")


def load_module(path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def exported(project, tmp_path, name="net"):
    path = export(project, "torch", tmp_path / f"{name}.py")
    return load_module(path)


def engine_gradients(project):
    eng = Engine(project.network)
    x, y = project.dataset.inputs(), project.dataset.y
    p = eng.backward(eng.forward(x), y)
    return dict(zip(eng.keys, eng.gradients(p))), eng.gradients(p)[len(eng.keys):]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_outputs_and_gradients_match_the_engine(case, tmp_path):
    loss, out_act, targets = CASES[case]
    project = random_project(100 + case, loss, out_act, targets)
    m = exported(project, tmp_path)
    model = m.build_model()
    x, y = m.load_data()
    assert x.dtype == torch.float64 and y.dtype == torch.float64
    np.testing.assert_array_equal(x.numpy(), project.dataset.x)
    expected = Engine(project.network).predict(project.dataset.inputs())
    out = model(x)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=0, atol=1e-9)
    # autograd of the file's batch-mean error against the engine's backward pass
    m.error(model, x, y).mean().backward()
    w_grads, b_grads = engine_gradients(project)
    for (a, b), g in w_grads.items():
        np.testing.assert_allclose(model.weights[f"{a}_{b}"].grad.numpy(), g, rtol=0, atol=1e-9)
    for got, g in zip(model.biases, b_grads):
        np.testing.assert_allclose(got.grad.numpy(), g, rtol=0, atol=1e-9)
    # the engine's loss value too
    eng = Engine(project.network)
    e_engine = eng.loss_per_sample(expected, project.dataset.y)
    np.testing.assert_allclose(m.error(model, x, y).detach().numpy(), e_engine, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("opt,batch", [
    (OptimizerSettings("sgd", 0.05), 1), (OptimizerSettings("momentum", 0.03, momentum=0.8), 1),
    (OptimizerSettings("momentum", 0.05, momentum=0.8, l2=0.01), 4),
    (OptimizerSettings("adam", 0.01, l1=0.001, l2=0.002), 0), (OptimizerSettings("sgd", 0.1), 3)])
def test_one_epoch_of_train_gives_the_apps_weights(opt, batch, tmp_path):
    project = random_project(7, "half_sse", None, "real")
    project.dataset.validation_fraction = 0.2  # the file trains on the app's training rows only
    project.training = TrainConfig(optimizer=opt, batch_size=batch, shuffle=False, max_epochs=3)
    m = exported(project, tmp_path)
    model = m.build_model()
    x, y = m.load_data()
    losses = m.train(model, x, y, epochs=3, shuffle=False)
    xt, yt, val = project.dataset.arrays()
    reports = list(train(project.network, xt, yt, project.training))
    assert len(reports) == 3 and not reports[-1].diverged
    np.testing.assert_allclose(losses, [r.loss for r in reports], rtol=1e-9, atol=1e-12)
    net = project.network
    for (a, b), blk in net.blocks.items():
        np.testing.assert_allclose(model.weight(a, b).detach().numpy(), blk.weight, rtol=0, atol=1e-9)
    for layer, got in zip(net.layers[1:], model.biases):
        np.testing.assert_allclose(got.detach().numpy(), layer.biases, rtol=0, atol=1e-9)
    assert all((model.weight(a, b).detach().numpy()[~blk.mask] == 0).all() for (a, b), blk in net.blocks.items())


def test_cli_export_of_an_example_reproduces_predict(tmp_path):
    out = tmp_path / "iris_net.py"
    r = cli("export", example("iris"), "--to", "torch", "-o", out)
    assert r.returncode == 0, r.stderr
    m = load_module(out)
    project = load_project(example("iris"))
    x, y = m.load_data()
    np.testing.assert_allclose(m.build_model()(x).detach().numpy(),
                               Engine(project.network).predict(project.dataset.inputs()), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(y.numpy(), project.dataset.y)


def test_csv_sourced_data_is_read_from_the_csv(tmp_path):
    from core.csv_import import read_csv
    csv_path = tmp_path / "points.csv"
    csv_path.write_text("a,b,label\n1,2,cat\n3,1,dog\n0,5,cat\n2,2,bird\n", encoding="utf-8")
    ds = read_csv(csv_path, task="classification", normalization="minmax")
    net = Network.dense([2, 3, 3], ["tanh", "softmax"], loss="cross_entropy", seed=3)
    project = Project(net, dataset=ds)
    m = exported(project, tmp_path, "from_csv")
    x, y = m.load_data()
    np.testing.assert_array_equal(x.numpy(), ds.x)
    np.testing.assert_array_equal(y.numpy(), ds.y)
    np.testing.assert_allclose(m.build_model()(x).detach().numpy(), Engine(net).predict(ds.inputs()),
                               rtol=0, atol=1e-9)


def test_the_written_file_runs_as_a_script(tmp_path):
    import subprocess
    project = load_project(example("xor"))
    project.training = replace(project.training, max_epochs=5)
    path = export(project, "torch", tmp_path / "xor_net.py")
    r = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "epoch 5: loss" in r.stdout


def test_a_network_without_data_still_builds(tmp_path):
    net = Network.dense([2, 2, 1], "tanh", seed=2)
    m = exported(Project(net), tmp_path, "bare")
    x = np.array([[0.3, -0.7]])
    np.testing.assert_allclose(m.build_model()(torch.tensor(x)).detach().numpy(), Engine(net).predict(x),
                               rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="exported without data"):
        m.load_data()


def test_fixed_biases_stay_fixed_in_the_exported_training(tmp_path):
    """A network whose biases are fixed (the textbook examples) trains its weights only, in the
    app and in the exported file alike."""
    project = random_project(11, "half_sse", None, "real")
    project.network.fixed_biases = True
    project.dataset.validation_fraction = 0.0
    project.training = TrainConfig(optimizer=OptimizerSettings("momentum", 0.05, momentum=0.5), batch_size=2,
                                   shuffle=False, max_epochs=2)
    before = [layer.biases.copy() for layer in project.network.layers[1:]]
    m = exported(project, tmp_path)
    model = m.build_model()
    x, y = m.load_data()
    losses = m.train(model, x, y, epochs=2, shuffle=False)
    xt, yt, _ = project.dataset.arrays()
    reports = list(train(project.network, xt, yt, project.training))
    np.testing.assert_allclose(losses, [r.loss for r in reports], rtol=1e-9, atol=1e-12)
    for got, b, layer in zip(model.biases, before, project.network.layers[1:]):
        np.testing.assert_array_equal(got.detach().numpy(), b)
        np.testing.assert_array_equal(layer.biases, b)
    for (a, b), blk in project.network.blocks.items():
        np.testing.assert_allclose(model.weight(a, b).detach().numpy(), blk.weight, rtol=0, atol=1e-9)
