"""nn.data: mini-batches, splits, standardisation, one-hot labels and the seeded toy datasets."""
import numpy as np
import pytest
import sklearn.datasets
import sklearn.model_selection
import sklearn.preprocessing
import torch

from nn.data import (DataLoader, Standardizer, blobs, circles, moons, one_hot, spirals, standardize,
                     train_test_split, xor)
from nn.seeding import manual_seed


def numbered(n):
    """Samples whose features and labels both name their row, so pairing can be checked."""
    return np.arange(n, dtype=float)[:, None] * np.ones((1, 3)), np.arange(n)


# ----------------------------------------------------------------------------- DataLoader
def test_every_sample_appears_once_per_epoch_and_stays_with_its_label():
    X, y = numbered(103)
    loader = DataLoader(X, y, batch_size=10, seed=0)
    assert len(loader) == 11
    for _ in range(3):
        batches = list(loader)
        assert [len(xb) for xb, _ in batches] == [10] * 10 + [3]
        seen = np.concatenate([yb for _, yb in batches])
        assert sorted(seen.tolist()) == list(range(103))
        for xb, yb in batches:
            np.testing.assert_array_equal(xb[:, 0], yb)


def test_each_epoch_is_a_new_shuffle_and_the_same_seed_replays_them():
    X, y = numbered(50)
    epochs = lambda loader: [np.concatenate([yb for _, yb in loader]) for _ in range(3)]  # noqa: E731
    first, again = epochs(DataLoader(X, y, seed=7)), epochs(DataLoader(X, y, seed=7))
    other = epochs(DataLoader(X, y, seed=8))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[0], other[0])


def test_unseeded_loaders_are_reproducible_through_manual_seed():
    X, y = numbered(20)
    manual_seed(3)
    first = np.concatenate([yb for _, yb in DataLoader(X, y, batch_size=4)])
    manual_seed(3)
    again = np.concatenate([yb for _, yb in DataLoader(X, y, batch_size=4)])
    np.testing.assert_array_equal(first, again)


def test_no_shuffle_keeps_order_and_drop_last_drops_the_short_batch():
    X, y = numbered(10)
    loader = DataLoader(X, y, batch_size=4, shuffle=False, drop_last=True)
    assert len(loader) == 2
    assert [yb.tolist() for _, yb in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_dataloader_refuses_mismatched_lengths_and_bad_batch_sizes():
    with pytest.raises(ValueError, match="same number of samples"):
        DataLoader(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(np.zeros((5, 2)), np.zeros(5), batch_size=0)


# ----------------------------------------------------------------------------- train_test_split
@pytest.mark.parametrize("n, test_size", [(100, 0.25), (10, 0.33), (7, 0.5), (50, 12)])
def test_split_sizes_match_scikit_learn_and_parts_are_disjoint(n, test_size):
    X, y = numbered(n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=0)
    sk_train, sk_test = sklearn.model_selection.train_test_split(y, test_size=test_size, random_state=0)
    assert (len(y_train), len(y_test)) == (len(sk_train), len(sk_test))
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(n))
    np.testing.assert_array_equal(X_train[:, 0], y_train)
    np.testing.assert_array_equal(X_test[:, 0], y_test)


def test_split_is_reproducible_with_a_seed_and_changes_with_another():
    X, y = numbered(40)
    first, again = train_test_split(X, y, seed=1), train_test_split(X, y, seed=1)
    other = train_test_split(X, y, seed=2)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[3], other[3])


def test_stratified_split_keeps_each_class_share():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100.0)[:, None]
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    assert np.bincount(y_test).tolist() == [12, 6, 2]
    assert np.bincount(y_train).tolist() == [48, 24, 8]


def test_split_without_shuffle_takes_the_last_samples_as_test():
    X, y = numbered(10)
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=False)
    assert y_train.tolist() == list(range(7)) and y_test.tolist() == [7, 8, 9]


@pytest.mark.parametrize("test_size", [0.0, 1.0, 10, 0, "half"])
def test_split_refuses_sizes_that_leave_a_part_empty(test_size):
    X, y = numbered(10)
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, y, test_size=test_size)


# ----------------------------------------------------------------------------- standardisation
def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(loc=[5.0, -2.0], scale=[3.0, 0.5], size=(200, 2))
    X_test = rng.normal(loc=[9.0, 0.0], scale=[1.0, 1.0], size=(50, 2))
    train_scaled, test_scaled = standardize(X_train, X_test)
    np.testing.assert_allclose(train_scaled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train_scaled.std(axis=0), 1.0, atol=1e-12)
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(test_scaled, expected, atol=1e-12)
    assert abs(test_scaled[:, 0].mean()) > 0.5, "test data must not be centred on its own mean (leakage)"
    sk = sklearn.preprocessing.StandardScaler().fit(X_train)
    np.testing.assert_allclose(test_scaled, sk.transform(X_test), atol=1e-12)


def test_standardizer_round_trips_and_leaves_constant_features_unscaled():
    X = np.array([[1.0, 4.0], [3.0, 4.0], [5.0, 4.0]])
    scaler = Standardizer().fit(X)
    scaled = scaler.transform(X)
    np.testing.assert_array_equal(scaled[:, 1], 0.0)
    np.testing.assert_allclose(scaler.inverse_transform(scaled), X)


def test_standardizer_errors_say_what_to_do():
    with pytest.raises(RuntimeError, match="fit"):
        Standardizer().transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="2 features"):
        Standardizer().fit(np.zeros((3, 2))).transform(np.zeros((3, 5)))


def test_standardize_refuses_nan_and_inf_naming_the_first_and_the_fix():
    X = np.array([[1.0, 2.0], [3.0, np.nan], [np.inf, 0.0]])
    with pytest.raises(ValueError, match=r"2 nan/inf value\(s\), the first at row 1, column 1. Fix: fill"):
        standardize(X)


# ----------------------------------------------------------------------------- one-hot
def test_one_hot_matches_torch():
    labels = np.array([2, 0, 1, 2, 4])
    expected = torch.nn.functional.one_hot(torch.tensor(labels), num_classes=6).numpy()
    np.testing.assert_array_equal(one_hot(labels, num_classes=6), expected)
    assert one_hot(labels).shape == (5, 5)


@pytest.mark.parametrize("labels, num_classes", [([0.5, 1.0], None), ([-1, 2], None), ([0, 3], 2)])
def test_one_hot_refuses_labels_it_cannot_encode(labels, num_classes):
    with pytest.raises(ValueError, match="one_hot"):
        one_hot(np.array(labels), num_classes)


# ----------------------------------------------------------------------------- datasets
def test_xor_is_the_truth_table():
    X, y = xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [int(a) ^ int(b) for a, b in X]


@pytest.mark.parametrize("n", [100, 101])
def test_noiseless_circles_and_moons_match_scikit_learn(n):
    X, y = circles(n, factor=0.3, shuffle=False)
    X_sk, y_sk = sklearn.datasets.make_circles(n, factor=0.3, shuffle=False)
    np.testing.assert_allclose(X, X_sk, atol=1e-12)
    np.testing.assert_array_equal(y, y_sk)
    X, y = moons(n, shuffle=False)
    X_sk, y_sk = sklearn.datasets.make_moons(n, shuffle=False)
    np.testing.assert_allclose(X, X_sk, atol=1e-12)
    np.testing.assert_array_equal(y, y_sk)


MAKERS = [
    (lambda seed: circles(100, noise=0.15, factor=0.3, seed=seed), 2, [50, 50]),
    (lambda seed: moons(99, noise=0.1, seed=seed), 2, [49, 50]),
    (lambda seed: spirals(101, classes=3, noise=0.05, seed=seed), 3, [34, 34, 33]),
    (lambda seed: blobs(100, centers=3, seed=seed), 3, [34, 33, 33]),
]


@pytest.mark.parametrize("make, classes, counts", MAKERS)
def test_dataset_makers_give_shapes_labels_and_reproducible_samples(make, classes, counts):
    X, y = make(0)
    assert X.shape == (len(y), 2) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y, minlength=classes).tolist() == counts
    X_again, y_again = make(0)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(make(1)[0], X)
    assert not np.array_equal(y, np.sort(y)), "samples are shuffled"


def test_circle_noise_has_the_requested_standard_deviation():
    X, y = circles(4000, noise=0.15, factor=0.3, seed=0, shuffle=False)
    X_clean, _ = circles(4000, factor=0.3, shuffle=False)
    assert np.std(X - X_clean) == pytest.approx(0.15, rel=0.05)
    radius = np.hypot(*X_clean.T)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_blobs_sit_around_their_centres():
    centres = [[-5.0, 0.0], [5.0, 5.0]]
    X, y = blobs(2000, centers=centres, cluster_std=0.5, seed=0)
    for label, centre in enumerate(centres):
        np.testing.assert_allclose(X[y == label].mean(axis=0), centre, atol=0.1)
        np.testing.assert_allclose(X[y == label].std(axis=0), 0.5, rtol=0.1)


def test_spiral_arms_wind_out_to_radius_one():
    X, y = spirals(200, classes=2, turns=1.5, shuffle=False)
    radius = np.hypot(*X.T)
    assert radius.max() == pytest.approx(1.0) and radius.min() > 0
    angle_of_outer_ends = np.arctan2(X[[99, 199], 1], X[[99, 199], 0])
    assert abs(abs(angle_of_outer_ends[0] - angle_of_outer_ends[1]) - np.pi) < 1e-9, "arms are half a turn apart"


@pytest.mark.parametrize("make, message", [
    (lambda: circles(0), "n=0"),
    (lambda: circles(10, factor=1.5), "factor"),
    (lambda: moons(10, noise=-1.0), "noise"),
    (lambda: spirals(10, classes=1), "classes"),
    (lambda: blobs(10, centers=np.zeros(3)), "centers"),
])
def test_dataset_makers_refuse_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()
