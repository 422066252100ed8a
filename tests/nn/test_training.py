"""fit / evaluate / predict, the metrics, History, early stopping, progress output and the classic benchmarks."""
import sys

import numpy as np
import pytest
import torch

import nn
from nn.data import blobs, circles, xor
from nn.training import EarlyStopping


def small_net(seed=0, outputs=3, dropout=0.0):
    nn.manual_seed(seed)
    layers = [nn.Linear(2, 16, dtype=np.float64), nn.ReLU()]
    layers += [nn.Dropout(dropout)] if dropout else []
    return nn.Sequential(*layers, nn.Linear(16, outputs, dtype=np.float64))


def three_blobs(n=120, seed=0):
    return blobs(n, centers=[[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], cluster_std=0.7, seed=seed)


# ----------------------------------------------------------------------------- round trip
def test_fit_evaluate_predict_round_trip_on_a_tensor_net():
    X, y = three_blobs()
    X_val, y_val = three_blobs(60, seed=1)
    net = small_net()
    history = nn.fit(net, X, y, loss="cross_entropy", optimizer=nn.Adam(net.parameters(), lr=0.02), epochs=15,
                     batch_size=16, validation_data=(X_val, y_val), metrics=["accuracy"], verbose=0, seed=0)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 15 for values in history.values()) and history.epochs == 15
    assert history["loss"][-1] < history["loss"][0] / 3
    assert history["val_accuracy"][-1] >= 0.9

    logits = nn.predict(net, X_val)
    assert logits.shape == (60, 3)
    expected_loss = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(y_val)).item()
    scores = nn.evaluate(net, X_val, y_val, loss="cross_entropy", metrics=["accuracy"])
    assert scores["loss"] == pytest.approx(expected_loss, rel=1e-12)
    assert scores["accuracy"] == np.mean(logits.argmax(axis=1) == y_val)
    assert scores == pytest.approx({"loss": history["val_loss"][-1], "accuracy": history["val_accuracy"][-1]})
    np.testing.assert_array_equal(nn.predict(net, X_val, batch_size=7), logits)


def test_fit_trains_the_scalar_mlp_exactly_like_the_same_tensor_network():
    X, y = circles(12, noise=0.1, factor=0.4, seed=0)
    nn.manual_seed(3)
    scalar = nn.MLP(2, [4, 1], activation="tanh")
    tensor = nn.Sequential(nn.Linear(2, 4, dtype=np.float64), nn.Tanh(), nn.Linear(4, 1, dtype=np.float64))
    tensor.load_state_dict(dict(zip(tensor.state_dict(), scalar.state_dict().values())))
    runs = [nn.fit(model, X, y, loss="binary_cross_entropy_with_logits",
                   optimizer=nn.SGD(model.parameters(), lr=0.5, momentum=0.9), epochs=5, batch_size=4,
                   metrics=["accuracy"], verbose=0, seed=1) for model in (scalar, tensor)]
    np.testing.assert_allclose(runs[0]["loss"], runs[1]["loss"], rtol=1e-10)
    np.testing.assert_allclose(nn.predict(scalar, X), nn.predict(tensor, X), rtol=1e-10)
    assert nn.predict(scalar, X).shape == (12, 1)


def test_a_scalar_mlp_learns_several_classes_with_cross_entropy():
    X, y = three_blobs(30)
    model = nn.MLP(2, [8, 3], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss="cross_entropy", optimizer=nn.Adam(model.parameters(), lr=0.05),
                     epochs=30, batch_size=10, metrics=["accuracy"], verbose=0, seed=0)
    assert history["loss"][-1] < history["loss"][0]
    assert nn.evaluate(model, X, y, loss="cross_entropy")["accuracy"] >= 0.9


# ----------------------------------------------------------------------------- the classic benchmarks
def test_xor_is_learned_by_the_scalar_mlp_from_ten_of_ten_seeds_within_500_steps():
    X, y = xor()
    for seed in range(10):
        model = nn.MLP(2, [4, 1], activation="tanh", seed=seed)
        history = nn.fit(model, X, y, loss="binary_cross_entropy_with_logits",
                         optimizer=nn.SGD(model.parameters(), lr=1.0), epochs=500, batch_size=None,
                         metrics=["accuracy"], verbose=0)
        assert 1.0 in history["accuracy"], f"seed {seed} never classified all four points"
        final = nn.evaluate(model, X, y, loss="binary_cross_entropy_with_logits", metrics=["accuracy"])
        assert final["accuracy"] == 1.0, f"seed {seed}"


@pytest.mark.parametrize("engine", ["tensor", "scalar"])
def test_circles_with_2_20_1_relu_sigmoid_and_bce_reach_95_percent(engine):
    X, y = circles(n=100, noise=0.15, factor=0.3, seed=0)
    nn.manual_seed(0)
    if engine == "scalar":
        model, epochs, batch_size = nn.MLP(2, [20, 1], activation="relu", output_activation="sigmoid"), 60, None
    else:
        model = nn.Sequential(nn.Linear(2, 20), nn.ReLU(), nn.Linear(20, 1), nn.Sigmoid())
        epochs, batch_size = 100, 10
    nn.fit(model, X, y, loss="binary_cross_entropy", optimizer=nn.SGD(model.parameters(), lr=0.5), epochs=epochs,
           batch_size=batch_size, verbose=0, seed=0)
    assert nn.evaluate(model, X, y, loss="binary_cross_entropy", metrics=["accuracy"])["accuracy"] >= 0.95


# ----------------------------------------------------------------------------- determinism
def test_two_seeded_runs_give_identical_losses_and_another_seed_does_not():
    X, y = three_blobs()

    def run(shuffle_seed):
        net = small_net(seed=5, dropout=0.2)
        return nn.fit(net, X, y, optimizer=nn.SGD(net.parameters(), lr=0.05, momentum=0.9), epochs=4,
                      batch_size=8, verbose=0, seed=shuffle_seed)["loss"]

    assert run(1) == run(1)
    assert run(1) != run(2)


# ----------------------------------------------------------------------------- validation and early stopping
def test_validation_split_holds_out_the_last_samples():
    X, y = three_blobs()
    net = small_net()
    history = nn.fit(net, X, y, optimizer="sgd", epochs=2, validation_split=0.25, metrics=["accuracy"], verbose=0)
    held_out = nn.evaluate(net, X[-30:], y[-30:], metrics=["accuracy"])
    assert held_out == pytest.approx({"loss": history["val_loss"][-1], "accuracy": history["val_accuracy"][-1]})


def test_early_stopping_stops_when_validation_loss_stops_improving_and_restores_the_best_weights():
    X, y = three_blobs()
    wrong_labels = (y + 1) % 3  # the better the model fits y, the worse it does on these
    net = small_net()
    history = nn.fit(net, X, y, optimizer=nn.Adam(net.parameters(), lr=0.05), epochs=50, batch_size=16,
                     validation_data=(X, wrong_labels), early_stopping=3, verbose=0, seed=0)
    best = int(np.argmin(history["val_loss"]))
    assert history.stopped_epoch == best + 1 + 3 == len(history["loss"]) < 50
    assert nn.evaluate(net, X, wrong_labels)["loss"] == pytest.approx(history["val_loss"][best], rel=1e-12)


def test_early_stopping_counts_patience_and_maximises_accuracies():
    stopper = EarlyStopping(patience=2, restore_best=False)
    stopper.on_train_begin(model=None)
    decisions = [stopper.on_epoch_end(epoch, {"loss": loss}) for epoch, loss in
                 enumerate([1.0, 0.8, 0.9, 0.85], start=1)]
    assert decisions == [False, False, False, True] and stopper.best_epoch == 2
    stopper = EarlyStopping(patience=1, monitor="val_accuracy", restore_best=False)
    stopper.on_train_begin(model=None)
    assert [stopper.on_epoch_end(e, {"val_accuracy": a}) for e, a in [(1, 0.5), (2, 0.7), (3, 0.6)]] == \
        [False, False, True]


def test_a_callback_can_stop_training_and_sees_every_epochs_logs():
    X, y = three_blobs(30)
    seen = []
    history = nn.fit(small_net(), X, y, optimizer="adam", epochs=10, verbose=0,
                     callbacks=[lambda epoch, logs: seen.append((epoch, sorted(logs))) or epoch == 2])
    assert seen == [(1, ["loss"]), (2, ["loss"])] and history.stopped_epoch == 2


def test_a_schedule_is_stepped_once_per_epoch():
    X, y = three_blobs(30)
    net = small_net()
    optimizer = nn.SGD(net.parameters(), lr=1.0)
    nn.fit(net, X, y, optimizer=optimizer, epochs=5, verbose=0, scheduler=nn.LinearDecay(optimizer, total_steps=10))
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1.0 - 0.9 * 5 / 10)


# ----------------------------------------------------------------------------- metrics
def test_accuracy_takes_the_argmax_of_several_outputs_with_labels_or_one_hot_rows():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 1.0], [5.0, 0.0, 0.0]])
    labels = np.array([0, 1, 1, 2])
    assert nn.accuracy(labels, logits) == 0.5
    assert nn.accuracy(np.eye(3)[labels], logits) == 0.5


def test_accuracy_thresholds_one_output_at_half_for_probabilities_and_at_zero_for_signed_labels():
    probabilities = np.array([[0.9], [0.4], [0.6], [0.1]])
    assert nn.accuracy(np.array([1, 0, 0, 0]), probabilities) == 0.75
    scores = np.array([0.3, -2.0, 0.2, -0.1])
    assert nn.accuracy(np.array([1, -1, -1, -1]), scores) == 0.75
    logits = np.array([0.3, -2.0, 0.2, -0.1])
    assert nn.accuracy(np.array([1, 0, 1, 1]), logits, threshold=0.0) == 0.75


def test_binary_accuracy_judges_every_output():
    assert nn.binary_accuracy(np.array([[1, 0], [0, 0]]), np.array([[0.7, 0.2], [0.6, 0.4]])) == 0.75
    assert nn.binary_accuracy([1, 0], [-0.2, -0.3], threshold=0.0) == 0.5


def test_fit_thresholds_accuracy_at_zero_for_losses_on_scores():
    X, y = xor()
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    nn.fit(model, X, 2 * y - 1, loss="hinge", optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=300,
           batch_size=None, verbose=0)
    scores = nn.predict(model, X)[:, 0]
    expected = np.mean(np.where(scores > 0, 1, -1) == 2 * y - 1)
    assert nn.evaluate(model, X, 2 * y - 1, loss="hinge")["accuracy"] == expected
    assert nn.evaluate(model, X, y, loss="binary_cross_entropy_with_logits")["accuracy"] == \
        np.mean((scores > 0) == (y == 1))


# ----------------------------------------------------------------------------- losses and options
def test_a_loss_name_is_the_nn_functional_function_and_a_callable_works_too():
    X, y = three_blobs(30)
    net = small_net(outputs=1)
    target = X[:, :1] * 2.0
    by_name = nn.evaluate(net, X, target, loss="huber", metrics=None)["loss"]
    by_function = nn.evaluate(net, X, target, loss=lambda p, t: nn.functional.huber(p, t), metrics=None)["loss"]
    expected = torch.nn.functional.huber_loss(torch.tensor(nn.predict(net, X)), torch.tensor(target)).item()
    assert by_name == by_function == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(loss="cross_entropyy"), ValueError, "unknown loss"),
    (dict(metrics=["acc"]), ValueError, "unknown metric"),
    (dict(optimizer="adagrad"), ValueError, "unknown optimizer"),
    (dict(validation_split=0.2, validation_data=(np.zeros((2, 2)), np.zeros(2))), ValueError, "not both"),
    (dict(validation_split=1.5), ValueError, "validation_split"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(loss=lambda p, t: nn.functional.cross_entropy(p, t) * float("nan")), FloatingPointError, "nan"),
    (dict(loss=lambda p, t: nn.functional.cross_entropy(p, t, reduction="none")), TypeError, "one number"),
    (dict(epochs=-1), ValueError, "epochs=-1"),
    (dict(validation_data=np.zeros((4, 2))), ValueError, r"pair \(X_val, y_val\); got a ndarray"),
    (dict(optimizer=nn.SGD(nn.Linear(2, 3).parameters())), ValueError, "none of this model's parameters"),
    (dict(loss="hinge"), ValueError, "2 \\* y - 1"),
])
def test_fit_errors_name_the_problem(kwargs, error, message):
    X, y = three_blobs(30)
    with pytest.raises(error, match=message):
        nn.fit(small_net(), X, y, **{"verbose": 0, **kwargs})


def test_fit_refuses_data_of_different_lengths_and_models_without_parameters():
    with pytest.raises(ValueError, match="same number"):
        nn.fit(small_net(), np.zeros((5, 2)), np.zeros(4), verbose=0)
    with pytest.raises(TypeError, match="no parameters"):
        nn.fit(nn.ReLU(), np.zeros((5, 2)), np.zeros(5), verbose=0)


def test_nan_in_the_data_is_named_before_training_starts():
    X, y = three_blobs(30)
    X[7, 1] = np.nan
    for run in (lambda: nn.fit(small_net(), X, y, verbose=0), lambda: nn.evaluate(small_net(), X, y),
                lambda: nn.fit(nn.MLP(2, [3]), X, y, verbose=0)):
        with pytest.raises(ValueError, match=r"fit X|evaluate X"):
            run()
    with pytest.raises(ValueError, match="the first at row 7, column 1"):
        nn.fit(small_net(), X, y, verbose=0)


def test_the_default_cross_entropy_on_a_one_output_model_is_refused_instead_of_learning_nothing():
    X, y = circles(20, noise=0.1, factor=0.4, seed=0)
    for model in (nn.Sequential(nn.Linear(2, 1)), nn.MLP(2, [3, 1])):
        with pytest.raises(ValueError, match="one score per class.*binary_cross_entropy_with_logits"):
            nn.fit(model, X, y, verbose=0)


# ----------------------------------------------------------------------------- progress output
def test_verbose_zero_prints_nothing(capsys):
    X, y = three_blobs(30)
    nn.fit(small_net(), X, y, epochs=2, metrics=["accuracy"], verbose=0)
    assert capsys.readouterr() == ("", "")


def test_verbose_one_shows_a_progress_bar_with_epoch_loss_and_metrics(capsys):
    X, y = three_blobs(30)
    nn.fit(small_net(), X, y, epochs=2, metrics=["accuracy"], verbose=1)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "loss" in err and "accuracy" in err


def test_without_tqdm_progress_falls_back_to_one_line_per_epoch(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    X, y = three_blobs(30)
    nn.fit(small_net(), X, y, epochs=3, metrics=["accuracy"], verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[-1].startswith("epoch 3/3 - loss ") and "accuracy" in lines[-1]
