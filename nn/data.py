"""Data for training: mini-batches, splits, scaling, one-hot labels and small seeded toy datasets.

Everything is plain numpy. Every random choice takes a ``seed`` (an int or a numpy ``Generator``);
``seed=None`` draws from the generator that ``nn.manual_seed`` resets, so a whole run is reproducible.
The dataset makers follow scikit-learn's shapes and label conventions (``X`` of shape ``(n, 2)``
float64, ``y`` of shape ``(n,)`` int64 with classes ``0, 1, ...``) with code of their own.
"""
from __future__ import annotations

import math
from typing import Iterator, Sequence

import numpy as np

from .seeding import SeedLike, resolve_rng


def _as_samples(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must hold the same number of samples along axis 0; got shapes {X.shape} "
                         f"and {y.shape}. Pass one label (or target row) per sample.")
    return X, y


def check_finite(X: np.ndarray, who: str) -> np.ndarray:
    """Refuse nan/inf in numeric data, naming the first bad entry: one nan turns every statistic, weight
    and loss it touches into nan, far from where it came in."""
    if np.issubdtype(X.dtype, np.inexact):
        bad = ~np.isfinite(X)
        if bad.any():
            where = ", ".join(f"{axis} {index}" for axis, index in zip(("row", "column", "axis 2", "axis 3"),
                                                                      np.argwhere(bad)[0]))
            raise ValueError(f"{who}: the data holds {int(bad.sum())} nan/inf value(s), the first at {where}. Fix: "
                             "fill them in, or drop those samples: keep = np.isfinite(X).all(axis=1); "
                             "X, y = X[keep], y[keep].")
    return X


def _check_count(name: str, n: object, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name}={n!r} is invalid; give a whole number >= {minimum}.")
    return int(n)


def _check_noise(noise: float | None) -> float:
    if noise is None:
        return 0.0
    if not noise >= 0:
        raise ValueError(f"noise={noise!r} is invalid; give a standard deviation >= 0 (or None for none).")
    return float(noise)


# ----------------------------------------------------------------------------- mini-batches
class DataLoader:
    """Mini-batches ``(X_batch, y_batch)`` of numpy arrays, covering every sample once per epoch.

    With ``shuffle=True`` each pass (each ``for`` loop over the loader) uses a new permutation drawn
    from one generator made from ``seed``, so epoch 1, 2, 3 ... differ from each other but two loaders
    with the same seed give the same sequence. The last batch is smaller when ``batch_size`` does not
    divide the number of samples, unless ``drop_last=True`` drops it.
    """

    def __init__(self, X: object, y: object, batch_size: int = 32, shuffle: bool = True, seed: SeedLike = None,
                 drop_last: bool = False) -> None:
        self.X, self.y = _as_samples(X, y)
        self.batch_size = _check_count("batch_size", batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = resolve_rng(seed)

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        if self.drop_last:
            return len(self.X) // self.batch_size
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n = len(self.X)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for batch in range(len(self)):
            rows = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            yield self.X[rows], self.y[rows]

    def __repr__(self) -> str:
        return (f"DataLoader({len(self.X)} samples, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, {len(self)} batches)")


# ----------------------------------------------------------------------------- splitting
def _test_count(test_size: float | int, n: int) -> int:
    if isinstance(test_size, float) and 0.0 < test_size < 1.0:
        count = math.ceil(test_size * n)
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        count = int(test_size)
    else:
        raise ValueError(f"test_size={test_size!r} is invalid; give a fraction in (0, 1) or a number of samples.")
    if not 0 < count < n:
        raise ValueError(f"test_size={test_size!r} leaves {n - count} of {n} samples for training; both parts "
                         "need at least one sample.")
    return count


def _stratified_test_rows(y: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """Pick test rows so each class keeps its share; largest remainders decide the rounding."""
    classes, class_of_row = np.unique(y, return_inverse=True)
    counts = np.bincount(class_of_row)
    exact = counts * n_test / len(y)
    take = np.floor(exact).astype(int)
    by_remainder = np.argsort(-(exact - take), kind="stable")
    take[by_remainder[:n_test - take.sum()]] += 1
    rows = [rng.permutation(np.flatnonzero(class_of_row == c))[:take[c]] for c in range(len(classes))]
    return rng.permutation(np.concatenate(rows))


def train_test_split(X: object, y: object, test_size: float | int = 0.25, seed: SeedLike = None,
                     stratify: bool = False, shuffle: bool = True
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction (rounded up, as scikit-learn does) or a number of samples.
    ``stratify=True`` keeps each class's share of ``y`` in both parts. ``shuffle=False`` takes the
    last samples as the test set, in order.
    """
    X, y = _as_samples(X, y)
    n = len(X)
    n_test = _test_count(test_size, n)
    if not shuffle:
        if stratify:
            raise ValueError("train_test_split: stratify=True needs shuffle=True (a stratified split picks rows "
                             "at random within each class).")
        test_rows = np.arange(n - n_test, n)
    else:
        rng = resolve_rng(seed)
        test_rows = _stratified_test_rows(y, n_test, rng) if stratify else rng.permutation(n)[:n_test]
    is_test = np.zeros(n, dtype=bool)
    is_test[test_rows] = True
    train_rows = np.flatnonzero(~is_test)
    if shuffle:
        train_rows = rng.permutation(train_rows)
    return X[train_rows], X[test_rows], y[train_rows], y[test_rows]


# ----------------------------------------------------------------------------- scaling
class Standardizer:
    """Scale features to mean 0 and standard deviation 1 using statistics of the data it was fitted on.

    Fit on the training set only and apply the same shift and scale to validation and test data,
    so no information about them leaks into training. A constant feature is centred and left unscaled.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: object) -> "Standardizer":
        """Learn each feature's mean and standard deviation from ``X`` (the training set only); returns self."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"Standardizer.fit expects a 2-D array (samples, features); got shape {X.shape}.")
        check_finite(X, "Standardizer.fit")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def _checked(self, X: object) -> np.ndarray:
        """X as float64 with the fitted number of features, or an error saying what to pass."""
        if self.mean_ is None:
            raise RuntimeError("Standardizer: call fit(X_train) before transform.")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.mean_):
            raise ValueError(f"Standardizer was fitted on {len(self.mean_)} features; got data of shape "
                             f"{X.shape}. Pass (samples, {len(self.mean_)}).")
        return X

    def transform(self, X: object) -> np.ndarray:
        """Shift and scale ``X`` with the fitted statistics (a new array)."""
        return (self._checked(X) - self.mean_) / self.scale_

    def fit_transform(self, X: object) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``: the training set, standardised by its own statistics."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: object) -> np.ndarray:
        """Undo ``transform``: standardised numbers (e.g. predicted targets) back in the original units."""
        return self._checked(X) * self.scale_ + self.mean_


def standardize(train: object, *others: object) -> np.ndarray | tuple[np.ndarray, ...]:
    """Standardise ``train`` with its own statistics and each of ``others`` with the *same* statistics.

    ``standardize(X)`` returns one array; ``standardize(X_train, X_test)`` returns both, in order.
    """
    scaler = Standardizer().fit(train)
    scaled = tuple(scaler.transform(part) for part in (train, *others))
    return scaled if others else scaled[0]


def one_hot(labels: object, num_classes: int | None = None, dtype: object = np.float64) -> np.ndarray:
    """Integer class labels ``(n,)`` as rows of zeros with a one at the label: shape ``(n, num_classes)``."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or (labels.size and labels.min() < 0):
        raise ValueError(f"one_hot expects a 1-D array of integer labels >= 0; got dtype {labels.dtype}, shape "
                         f"{labels.shape}. Convert with y.astype(int).")
    needed = int(labels.max()) + 1 if labels.size else 0
    num_classes = needed if num_classes is None else num_classes
    if num_classes < needed:
        raise ValueError(f"one_hot: label {needed - 1} does not fit num_classes={num_classes}; pass "
                         f"num_classes >= {needed}.")
    encoded = np.zeros((len(labels), num_classes), dtype=dtype)
    encoded[np.arange(len(labels)), labels] = 1
    return encoded


# ----------------------------------------------------------------------------- toy datasets
def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool
              ) -> tuple[np.ndarray, np.ndarray]:
    if not shuffle:
        return X, y
    order = rng.permutation(len(X))
    return X[order], y[order]


def _split_evenly(n: int, parts: int) -> list[int]:
    """``n`` samples over ``parts`` groups, the first ``n % parts`` groups one larger (scikit-learn's rule)."""
    return [n // parts + (1 if part < n % parts else 0) for part in range(parts)]


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: ``X = [[0,0],[0,1],[1,0],[1,1]]``, ``y = [0, 1, 1, 0]``.

    For a loss that wants labels -1/+1 (hinge), use ``2 * y - 1``.
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def circles(n: int = 100, noise: float | None = None, factor: float = 0.8, seed: SeedLike = None,
            shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (label 1, radius ``factor``) inside a large one (label 0, radius 1), in 2-D.

    ``n // 2`` points lie evenly spaced on the outer circle and the rest on the inner one, then
    Gaussian noise of standard deviation ``noise`` moves each coordinate.
    """
    n = _check_count("n", n)
    if not 0.0 <= factor < 1.0:
        raise ValueError(f"circles: factor={factor!r} is invalid; the inner radius must be in [0, 1).")
    rng = resolve_rng(seed)
    n_outer = n // 2
    sizes, radii = (n_outer, n - n_outer), (1.0, factor)
    angles = [np.linspace(0.0, 2 * np.pi, size, endpoint=False) for size in sizes]
    X = np.concatenate([r * np.stack([np.cos(a), np.sin(a)], axis=1) for r, a in zip(radii, angles)])
    y = np.repeat(np.array([0, 1], dtype=np.int64), sizes)
    X = X + rng.normal(scale=_check_noise(noise), size=X.shape)
    return _shuffled(X, y, rng, shuffle)


def moons(n: int = 100, noise: float | None = None, seed: SeedLike = None, shuffle: bool = True
          ) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: the upper one (label 0) centred at (0, 0), the lower (label 1) at (1, 0.5).

    ``n // 2`` points on the upper moon and the rest on the lower, plus Gaussian ``noise``.
    """
    n = _check_count("n", n)
    rng = resolve_rng(seed)
    n_upper = n // 2
    upper = np.linspace(0.0, np.pi, n_upper)
    lower = np.linspace(0.0, np.pi, n - n_upper)
    X = np.concatenate([np.stack([np.cos(upper), np.sin(upper)], axis=1),
                        np.stack([1.0 - np.cos(lower), 0.5 - np.sin(lower)], axis=1)])
    y = np.repeat(np.array([0, 1], dtype=np.int64), (n_upper, n - n_upper))
    X = X + rng.normal(scale=_check_noise(noise), size=X.shape)
    return _shuffled(X, y, rng, shuffle)


def spirals(n: int = 100, classes: int = 2, turns: float = 1.0, noise: float | None = None, seed: SeedLike = None,
            shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` interleaved spiral arms (label = arm), each winding ``turns`` times out to radius 1.

    Arm ``j`` has its points at radius r in (0, 1] and angle 2*pi*(turns*r + j/classes), plus Gaussian
    ``noise``; the ``n`` points are shared between the arms as evenly as possible.
    """
    n = _check_count("n", n)
    classes = _check_count("classes", classes, minimum=2)
    rng = resolve_rng(seed)
    sizes = _split_evenly(n, classes)
    arms = []
    for arm, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size + 1)[1:]
        angle = 2 * np.pi * (turns * radius + arm / classes)
        arms.append(radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    X = np.concatenate(arms) + rng.normal(scale=_check_noise(noise), size=(n, 2))
    y = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    return _shuffled(X, y, rng, shuffle)


def blobs(n: int = 100, centers: int | Sequence[Sequence[float]] = 3, n_features: int = 2,
          cluster_std: float = 1.0, box: tuple[float, float] = (-10.0, 10.0), seed: SeedLike = None,
          shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters (label = cluster) around ``centers``: how many, drawn at random in ``box``, or where.

    Each cluster has standard deviation ``cluster_std`` in every direction; the ``n`` points are shared
    between the clusters as evenly as possible.
    """
    n = _check_count("n", n)
    rng = resolve_rng(seed)
    if isinstance(centers, (int, np.integer)):
        count = _check_count("centers", centers)
        n_features = _check_count("n_features", n_features)
        middles = rng.uniform(box[0], box[1], size=(count, n_features))
    else:
        middles = np.asarray(centers, dtype=np.float64)
        if middles.ndim != 2 or len(middles) == 0:
            raise ValueError(f"blobs: centers must be a number or a 2-D array (clusters, features); got shape "
                             f"{middles.shape}.")
    if not cluster_std >= 0:
        raise ValueError(f"blobs: cluster_std={cluster_std!r} is invalid; give a standard deviation >= 0.")
    sizes = _split_evenly(n, len(middles))
    X = np.concatenate([rng.normal(loc=middle, scale=cluster_std, size=(size, middles.shape[1]))
                        for middle, size in zip(middles, sizes)])
    y = np.repeat(np.arange(len(middles), dtype=np.int64), sizes)
    return _shuffled(X, y, rng, shuffle)
