"""Checkpoints: .npz round trips for tensor and scalar models, atomic writes, no pickle, and errors that
name the file and the first bad key for missing, truncated, foreign and mismatched files."""
import os
import zipfile

import numpy as np
import pytest

import nn
from autograd_core import Tensor
from nn.checkpoint import CheckpointError
from nn.module import StateDictError


def tensor_model(hidden=8):
    return nn.Sequential(nn.Linear(4, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, 2))


def test_a_tensor_model_round_trips_with_identical_outputs(tmp_path):
    model = tensor_model()
    model(Tensor(np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)))
    path = tmp_path / "model.npz"
    nn.save(model, path)
    restored = tensor_model()
    restored.load_state_dict(nn.load_state(path))
    x = Tensor(np.ones((3, 4), dtype=np.float32))
    np.testing.assert_array_equal(restored.eval()(x).data, model.eval()(x).data)
    for key, array in model.state_dict().items():
        assert restored.state_dict()[key].dtype == array.dtype


def test_a_scalar_mlp_round_trips(tmp_path):
    model = nn.MLP(2, [5, 1], seed=0)
    nn.save(model, tmp_path / "mlp.npz")
    restored = nn.MLP(2, [5, 1], seed=1)
    restored.load_state_dict(nn.load_state(tmp_path / "mlp.npz"))
    assert [p.data for p in restored.parameters()] == [p.data for p in model.parameters()]


def test_load_state_returns_the_arrays_in_saved_order(tmp_path):
    model = tensor_model()
    nn.save(model, tmp_path / "m.npz")
    state = nn.load_state(tmp_path / "m.npz")
    assert list(state) == list(model.state_dict())
    assert state.source == str(tmp_path / "m.npz")


def test_the_file_is_a_plain_npz_readable_without_pickle(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(tensor_model(), path)
    with np.load(path, allow_pickle=False) as archive:
        assert "0.weight" in archive.files and archive["0.weight"].shape == (8, 4)
    assert zipfile.is_zipfile(path)


def test_a_plain_dict_of_arrays_can_be_saved(tmp_path):
    nn.save({"a": np.arange(3.0)}, tmp_path / "d.npz")
    np.testing.assert_array_equal(nn.load_state(tmp_path / "d.npz")["a"], np.arange(3.0))


def test_object_arrays_are_refused_at_save_time(tmp_path):
    with pytest.raises(TypeError, match="'bad'"):
        nn.save({"bad": np.array([{}], dtype=object)}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


# ----------------------------------------------------------------------------- atomic writes
def test_saving_leaves_no_temporary_files_and_overwrites_the_old_checkpoint(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(tensor_model(8), path)
    nn.save(tensor_model(3), path)
    assert os.listdir(tmp_path) == ["m.npz"]
    assert nn.load_state(path)["0.weight"].shape == (3, 4)


def test_a_crash_while_writing_keeps_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.save(tensor_model(8), path)
    before = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        nn.save(tensor_model(3), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]


# ----------------------------------------------------------------------------- damaged and mismatched files
def test_a_missing_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        nn.load_state(path)


@pytest.mark.parametrize("keep", [0.0, 0.3, 0.6, 0.95])
def test_a_truncated_file_is_an_error_naming_it(tmp_path, keep):
    path = tmp_path / "m.npz"
    nn.save(tensor_model(), path)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(CheckpointError, match="m.npz"):
        nn.load_state(path)


def test_a_damaged_entry_is_an_error_naming_the_file_and_key(tmp_path):
    path = tmp_path / "m.npz"
    nn.save({"first": np.zeros(3), "second": np.arange(1000.0)}, path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("second.npy")
    start = info.header_offset + 30 + len(info.filename) + 20  # inside the array's .npy header
    data[start:start + 40] = b"\x00" * 40
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="'second'.*m.npz"):
        nn.load_state(path)


def test_a_file_that_is_not_a_checkpoint_is_an_error(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(CheckpointError, match="notes.npz': not a complete .npz archive") as error:
        nn.load_state(text)
    assert "allow_pickle" not in str(error.value), "never suggest loading an unknown file with pickle"
    single = tmp_path / "array.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(CheckpointError, match="single array"):
        nn.load_state(single)


def test_a_pickled_entry_is_refused(tmp_path):
    path = tmp_path / "p.npz"
    np.savez(path, evil=np.array([{"x": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="'evil'.*pickled Python objects, which checkpoints never load"):
        nn.load_state(path)


def test_saving_into_a_missing_directory_or_onto_a_directory_names_the_path_and_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"directory '.*nowhere' does not exist; create it first"):
        nn.save(tensor_model(), tmp_path / "nowhere" / "m.npz")
    with pytest.raises(IsADirectoryError, match="is a directory; give a file name such as"):
        nn.save(tensor_model(), tmp_path)
    assert os.listdir(tmp_path) == [], "no temporary file is left behind"


def test_saving_something_that_is_not_a_model_or_state_dict_says_what_to_pass(tmp_path):
    with pytest.raises(TypeError, match=r"expected a model or a state dict, got int. Fix: nn.save\(model, path\)"):
        nn.save(42, tmp_path / "m.npz")


def test_loading_a_checkpoint_with_wrong_keys_names_the_file_and_first_bad_key(tmp_path):
    path = tmp_path / "mlp.npz"
    nn.save(nn.MLP(2, [4, 1]), path)
    with pytest.raises(StateDictError, match=r"mlp.npz.*'0.weight' is missing"):
        tensor_model().load_state_dict(nn.load_state(path))


def test_loading_a_checkpoint_with_wrong_shapes_names_the_file_and_first_bad_key(tmp_path):
    path = tmp_path / "wide.npz"
    nn.save(tensor_model(hidden=16), path)
    with pytest.raises(StateDictError, match=r"'0.weight' has shape \(16, 4\) in file '.*wide.npz'"):
        tensor_model(hidden=8).load_state_dict(nn.load_state(path))


def test_checkpoint_errors_are_state_dict_errors_and_value_errors():
    assert issubclass(CheckpointError, StateDictError) and issubclass(StateDictError, ValueError)
