"""The training generator: update modes, optimisers, stopping, determinism, divergence."""
import numpy as np
import pytest

from core.gradcheck import numeric_gradients
from core.network import Network
from core.optimizers import OptimizerSettings
from core.training import TrainConfig, evaluate, train

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


def run(net, x, y, **kw):
    opt = OptimizerSettings(**{k[4:]: kw.pop(k) for k in list(kw) if k.startswith("opt_")})
    return list(train(net, x, y, TrainConfig(optimizer=opt, **kw)))


def test_xor_converges_under_a_fixed_seed():
    net = Network.dense([2, 2, 1], "sigmoid", scale=1.0, seed=1)
    reports = run(net, XOR_X, XOR_Y, opt_learning_rate=0.5, max_epochs=5000, seed=0)
    assert reports[-1].accuracy == 1.0
    loss, acc = evaluate(net, XOR_X, XOR_Y)
    assert loss < 0.01 and acc == 1.0


def test_same_seed_same_result_bit_for_bit():
    def once():
        net = Network.dense([2, 3, 1], "tanh", scale=1.0, seed=5)
        reports = run(net, XOR_X, XOR_Y, opt_name="adam", opt_learning_rate=0.05, batch_size=2,
                      max_epochs=50, seed=9)
        return [r.loss for r in reports], net.get_parameters()
    (l1, (w1, b1)), (l2, (w2, b2)) = once(), once()
    assert l1 == l2
    assert all((w1[k] == w2[k]).all() for k in w1) and all((p == q).all() for p, q in zip(b1, b2))


@pytest.mark.parametrize("batch_size", [1, 2, 0])
def test_update_modes_match_finite_difference_descent(batch_size, rng):
    """One epoch without shuffling equals plain gradient steps on the numeric gradient."""
    net = Network.dense([3, 4, 2], ["tanh", "sigmoid"], scale=1.0, seed=2)
    net.disconnect(0, 0, 1, 1)
    net.connect_fully(0, 2, rng.normal(size=(3, 2)))
    x, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    manual = net.copy()
    bs = len(x) if batch_size == 0 else batch_size
    from core.engine import Engine
    for s in range(0, len(x), bs):
        grads = numeric_gradients(manual, x[s:s + bs], y[s:s + bs])
        eng = Engine(manual)
        for p, g in zip(eng.parameters(), grads):
            p -= 0.3 * g
        eng.write_back(manual)
    run(net, x, y, opt_learning_rate=0.3, batch_size=batch_size, shuffle=False, max_epochs=1)
    wa, ba = net.get_parameters()
    wm, bm = manual.get_parameters()
    for k in wa:
        np.testing.assert_allclose(wa[k], wm[k], atol=1e-8)
    for p, q in zip(ba[1:], bm[1:]):
        np.testing.assert_allclose(p, q, atol=1e-8)
    assert wa[(0, 1)][0, 1] == 0.0  # the missing link stays missing


@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
def test_every_optimizer_lowers_the_loss(opt):
    net = Network.dense([2, 4, 1], "tanh", scale=1.0, seed=3)
    reports = run(net, XOR_X, XOR_Y, opt_name=opt, opt_learning_rate=0.05 if opt == "adam" else 0.2,
                  batch_size=0, max_epochs=300)
    assert reports[-1].loss < 0.5 * reports[0].loss


def test_weight_decay_shrinks_weights():
    def norm(l2):
        net = Network.dense([2, 4, 1], "sigmoid", scale=1.0, seed=3)
        run(net, XOR_X, XOR_Y, opt_learning_rate=0.5, opt_l2=l2, max_epochs=200)
        return sum(float((w ** 2).sum()) for w in net.get_parameters()[0].values())
    assert norm(0.05) < norm(0.0)


def test_stop_criteria():
    net = Network.dense([2, 3, 1], "sigmoid", scale=1.0, seed=1)
    r = run(net.copy(), XOR_X, XOR_Y, opt_learning_rate=2.0, max_epochs=20000, target_loss=0.05)
    assert r[-1].loss <= 0.05 and r[-2].loss > 0.05 and "target" in r[-1].stop_reason
    r = run(net.copy(), XOR_X, XOR_Y, opt_learning_rate=2.0, max_epochs=20000, stop_when_all_correct=True)
    assert r[-1].accuracy == 1.0 and r[-2].accuracy < 1.0 and "classified" in r[-1].stop_reason
    r = run(net.copy(), XOR_X, XOR_Y, opt_learning_rate=0.1, max_epochs=20000, min_weight_change=1e-3)
    assert r[-1].max_weight_change < 1e-3 <= r[-2].max_weight_change
    r = run(net.copy(), XOR_X, XOR_Y, max_epochs=7)
    assert len(r) == 7 and r[-1].stop_reason == "reached 7 epochs"
    assert all(x.stop_reason is None for x in r[:-1])


def test_cooperative_stop_ends_within_one_epoch():
    net = Network.dense([2, 3, 1], "sigmoid", seed=1)
    calls = {"n": 0}

    def stop():
        calls["n"] += 1
        return calls["n"] >= 3
    r = list(train(net, XOR_X, XOR_Y, TrainConfig(max_epochs=1000), should_stop=stop))
    assert len(r) == 3 and r[-1].stop_reason == "stopped by request"


def test_divergence_stops_with_a_reason_and_keeps_finite_weights():
    net = Network.dense([2, 3, 1], "linear", scale=1.0, seed=1)
    x = XOR_X * 100
    reports = run(net, x, XOR_Y, opt_learning_rate=10.0, max_epochs=1000)
    last = reports[-1]
    assert last.diverged and last.stop_reason.startswith((f"diverged at epoch {last.epoch}: loss became",
                                                          f"diverged at epoch {last.epoch}: weights reached"))
    assert "try a smaller learning rate" in last.stop_reason
    w, b = net.get_parameters()
    assert all(np.isfinite(a).all() for a in w.values()) and all(np.isfinite(a).all() for a in b)
    assert np.isfinite(reports[-2].loss) if len(reports) > 1 else True


def test_reports_are_immutable_and_carry_weights_when_asked():
    net = Network.dense([2, 2, 1], "sigmoid", seed=1)
    r = run(net, XOR_X, XOR_Y, max_epochs=2, report_weights=True)
    assert r[0].weights is not None
    with pytest.raises(ValueError):
        r[0].weights[0][(0, 1)][0, 0] = 5.0
    with pytest.raises(ValueError):
        r[0].mean_abs_delta[2][0] = 1.0
    assert [d.shape for d in r[0].mean_abs_delta] == [(2,), (2,), (1,)]
    assert not (r[0].weights[0][(0, 1)] == r[1].weights[0][(0, 1)]).all()


def test_validation_loss_is_reported():
    net = Network.dense([2, 3, 1], "sigmoid", seed=1)
    r = list(train(net, XOR_X, XOR_Y, TrainConfig(max_epochs=3), validation=(XOR_X[:2], XOR_Y[:2])))
    assert all(x.val_loss is not None and x.val_accuracy is not None for x in r)


def test_bad_data_is_a_clear_error():
    net = Network.dense([2, 3, 1], "sigmoid", seed=1)
    with pytest.raises(ValueError, match="3 input columns; the network has 2 inputs"):
        next(train(net, np.zeros((4, 3)), XOR_Y, TrainConfig()))
    with pytest.raises(ValueError, match="not finite"):
        next(train(net, XOR_X * np.nan, XOR_Y, TrainConfig()))


@pytest.mark.parametrize("opt,acts,loss", [
    ("sgd", ["sigmoid", "sigmoid"], "half_sse"),
    ("momentum", ["tanh", "linear"], "mse"),
    ("sgd", ["relu", "sigmoid"], "binary_cross_entropy"),
    ("sgd", ["leaky_relu", "sigmoid"], "mse"),
])
def test_float_fast_path_matches_the_array_engine(opt, acts, loss, monkeypatch):
    """Tiny online runs use core/online.py; it must compute what the array engine computes."""
    import core.training as T
    net = Network.dense([2, 3, 1], acts, loss=loss, scale=1.0, seed=4)
    net.disconnect(0, 1, 1, 2)
    net.connect(0, 0, 2, 0, 0.3)  # a skip connection
    # a small rate: a diverging run would amplify round-off and compare nothing meaningful
    cfg = TrainConfig(OptimizerSettings(opt, 0.05), batch_size=1, max_epochs=30, seed=2)
    assert T.online_eligible(net, T.Engine(net), T.Optimizer(cfg.optimizer, np.zeros(1), np.zeros(1), np.zeros(0, np.intp)), 1, 4)
    fast_net = net.copy()
    fast = list(train(fast_net, XOR_X, XOR_Y, cfg))
    monkeypatch.setattr(T, "online_eligible", lambda *a: False)
    slow = list(train(net, XOR_X, XOR_Y, cfg))
    np.testing.assert_allclose([r.loss for r in fast], [r.loss for r in slow], rtol=1e-12)
    for a, b in zip(fast, slow):
        for da, db in zip(a.mean_abs_delta, b.mean_abs_delta):
            np.testing.assert_allclose(da, db, rtol=1e-10, atol=1e-15)
    wf, bf = fast_net.get_parameters()
    ws, bs = net.get_parameters()
    for k in wf:
        np.testing.assert_allclose(wf[k], ws[k], rtol=1e-10, atol=1e-14)
    assert wf[(0, 1)][1, 2] == 0.0
    assert fast[-1].loss < fast[0].loss
