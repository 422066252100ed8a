"""nn.datasets: the idx reader refuses damaged files, the Fashion-MNIST locator explains itself, sklearn is optional."""
import gzip
import os
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from nn import datasets
from nn.datasets import DatasetError, fashion_mnist_dir, load_fashion_mnist, read_idx

IDX_TYPE_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode ``array`` in the idx format by the specification (independent of the reader under test)."""
    header = bytes([0, 0, IDX_TYPE_CODES[array.dtype.type], array.ndim])
    header += b"".join(struct.pack(">I", size) for size in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    payload = idx_bytes(array)
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


def write_fake_fashion(directory: Path, n_train: int = 6, n_test: int = 4, seed: int = 0) -> dict:
    """A miniature Fashion-MNIST directory with the four original file names."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, size=n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, size=n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for key, array in arrays.items():
        write_idx(directory / datasets.FASHION_MNIST_FILES[key], array)
    return arrays


# ----------------------------------------------------------------------------- read_idx
@pytest.mark.parametrize("dtype", list(IDX_TYPE_CODES))
@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_returns_the_array_that_was_written(tmp_path, dtype, compress):
    array = (np.arange(2 * 3 * 5) - 7).reshape(2, 3, 5).astype(dtype)
    result = read_idx(write_idx(tmp_path / "a.idx", array, compress))
    assert result.shape == (2, 3, 5)
    assert result.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(result, array)


def test_read_idx_reads_big_endian_numbers_in_native_order(tmp_path):
    array = np.array([1, 256, 70000, -2], dtype=np.int32)
    result = read_idx(write_idx(tmp_path / "ints.idx", array, compress=False))
    assert result.dtype.isnative
    assert result.tolist() == [1, 256, 70000, -2]


def test_a_truncated_idx_file_is_an_error_naming_the_file(tmp_path):
    payload = idx_bytes(np.zeros((3, 4, 4), dtype=np.uint8))
    path = tmp_path / "short-idx3-ubyte"
    path.write_bytes(payload[:-5])
    with pytest.raises(DatasetError, match=r"short-idx3-ubyte.*truncated.*48 bytes.*found 43"):
        read_idx(path)


def test_an_idx_file_longer_than_its_header_is_an_error(tmp_path):
    path = tmp_path / "long.idx"
    path.write_bytes(idx_bytes(np.zeros(4, dtype=np.uint8)) + b"\x00")
    with pytest.raises(DatasetError, match="longer than its header"):
        read_idx(path)


def test_a_truncated_gzip_file_is_an_error_naming_the_file(tmp_path):
    compressed = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    path = tmp_path / "cut-labels-idx1-ubyte.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(DatasetError, match=r"cut-labels-idx1-ubyte.gz.*damaged gzip"):
        read_idx(path)


@pytest.mark.parametrize("content, problem", [
    (b"", "bad magic number in an empty file"),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "bad magic number 01000801"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown idx element type 0x07"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "declares 3 dimensions"),
    (b"\x00\x00\x08\x00", "declares 0 dimensions"),
])
def test_a_file_that_is_not_idx_is_an_error_saying_what_is_wrong(tmp_path, content, problem):
    path = tmp_path / "odd.bin"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=problem) as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


def test_a_missing_idx_file_is_a_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="nothing.gz: cannot read"):
        read_idx(tmp_path / "nothing.gz")


# ----------------------------------------------------------------------------- locating Fashion-MNIST
def test_missing_fashion_mnist_error_lists_the_three_ways_to_provide_it(tmp_path, monkeypatch):
    monkeypatch.delenv(datasets.FASHION_MNIST_ENV, raising=False)
    with pytest.raises(DatasetError) as caught:
        fashion_mnist_dir(tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message
    assert "train-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert "--data DIR" in message
    assert "FASHION_MNIST_DIR" in message
    assert "dataset-fashion-mnist" in message and "/usr/share/datasets/fashion-mnist" in message


def test_without_data_or_the_variable_the_error_says_which_directory_was_searched(tmp_path, monkeypatch):
    monkeypatch.delenv(datasets.FASHION_MNIST_ENV, raising=False)
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "not-installed")
    with pytest.raises(DatasetError, match=r"neither --data nor \$FASHION_MNIST_DIR is set.*Debian's directory "
                                           r".*not-installed"):
        fashion_mnist_dir()


def test_the_data_argument_is_used_before_the_environment_variable(tmp_path, monkeypatch):
    arrays = write_fake_fashion(tmp_path / "given", n_train=3)
    write_fake_fashion(tmp_path / "env", n_train=5)
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path / "env"))
    train, test = load_fashion_mnist(tmp_path / "given")
    np.testing.assert_array_equal(train.X, arrays["train_images"])
    np.testing.assert_array_equal(test.y, arrays["test_labels"])


def test_the_environment_variable_is_used_before_the_system_directory(tmp_path, monkeypatch):
    arrays = write_fake_fashion(tmp_path / "env")
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path / "env"))
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "system-lacks-files")
    train, _ = load_fashion_mnist()
    np.testing.assert_array_equal(train.y, arrays["train_labels"])


def test_the_system_directory_is_used_when_nothing_is_given(tmp_path, monkeypatch):
    arrays = write_fake_fashion(tmp_path / "system")
    monkeypatch.delenv(datasets.FASHION_MNIST_ENV, raising=False)
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "system")
    _, test = load_fashion_mnist()
    np.testing.assert_array_equal(test.X, arrays["test_images"])


def test_a_wrong_environment_variable_is_reported_not_silently_replaced(tmp_path, monkeypatch):
    write_fake_fashion(tmp_path / "system")
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_DIR", tmp_path / "system")
    monkeypatch.setenv(datasets.FASHION_MNIST_ENV, str(tmp_path / "typo"))
    with pytest.raises(DatasetError, match=r"\$FASHION_MNIST_DIR points to .*typo"):
        load_fashion_mnist()


def test_unpacked_files_without_gz_are_found_too(tmp_path):
    arrays = write_fake_fashion(tmp_path)
    for gz_path in tmp_path.glob("*.gz"):
        gz_path.with_suffix("").write_bytes(gzip.decompress(gz_path.read_bytes()))
        gz_path.unlink()
    train, _ = load_fashion_mnist(tmp_path)
    np.testing.assert_array_equal(train.X, arrays["train_images"])


def test_labels_that_do_not_match_the_images_are_an_error(tmp_path):
    write_fake_fashion(tmp_path, n_train=6)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(5, dtype=np.uint8))
    with pytest.raises(DatasetError, match=r"train-labels-idx1-ubyte.gz: expected 6 labels"):
        load_fashion_mnist(tmp_path)


def test_a_label_outside_the_ten_classes_is_an_error(tmp_path):
    write_fake_fashion(tmp_path, n_test=4)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([0, 3, 10, 1], dtype=np.uint8))
    with pytest.raises(DatasetError, match="label 10 is not a Fashion-MNIST class"):
        load_fashion_mnist(tmp_path)


def test_images_of_the_wrong_shape_are_an_error(tmp_path):
    write_fake_fashion(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((6, 28, 27), dtype=np.uint8))
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz: expected uint8 images of shape \(n, 28, 28\)"):
        load_fashion_mnist(tmp_path)


def test_the_real_fashion_mnist_files_load_with_their_documented_sizes(monkeypatch):
    monkeypatch.delenv(datasets.FASHION_MNIST_ENV, raising=False)
    if not (datasets.FASHION_MNIST_SYSTEM_DIR / "t10k-labels-idx1-ubyte.gz").is_file():
        if os.environ.get("AUTOGRAD_CORE_CI"):
            pytest.fail("CI must install Debian's dataset-fashion-mnist (see .ci/run)")
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    train, test = load_fashion_mnist()
    assert train.X.shape == (60000, 28, 28) and test.X.shape == (10000, 28, 28)
    assert train.X.dtype == np.uint8 and train.X.max() == 255
    assert np.bincount(train.y).tolist() == [6000] * 10
    assert np.bincount(test.y).tolist() == [1000] * 10
    assert train.class_names[9] == "Ankle boot"


# ----------------------------------------------------------------------------- scikit-learn's bundled data
def test_iris_has_150_flowers_4_measurements_and_3_species():
    pytest.importorskip("sklearn")
    X, y, features, classes = datasets.load_iris()
    assert X.shape == (150, 4) and y.shape == (150,)
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert features[2] == "petal length (cm)" and classes[0] == "setosa"


def test_digits_are_1797_images_of_64_pixels_valued_0_to_16():
    pytest.importorskip("sklearn")
    X, y, _, classes = datasets.load_digits()
    assert X.shape == (1797, 64) and X.min() == 0 and X.max() == 16
    assert sorted(set(y.tolist())) == list(range(10)) and len(classes) == 10


@pytest.mark.parametrize("loader", [datasets.load_iris, datasets.load_digits])
def test_without_scikit_learn_the_error_says_how_to_install_it(monkeypatch, loader):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        loader()


def test_importing_nn_datasets_does_not_import_scikit_learn():
    import subprocess
    code = "import sys; import nn.datasets; print('sklearn' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
