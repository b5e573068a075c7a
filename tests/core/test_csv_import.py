"""CSV import: detection, column choice, encoding, normalisation, split, and every refusal."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core import csv_import
from core.csv_import import CsvError, read_csv, sniff_csv
from core.resources import resource_path


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def test_iris_sniff_and_read():
    info = sniff_csv(resource_path("datasets", "iris.csv"))
    assert info.has_header and info.delimiter == "," and info.n_rows == 150
    assert info.columns[-1] == "species" and info.types == ["number"] * 4 + ["text"]
    assert info.suggested_inputs == [0, 1, 2, 3] and info.suggested_targets == [4]
    assert info.suggested_task == "classification" and info.distinct[4] == 3
    ds = read_csv(resource_path("datasets", "iris.csv"))
    assert ds.task == "classification" and ds.class_names == ["setosa", "versicolor", "virginica"]
    assert ds.x.shape == (150, 4) and ds.y.shape == (150, 3) and (ds.y.sum(axis=1) == 1).all()
    assert ds.input_names[0] == "sepal_length_cm" and ds.x[0, 0] == 5.1
    assert ds.source["input_columns"] == [0, 1, 2, 3] and ds.source["target_columns"] == [4]


def test_digits_integer_labels_are_classes_in_numeric_order():
    ds = read_csv(resource_path("datasets", "digits.csv"))
    assert ds.class_names == [str(k) for k in range(10)] and ds.y.shape == (1797, 10)
    assert ds.x.max() == 16.0


def test_no_header_semicolons_and_regression(tmp_path):
    p = write(tmp_path, "1;2;0.5\n3;4;1.5\n5;6;2.25\n")
    info = sniff_csv(p)
    assert not info.has_header and info.delimiter == ";" and info.columns == ["column 1", "column 2", "column 3"]
    ds = read_csv(p)
    assert ds.task == "regression" and ds.y[:, 0].tolist() == [0.5, 1.5, 2.25]
    assert ds.class_names is None and ds.target_names == ["column 3"]


def test_choose_columns_by_name_and_index(tmp_path):
    p = write(tmp_path, "id,a,b,y1,y2\n1,0.1,0.2,1,2\n2,0.3,0.4,3,4\n")
    ds = read_csv(p, input_columns=["a", 2], target_columns=["y1", "y2"])
    assert ds.input_names == ["a", "b"] and ds.target_names == ["y1", "y2"]
    assert ds.x.tolist() == [[0.1, 0.2], [0.3, 0.4]] and ds.y.tolist() == [[1, 2], [3, 4]]
    ds = read_csv(p, input_columns=["a"], target_columns=["y1"], task="classification")
    assert ds.class_names == ["1", "3"] and ds.y.tolist() == [[1, 0], [0, 1]]


def test_normalization_is_fitted_on_training_rows_only(tmp_path):
    rows = "\n".join(f"{k},{k % 2}" for k in range(20))
    p = write(tmp_path, "x,label\n" + rows + "\n")
    ds = read_csv(p, normalization="minmax", validation_fraction=0.25, seed=3)
    train, val = ds.split_indices()
    assert len(val) == 5 and len(train) == 15
    assert ds.normalization.offset[0] == ds.x[train].min()
    assert ds.normalization.scale[0] == ds.x[train].max() - ds.x[train].min()
    z = read_csv(p, normalization="zscore")
    assert z.inputs().mean() == pytest.approx(0.0) and z.inputs().std() == pytest.approx(1.0)
    again = read_csv(p, normalization="minmax", validation_fraction=0.25, seed=3)
    assert np.array_equal(again.split_indices()[1], val)


def test_class_names_fix_the_order(tmp_path):
    p = write(tmp_path, "x,c\n1,b\n2,a\n")
    ds = read_csv(p, class_names=["b", "a"], task="classification")
    assert ds.y.tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize("text, message", [
    ("", r"^the file is empty$"),
    ("\n  \n", r"^the file is empty$"),
    ("a,b,c\n1,2,3\n4,5\n", r"^row 3: 2 columns, but row 1 has 3$"),
    ("a,b,c\n1,2,3\n4,five,6\n", r"^row 3, column 2 \(b\): expected a number, got 'five'$"),
    ("a,b,c\n1,2,3\n4,,6\n", r"^row 3, column 2 \(b\): expected a number, got an empty cell$"),
    ("a,b,c\n1,nan,3\n", r"^row 2, column 2 \(b\): expected a number, got 'nan'$"),
    ("a,b,c\n", r"^the file has a header but no data rows$"),
    ('a,b,c\n1,"2,3\n', r"^row 2: not valid CSV \(unexpected end of data\)$"),
    ("a,b,c\n1,2,x\n3,4,x\n", r"^column 3 \(c\): only one class \('x'\)"),
])
def test_malformed_csv(tmp_path, text, message):
    with pytest.raises(CsvError, match=message):
        read_csv(write(tmp_path, text))


def test_non_utf8_bytes_name_row_and_column(tmp_path):
    p = write(tmp_path, "name,x,y\nok,1,2\nM\xfcller,3,4\n".encode("latin-1"))
    with pytest.raises(CsvError, match=r"^row 3, column 1: not UTF-8 text \(byte 0xfc\)") as info:
        sniff_csv(p)
    assert (info.value.row, info.value.column) == (3, 1)


def test_a_million_columns_is_refused_before_parsing(tmp_path):
    p = write(tmp_path, ",".join(["1"] * 1_000_000) + "\n")
    with pytest.raises(CsvError, match=r"^row 1: 1000000 columns; at most 10000 can be imported$"):
        read_csv(p)


def test_file_size_limit(tmp_path, monkeypatch):
    p = write(tmp_path, "a,b\n1,2\n" * 100)
    monkeypatch.setattr(csv_import, "MAX_BYTES", 100)
    with pytest.raises(CsvError, match=r"^the file is 0 MB; at most 0 MB can be imported$"):
        read_csv(p)


@pytest.mark.parametrize("kwargs, message", [
    ({"input_columns": ["nope"]}, r"^no column named 'nope' for the inputs \(columns: a, b, c\)$"),
    ({"target_columns": [7]}, r"^there is no column 7 for the targets; the file has 3 columns$"),
    ({"input_columns": ["a", "c"], "target_columns": ["c"]}, r"^column 'c' is chosen as both input and target$"),
    ({"target_columns": ["b", "c"], "task": "classification"},
     r"^classification needs one target column \(the class label\), got 2$"),
    ({"class_names": ["3", "9"], "task": "classification"}, r"^row 3, column 3 \(c\): class '6' is not one of 3, 9$"),
])
def test_bad_column_choices(tmp_path, kwargs, message):
    p = write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    with pytest.raises(CsvError, match=message):
        read_csv(p, **kwargs)


def test_errors_are_value_errors_and_nothing_is_returned(tmp_path):
    p = write(tmp_path, "a,b,c\n1,2,3\n3,x,4\n")
    with pytest.raises(ValueError):
        read_csv(p)


def test_sniff_names_the_cells_that_make_a_number_column_text(tmp_path):
    from core.csv_import import sniff_csv
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,y\n1,2,a\n3,x,b\n5,6,a\n7,1e309,b\n")
    info = sniff_csv(p)
    assert info.types[1] == "text" and 1 not in info.suggested_inputs
    assert info.problems == ("row 3, column 2 (x2): 'x' is not a number, so the column reads as text",)
    p.write_text("x1,x2,y\n1,2,a\n3,4,b\n5,6,a\n7,1e309,b\n")
    assert sniff_csv(p).problems == ("row 5, column 2 (x2): the number 1e309 is too large (beyond ±1.8e308)",)


def test_progress_rises_to_the_end_and_false_cancels(tmp_path):
    """sniff_csv and read_csv report progress through reading, parsing and the columns, in
    order; answering False at any point stops them with InterruptedError."""
    from core.csv_import import read_csv, sniff_csv
    path = tmp_path / "many.csv"
    rows = "\n".join(f"{k * 0.5},{k % 7},{'a' if k % 2 else 'b'}" for k in range(30_000))
    path.write_text("u,v,label\n" + rows + "\n")
    for run in (lambda p: sniff_csv(path, progress=p), lambda p: read_csv(path, progress=p)):
        seen = []
        run(lambda f: seen.append(f))
        assert len(seen) > 5 and seen == sorted(seen) and 0.0 <= seen[0] and seen[-1] <= 1.0
        assert seen[-1] > 0.6  # reached the columns
        for stop_at in (0, len(seen) // 2, len(seen) - 1):
            calls = []

            def answer(f, stop_at=stop_at, calls=calls):
                calls.append(f)
                return len(calls) <= stop_at
            with pytest.raises(InterruptedError):
                run(answer)
            assert len(calls) == stop_at + 1
