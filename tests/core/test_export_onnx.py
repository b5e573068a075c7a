"""`export --to onnx`: onnxruntime runs the written model and gives the engine's outputs (1e-9 in
float64, 1e-5 in float32) on random networks with skip connections, missing links and every
activation, normalisation inside the graph."""
import subprocess
import sys

import numpy as np
import pytest

from core.engine import Engine
from core.export import EXPORTERS, ExportError, export, missing_packages
from core.fileio import load_project
from core.network import Network
from core.project import Project
from tests.core.test_cli import cli, example
from tests.core.test_export_torch import CASES, random_project

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def run(path, x, dtype):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["y"], {"x": np.asarray(x, dtype=dtype)})[0]


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("precision,dtype,tol", [("float64", np.float64, 1e-12), ("float32", np.float32, 1e-5)])
def test_onnxruntime_gives_the_engines_outputs(case, seed, precision, dtype, tol, tmp_path):
    """float64 is held to 1e-12 (the issue asks 1e-9): that caught ONNX's float32 LeakyRelu slope."""
    loss, out_act, targets = CASES[case]
    project = random_project(300 + 10 * seed + case, loss, out_act, targets)
    path = export(project, "onnx", tmp_path / "net.onnx", precision=precision)
    expected = Engine(project.network).predict(project.dataset.inputs())
    got = run(path, project.dataset.x, dtype)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=0, atol=tol)


def test_a_layer_without_incoming_links_outputs_its_bias(tmp_path):
    net = Network.dense([2, 2, 1], "tanh", seed=1)
    net.disconnect_layers(0, 1)
    net.connect(0, 0, 2, 0, 0.7)
    path = export(Project(net), "onnx", tmp_path / "n.onnx", precision="float64")
    x = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(run(path, x, np.float64), Engine(net).predict(x), rtol=0, atol=1e-12)


def test_cli_exports_an_example_that_onnxruntime_runs(tmp_path):
    out = tmp_path / "iris.onnx"
    r = cli("export", example("iris"), "--to", "onnx", "--precision", "float64", "-o", out)
    assert r.returncode == 0, r.stderr
    project = load_project(example("iris"))
    np.testing.assert_allclose(run(out, project.dataset.x, np.float64),
                               Engine(project.network).predict(project.dataset.inputs()), rtol=0, atol=1e-9)
    r = cli("export", example("iris"), "--to", "csv", "--precision", "float64")
    assert r.returncode == 1 and "--precision applies to --to onnx only" in r.stderr


def test_a_missing_optional_package_is_named_with_how_to_install_it(tmp_path):
    """In a fresh interpreter where `import onnx` fails, the registry says what to install."""
    code = ("import sys; sys.modules['onnx'] = None\n"
            "import importlib.util as u; real = u.find_spec\n"
            "u.find_spec = lambda name, *a: None if name == 'onnx' else real(name, *a)\n"
            "from core.cli import main; sys.exit(main(sys.argv[1:]))")
    r = subprocess.run([sys.executable, "-c", code, "export", str(example("xor")), "--to", "onnx",
                        "-o", str(tmp_path / "x.onnx")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "needs the optional package onnx: pip install onnx" in r.stderr
    assert not (tmp_path / "x.onnx").exists()


def test_registry_lists_the_interop_formats(tmp_path):
    assert {"torch", "onnx", "snns"} <= set(EXPORTERS)
    assert EXPORTERS["onnx"].needs == ("onnx",) and missing_packages(EXPORTERS["onnx"]) == []
    with pytest.raises(ExportError, match="precision 'float16'"):
        export(random_project(1, "mse", None, "real"), "onnx", tmp_path / "n.onnx", precision="float16")
