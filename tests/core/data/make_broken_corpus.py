"""Writes tests/core/data/broken/ (run from the repo root): each file is the xor example with one
defect. test_fileio_errors.py holds the message each must give."""
import copy
import json
import pathlib
import sys

sys.path.insert(0, ".")
from core.fileio import load_project  # noqa: E402


def main() -> None:
    base_text = pathlib.Path("resources/examples/xor.bpnet").read_text()
    base = json.loads(base_text)
    out = pathlib.Path("tests/core/data/broken")

    def w(name, d=None, text=None, data=None):
        p = out / name
        if data is not None: p.write_bytes(data)
        elif text is not None: p.write_text(text, encoding="utf-8")
        else: p.write_text(json.dumps(d, indent=2, ensure_ascii=False), encoding="utf-8")

    def mod(f):
        d = copy.deepcopy(base)
        f(d)
        return d

    w("truncated.bpnet", text=base_text[: len(base_text) // 2])
    w("empty.bpnet", text="")
    w("not-json.bpnet", text="SNNS network definition file V1.4-3D\nno. of units : 4\n")
    w("other-json.bpnet", {"name": "my-package", "version": "1.0.0", "dependencies": {}})
    w("json-list.bpnet", text="[1, 2, 3]\n")
    w("wrong-format.bpnet", mod(lambda d: d.update(format="keras-model")))
    w("newer-version.bpnet", mod(lambda d: d.update(version=7)))
    w("version-string.bpnet", mod(lambda d: d.update(version="2")))
    w("weight-string.bpnet", mod(lambda d: d["connections"][3].update(weight="abc")))
    w("weight-nan.bpnet", text=base_text.replace('"weight": ' + json.dumps(base["connections"][2]["weight"]), '"weight": NaN', 1))
    w("bias-infinity.bpnet", text=base_text.replace('"bias": ' + json.dumps(base["layers"][1]["neurons"][0]["bias"]), '"bias": -Infinity', 1))
    w("unknown-neuron.bpnet", mod(lambda d: d["connections"][4].update({"from": "h3"})))
    w("duplicate-name.bpnet", mod(lambda d: d["layers"][1]["neurons"][1].update(name="h1")))
    w("backward-connection.bpnet", mod(lambda d: d["connections"].append({"from": "o1", "to": "h1", "weight": 0.5})))
    w("same-layer-connection.bpnet", mod(lambda d: d["connections"].append({"from": "h1", "to": "h2", "weight": 0.5})))
    w("duplicate-connection.bpnet", mod(lambda d: d["connections"].append(dict(d["connections"][0]))))
    w("unknown-activation.bpnet", mod(lambda d: d["layers"][1].update(activation="swish")))
    w("unknown-loss.bpnet", mod(lambda d: d.update(loss="hinge")))
    w("softmax-hidden.bpnet", mod(lambda d: d["layers"][1].update(activation="softmax")))
    w("missing-layers.bpnet", mod(lambda d: d.pop("layers")))
    w("one-layer.bpnet", mod(lambda d: d.update(layers=d["layers"][:1])))
    w("typo-key.bpnet", mod(lambda d: d["layers"][1]["neurons"][0].update(bais=0.1)))
    w("data-width.bpnet", mod(lambda d: d["dataset"]["inputs"][2].append(1)))
    w("data-rows-mismatch.bpnet", mod(lambda d: d["dataset"]["targets"].pop()))
    w("target-width.bpnet", mod(lambda d: d["dataset"].update(targets=[[0, 1]] * 4)))
    w("learning-rate-negative.bpnet", mod(lambda d: d["training"]["optimizer"].update(learning_rate=-0.5)))
    w("unknown-optimizer.bpnet", mod(lambda d: d["training"]["optimizer"].update(name="lbfgs")))
    w("history-length.bpnet", mod(lambda d: d.update(history={"epoch": [1, 2, 3], "loss": [0.5, 0.4]})))
    w("block-shape.bpnet", mod(lambda d: d.update(blocks=[{"from_layer": 0, "to_layer": 2, "weights": [[0.1], [0.2], [0.3]]}])))
    w("block-backward.bpnet", mod(lambda d: d.update(blocks=[{"from_layer": 2, "to_layer": 1, "weights": [[0.1, 0.2]]}])))
    w("latin1.bpnet", data=base_text.replace('"title": "XOR with a 2-2-1 network"', '"title": "XOR \xfcber alles"').encode("latin-1", errors="replace"))
    # bit flip: '{' of the first layer object becomes '{'^0x04 = '\x7f'
    i = base_text.index('{\n      "activation"')
    b = bytearray(base_text.encode()); b[i] ^= 0x04
    w("bit-flipped.bpnet", data=bytes(b))
    for p in sorted(out.glob("*.bpnet")):
        try:
            load_project(p)
            print("LOADED?!", p.name)
        except Exception as e:  # report whatever happens: this is a tool for looking
            print(f"{p.name:32s} {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
