"""Rosenblatt's perceptron: it separates separable data, and it cannot learn XOR."""
import numpy as np
import pytest

from nn.data import blobs, xor
from nn.perceptron import Perceptron


def test_one_update_follows_rosenblatts_rule_by_hand():
    perceptron = Perceptron(2, lr=0.5, shuffle=False)
    history = perceptron.fit(np.array([[2.0, -1.0], [-1.0, 0.0]]), np.array([1, 0]), max_epochs=1)
    # sample 1: w . x + b = 0 is a mistake for target +1, so w += 0.5 * (+1) * x and b += 0.5;
    # sample 2: w . x + b = -1 + 0.5 < 0 is right for target -1, so nothing changes
    np.testing.assert_array_equal(perceptron.weights, [1.0, -0.5])
    assert perceptron.bias == 0.5
    assert history.errors == [1] and not history.converged


@pytest.mark.parametrize("seed", range(5))
def test_it_separates_a_linearly_separable_set_and_stops(seed):
    X, y = blobs(200, centers=[[-2.0, -1.0], [2.0, 1.5]], cluster_std=0.6, seed=seed)
    perceptron = Perceptron(2, seed=seed)
    history = perceptron.fit(X, y, max_epochs=1000)
    assert history.converged
    assert history.errors[-1] == 0 and all(e > 0 for e in history.errors[:-1])
    assert history.epochs == len(history.errors) < 1000
    np.testing.assert_array_equal(perceptron.predict(X), y)
    assert np.all((2 * y - 1) * perceptron.decision_function(X) > 0)


def test_it_cannot_learn_xor_and_says_it_did_not_converge():
    X, y = xor()
    perceptron = Perceptron(2, seed=0)
    history = perceptron.fit(X, y, max_epochs=200)
    assert not history.converged and history.epochs == 200
    assert min(history.errors) >= 1, "no line separates XOR, so every epoch makes a mistake"
    assert (perceptron.predict(X) != y).sum() >= 1
    assert "not converge" in str(history)


def test_labels_keep_their_own_values():
    X = np.array([[-1.0], [-2.0], [1.0], [3.0]])
    perceptron = Perceptron(1, seed=0)
    assert perceptron.fit(X, np.array([-1, -1, 1, 1])).converged
    assert perceptron.predict(X).tolist() == [-1, -1, 1, 1]
    assert perceptron.fit(X, np.array(["no", "no", "yes", "yes"])).converged
    assert perceptron.predict(X).tolist() == ["no", "no", "yes", "yes"]


def test_the_same_seed_gives_the_same_run():
    X, y = blobs(100, centers=[[-1.0, 0.0], [1.0, 0.0]], cluster_std=0.4, seed=1)
    runs = [Perceptron(2, seed=3) for _ in range(2)]
    histories = [p.fit(X, y) for p in runs]
    assert histories[0] == histories[1]
    np.testing.assert_array_equal(runs[0].weights, runs[1].weights)


@pytest.mark.parametrize("make, message", [
    (lambda: Perceptron(0), "n_features"),
    (lambda: Perceptron(2, lr=0.0), "lr"),
    (lambda: Perceptron(2).fit(np.zeros((3, 3)), np.array([0, 1, 0])), r"\(samples, 2\)"),
    (lambda: Perceptron(2).fit(np.zeros((3, 2)), np.array([0, 1, 2])), "two classes"),
    (lambda: Perceptron().fit(np.zeros(3), np.array([0, 1, 0])), r"\(samples, features\)"),
    (lambda: Perceptron(2).fit(np.zeros((3, 2)), np.array([0, 1, 0]), max_epochs=0), "max_epochs=0"),
])
def test_bad_input_gets_an_error_naming_the_problem(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_nan_in_the_data_is_refused_instead_of_passing_for_a_separating_line():
    X = np.array([[np.nan, 1.0], [0.0, 1.0]])  # a nan margin never counts as a mistake
    with pytest.raises(ValueError, match="1 nan/inf value.*row 0, column 0. Fix: fill them in, or drop"):
        Perceptron(2).fit(X, np.array([0, 1]))


def test_without_n_features_the_size_comes_from_the_first_fit():
    X, y = blobs(60, centers=[[-2.0, 0.0, 1.0], [2.0, 0.0, -1.0]], n_features=3, cluster_std=0.5, seed=0)
    perceptron = Perceptron(seed=0)
    with pytest.raises(RuntimeError, match="call fit"):
        perceptron.predict(X)
    assert perceptron.fit(X, y).converged and perceptron.weights.shape == (3,)
    np.testing.assert_array_equal(perceptron.predict(X), y)
