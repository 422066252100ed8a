"""Real datasets for the tutorials: Fashion-MNIST from its original files, Iris and digits from scikit-learn.

The toy makers (``xor``, ``circles``, ``moons`` ...) live in ``nn.data``; this module reads data that
exists outside the library, so every way it can be missing or damaged ends in an error that says
which file and what to do, never in silently wrong numbers:

- ``read_idx`` reads the idx format of (Fashion-)MNIST, gzipped or not, checking the magic number,
  the dimensions and that the payload has exactly the size the header promises.
- ``load_fashion_mnist`` finds the four original ``*-idx?-ubyte.gz`` files in ``data_dir``, else in
  ``$FASHION_MNIST_DIR``, else in ``/usr/share/datasets/fashion-mnist/`` (Debian's
  ``dataset-fashion-mnist`` package).
- ``load_iris`` and ``load_digits`` wrap scikit-learn's bundled copies (no download); scikit-learn is
  an optional extra imported only when they are called.
"""
from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import NamedTuple, Optional, Union

import numpy as np

PathLike = Union[str, "os.PathLike[str]"]

FASHION_MNIST_ENV = "FASHION_MNIST_DIR"
FASHION_MNIST_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# The idx header's third byte names the element type; the payload is big-endian.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DatasetError(RuntimeError):
    """A dataset is missing, truncated or not what its name says; the message names the file and the fix."""


class Dataset(NamedTuple):
    """Inputs, integer labels and the names that give them meaning (unpacks as ``X, y, features, classes``)."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]


# ----------------------------------------------------------------------------- the idx format
def read_idx(path: PathLike) -> np.ndarray:
    """Read one idx file (``.gz`` or plain) into an array of the shape and type its header declares.

    Header: two zero bytes, a type code, the number of dimensions ``d``, then ``d`` big-endian
    uint32 sizes. A file whose payload is shorter or longer than the sizes promise is rejected:
    a truncated download must not become a dataset with garbage in its last images.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DatasetError(f"{path}: not an idx file (bad magic number {raw[:4].hex() or 'in an empty file'}); "
                           "fix: download the original *-idx?-ubyte.gz file again.")
    dtype = _IDX_DTYPES.get(raw[2])
    if dtype is None:
        raise DatasetError(f"{path}: unknown idx element type 0x{raw[2]:02x} (known: "
                           f"{', '.join(f'0x{code:02x}' for code in _IDX_DTYPES)}); fix: download the file again.")
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header_size:
        raise DatasetError(f"{path}: idx header declares {ndim} dimensions but the file ends after "
                           f"{len(raw)} bytes; fix: download the file again.")
    shape = tuple(int(size) for size in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header_size
    if actual != expected:
        problem = "truncated" if actual < expected else "longer than its header says"
        raise DatasetError(f"{path}: {problem}: shape {shape} needs {expected} bytes of data, found {actual}; "
                           "fix: download the file again.")
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip (recognised by content, not by name)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"{path}: cannot read ({error.strerror or error}).") from error
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as error:
        raise DatasetError(f"{path}: damaged gzip file ({error}); fix: download the file again.") from error


# ----------------------------------------------------------------------------- Fashion-MNIST
def fashion_mnist_dir(data_dir: Optional[PathLike] = None) -> Path:
    """The directory holding the four Fashion-MNIST files.

    The first place that is *given* is the one used, so a wrong setting is reported rather than
    silently replaced: ``data_dir`` (the tutorials' ``--data``), else ``$FASHION_MNIST_DIR``,
    else Debian's ``/usr/share/datasets/fashion-mnist/``.
    """
    env_dir = os.environ.get(FASHION_MNIST_ENV)
    if data_dir is not None:
        directory, source = Path(data_dir), "--data points to"
    elif env_dir:
        directory, source = Path(env_dir), f"${FASHION_MNIST_ENV} points to"
    else:
        directory, source = FASHION_MNIST_SYSTEM_DIR, (f"neither --data nor ${FASHION_MNIST_ENV} is set, "
                                                       "so it was looked for in Debian's directory")
    missing = [name for name in FASHION_MNIST_FILES.values() if _find_file(directory, name) is None]
    if missing:
        raise DatasetError(
            f"Fashion-MNIST not found: {source} {directory}, which lacks {', '.join(missing)}.\n"
            "Give the directory of the original *-idx?-ubyte.gz files in one of three ways:\n"
            "  1. pass --data DIR (or data_dir=DIR);\n"
            f"  2. set the environment variable {FASHION_MNIST_ENV}=DIR;\n"
            f"  3. install Debian's package: sudo apt-get install dataset-fashion-mnist "
            f"(files land in {FASHION_MNIST_SYSTEM_DIR}/)."
        )
    return directory


def _find_file(directory: Path, gz_name: str) -> Optional[Path]:
    """``name.gz`` or, if someone unpacked it, ``name``."""
    for candidate in (directory / gz_name, directory / gz_name[: -len(".gz")]):
        if candidate.is_file():
            return candidate
    return None


def load_fashion_mnist(data_dir: Optional[PathLike] = None) -> tuple[Dataset, Dataset]:
    """Fashion-MNIST's 60,000 training and 10,000 test images as ``(train, test)``.

    ``X`` is uint8 of shape ``(n, 28, 28)`` (pixel values 0-255, left raw so the caller picks the
    scaling), ``y`` int64 class indices 0-9 named by ``class_names``.
    """
    directory = fashion_mnist_dir(data_dir)
    train = _load_fashion_split(directory, "train")
    test = _load_fashion_split(directory, "test")
    return train, test


def _load_fashion_split(directory: Path, split: str) -> Dataset:
    images_path = _find_file(directory, FASHION_MNIST_FILES[f"{split}_images"])
    labels_path = _find_file(directory, FASHION_MNIST_FILES[f"{split}_labels"])
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise DatasetError(f"{images_path}: expected uint8 images of shape (n, 28, 28), "
                           f"found {images.dtype} {images.shape}; fix: use the original Fashion-MNIST file.")
    if labels.ndim != 1 or len(labels) != len(images):
        raise DatasetError(f"{labels_path}: expected {len(images)} labels (one per image in "
                           f"{images_path.name}), found shape {labels.shape}; fix: use the matching original file.")
    if labels.size and labels.max() >= len(FASHION_MNIST_CLASSES):
        raise DatasetError(f"{labels_path}: label {labels.max()} is not a Fashion-MNIST class (0-9).")
    pixel_names = tuple(f"pixel_{row}_{col}" for row in range(28) for col in range(28))
    return Dataset(images, labels.astype(np.int64), pixel_names, FASHION_MNIST_CLASSES)


# ----------------------------------------------------------------------------- scikit-learn's bundled data
def load_iris() -> Dataset:
    """Fisher's 150 Iris flowers: 4 measurements in cm, 3 species (scikit-learn's bundled copy)."""
    return _sklearn_dataset("load_iris")


def load_digits() -> Dataset:
    """1,797 handwritten digits as 8x8 images flattened to 64 pixels of 0-16 (scikit-learn's bundled copy)."""
    return _sklearn_dataset("load_digits")


def _sklearn_dataset(loader: str) -> Dataset:
    """The bundled dataset ``sklearn.datasets.<loader>()`` as a ``Dataset``; scikit-learn is an optional
    extra, so it is imported only now."""
    try:
        from sklearn import datasets
    except ImportError as error:
        raise ImportError("this dataset comes with scikit-learn, an optional extra: "
                          "pip install scikit-learn  (or pip install -e '.[datasets]')") from error
    bunch = getattr(datasets, loader)()
    return Dataset(np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64),
                   tuple(bunch.feature_names), tuple(str(name) for name in bunch.target_names))
