"""The `export` verb's loss-history CSV, through the real command line, read back."""
import csv

from core.fileio import load_project
from tests.core.test_cli import cli, example


def test_export_csv_writes_every_epoch_of_a_trained_network(tmp_path):
    trained = tmp_path / "xor-trained.bpnet"
    r = cli("train", example("xor"), "--epochs", "7", "-o", trained)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "loss.csv"
    r = cli("export", trained, "--to", "csv", "-o", out)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    history = load_project(trained).history
    assert [int(r["epoch"]) for r in rows] == [h.epoch for h in history]
    assert [float(r["loss"]) for r in rows] == [h.loss for h in history]


def test_export_csv_of_an_untrained_network_says_why(tmp_path):
    r = cli("export", example("xor"), "--to", "csv", "-o", tmp_path / "x.csv")
    assert r.returncode == 1 and "no training history" in r.stderr
    r = cli("export", example("xor"), "--to", "nonsense")
    assert r.returncode == 2 and "invalid choice" in r.stderr
