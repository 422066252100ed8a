"""Every loss against torch.nn.functional (the oracle), on Tensors and on Values, with each reduction;
the loss modules equal the functions; bad input gets errors that say what to do."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import nn
from autograd_core import Tensor, Value, gradcheck

F = nn.functional
REDUCTIONS = ["mean", "sum", "none"]
RNG = np.random.default_rng(0)


def torch_hinge(s, y, reduction="mean"):
    return reduce_torch(torch.clamp(1 - y * s, min=0), reduction)


def torch_perceptron(s, y, reduction="mean"):
    return reduce_torch(torch.clamp(-y * s, min=0), reduction)


def reduce_torch(losses, reduction):
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


def probabilities(size):
    return RNG.uniform(0.02, 0.98, size=size)


def signs(size):
    return RNG.choice([-1.0, 1.0], size=size)


# (name, our function, torch function, prediction maker, target maker)
ELEMENTWISE = [
    ("mse", F.mse, TF.mse_loss, RNG.normal, RNG.normal),
    ("mae", F.mae, TF.l1_loss, RNG.normal, RNG.normal),
    ("huber", F.huber, TF.huber_loss, lambda size: 2 * RNG.normal(size=size), RNG.normal),
    ("bce", F.binary_cross_entropy, TF.binary_cross_entropy, probabilities, probabilities),
    ("bce_logits", F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
     lambda size: 4 * RNG.normal(size=size), probabilities),
    ("hinge", F.hinge, torch_hinge, RNG.normal, signs),
    ("perceptron", F.perceptron_criterion, torch_perceptron, RNG.normal, signs),
]
IDS = [case[0] for case in ELEMENTWISE]


def torch_value_and_grad(torch_fn, prediction, target, reduction):
    p = torch.tensor(prediction, requires_grad=True)
    loss = torch_fn(p, torch.tensor(target), reduction=reduction)
    loss.sum().backward()
    return loss.detach().numpy(), p.grad.numpy()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, ours, theirs, make_prediction, make_target", ELEMENTWISE, ids=IDS)
def test_tensor_losses_match_torch_in_value_and_gradient(name, ours, theirs, make_prediction, make_target,
                                                         reduction):
    prediction, target = make_prediction(size=(6, 3)), make_target(size=(6, 3))
    p = Tensor(prediction, requires_grad=True)
    loss = ours(p, target, reduction=reduction)
    loss.sum().backward()
    expected, expected_grad = torch_value_and_grad(theirs, prediction, target, reduction)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p.grad, expected_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, ours, theirs, make_prediction, make_target", ELEMENTWISE, ids=IDS)
def test_scalar_losses_match_torch_in_value_and_gradient(name, ours, theirs, make_prediction, make_target,
                                                         reduction):
    prediction, target = make_prediction(size=5), make_target(size=5)
    values = [Value(x) for x in prediction]
    loss = ours(values, target.tolist(), reduction=reduction)
    losses = loss if isinstance(loss, list) else [loss]
    sum(losses[1:], losses[0]).backward()
    expected, expected_grad = torch_value_and_grad(theirs, prediction, target, reduction)
    np.testing.assert_allclose([v.data for v in losses], np.atleast_1d(expected), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose([v.grad for v in values], expected_grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, ours, theirs, make_prediction, make_target", ELEMENTWISE, ids=IDS)
def test_a_single_value_prediction_gives_a_single_value_loss(name, ours, theirs, make_prediction, make_target):
    prediction, target = float(make_prediction(size=1)[0]), float(make_target(size=1)[0])
    loss = ours(Value(prediction), target)
    expected, _ = torch_value_and_grad(theirs, np.array([prediction]), np.array([target]), "mean")
    assert isinstance(loss, Value) and loss.data == pytest.approx(float(expected), abs=1e-12)


@pytest.mark.parametrize("name, ours, theirs, make_prediction, make_target", ELEMENTWISE, ids=IDS)
def test_float32_losses_match_torch_to_1e_6(name, ours, theirs, make_prediction, make_target):
    prediction = make_prediction(size=(32, 4)).astype(np.float32)
    target = make_target(size=(32, 4)).astype(np.float32)
    loss = ours(Tensor(prediction), target)
    expected = theirs(torch.from_numpy(prediction), torch.from_numpy(target))
    assert loss.dtype == np.float32
    assert abs(loss.item() - expected.item()) <= 1e-6 * max(1.0, abs(expected.item()))


@pytest.mark.parametrize("name, ours, theirs, make_prediction, make_target", ELEMENTWISE, ids=IDS)
def test_each_loss_passes_gradcheck(name, ours, theirs, make_prediction, make_target):
    prediction, target = make_prediction(size=(3, 2)), make_target(size=(3, 2))
    gradcheck(lambda p: ours(p, target), [Tensor(prediction, requires_grad=True)])


@settings(max_examples=30, deadline=None)
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), seed=st.integers(0, 2 ** 16),
       case=st.sampled_from(ELEMENTWISE))
def test_sum_and_mean_reductions_are_the_sum_and_mean_of_the_per_element_losses(shape, seed, case):
    _, ours, _, make_prediction, make_target = case
    prediction, target = Tensor(make_prediction(size=shape)), make_target(size=shape)
    per_element = ours(prediction, target, reduction="none").data
    assert per_element.shape == shape
    assert ours(prediction, target, reduction="sum").item() == pytest.approx(per_element.sum(), rel=1e-12, abs=1e-12)
    assert ours(prediction, target).item() == pytest.approx(per_element.mean(), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.5])
def test_huber_delta_matches_torch(delta):
    prediction, target = 3 * RNG.normal(size=20), RNG.normal(size=20)
    ours = F.huber(Tensor(prediction), target, delta=delta)
    assert ours.item() == pytest.approx(TF.huber_loss(torch.tensor(prediction), torch.tensor(target),
                                                      delta=delta).item(), abs=1e-12)
    assert nn.HuberLoss(delta=delta)(Tensor(prediction), target).item() == pytest.approx(ours.item(), abs=0)


def test_mse_by_hand():
    assert F.mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data == pytest.approx((1 + 4) / 2)
    assert F.mse(Tensor([1.0, 3.0]), [0.0, 1.0], reduction="sum").item() == 5.0


# ----------------------------------------------------------------------------- binary cross-entropy edges
def test_bce_clamps_the_log_at_minus_100_like_torch_with_finite_gradients():
    prediction, target = np.array([0.0, 1.0, 0.0, 1.0, 1e-50]), np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    for dtype, torch_dtype in [(np.float64, torch.float64), (np.float32, torch.float32)]:
        p = Tensor(prediction.astype(dtype), requires_grad=True)
        loss = F.binary_cross_entropy(p, target, reduction="none")
        expected = TF.binary_cross_entropy(torch.tensor(prediction, dtype=torch_dtype),
                                           torch.tensor(target, dtype=torch_dtype), reduction="none")
        np.testing.assert_allclose(loss.data, expected.numpy(), atol=1e-5)
        loss.sum().backward()
        assert np.all(np.isfinite(p.grad))
    values = [Value(x) for x in prediction]
    scalar = F.binary_cross_entropy(values, target.tolist(), reduction="sum")
    scalar.backward()
    assert scalar.data == pytest.approx(300.0)  # -log 0 twice and -log(1e-50) = 115, each clamped to 100
    assert all(np.isfinite(v.grad) for v in values)


def test_bce_with_logits_is_stable_for_huge_logits():
    logits, target = np.array([1000.0, -1000.0, 50.0, -50.0]), np.array([0.0, 1.0, 1.0, 0.0])
    ours = F.binary_cross_entropy_with_logits(Tensor(logits), target, reduction="none")
    expected = TF.binary_cross_entropy_with_logits(torch.tensor(logits), torch.tensor(target), reduction="none")
    np.testing.assert_allclose(ours.data, expected.numpy(), rtol=1e-12, atol=1e-15)
    scalar = F.binary_cross_entropy_with_logits([Value(x) for x in logits], target.tolist(), reduction="none")
    np.testing.assert_allclose([v.data for v in scalar], expected.numpy(), rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- cross-entropy and nll
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_integer_labels_matches_torch(reduction):
    logits, labels = RNG.normal(size=(7, 4)) * 3, RNG.integers(0, 4, size=7)
    x = Tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, labels, reduction=reduction)
    xt = torch.tensor(logits, requires_grad=True)
    expected = TF.cross_entropy(xt, torch.tensor(labels), reduction=reduction)
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), atol=1e-12)
    loss.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), atol=1e-12)


def test_cross_entropy_with_one_hot_rows_equals_integer_labels_and_torch_probabilities():
    logits, labels = RNG.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    one_hot = np.eye(3)[labels]
    by_label = F.cross_entropy(Tensor(logits), labels).item()
    assert F.cross_entropy(Tensor(logits), one_hot).item() == pytest.approx(by_label, abs=1e-12)
    assert F.cross_entropy(Tensor(logits), one_hot.astype(int)).item() == pytest.approx(by_label, abs=1e-12)
    soft = RNG.dirichlet(np.ones(3), size=5)
    expected = TF.cross_entropy(torch.tensor(logits), torch.tensor(soft)).item()
    assert F.cross_entropy(Tensor(logits), soft).item() == pytest.approx(expected, abs=1e-12)
    assert F.cross_entropy(Tensor(logits), Tensor(soft)).item() == pytest.approx(expected, abs=1e-12)


def test_cross_entropy_is_stable_for_logits_of_1e4():
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]])
    ours = F.cross_entropy(Tensor(logits), [1, 2], reduction="none")
    expected = TF.cross_entropy(torch.tensor(logits), torch.tensor([1, 2]), reduction="none")
    np.testing.assert_allclose(ours.data, expected.numpy(), rtol=1e-12)
    scalar = F.cross_entropy([[Value(x) for x in row] for row in logits], [1, 2], reduction="none")
    np.testing.assert_allclose([v.data for v in scalar], expected.numpy(), rtol=1e-12)


def test_cross_entropy_of_one_unbatched_sample_matches_torch():
    logits = RNG.normal(size=4)
    expected = TF.cross_entropy(torch.tensor(logits), torch.tensor(2)).item()
    assert F.cross_entropy(Tensor(logits), 2).item() == pytest.approx(expected, abs=1e-12)
    assert F.cross_entropy([Value(x) for x in logits], 2).data == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_scalar_cross_entropy_matches_torch_in_value_and_gradient(reduction):
    logits, labels = RNG.normal(size=(4, 3)), [2, 0, 1, 1]
    values = [[Value(x) for x in row] for row in logits]
    loss = F.cross_entropy(values, labels, reduction=reduction)
    losses = loss if isinstance(loss, list) else [loss]
    sum(losses[1:], losses[0]).backward()
    xt = torch.tensor(logits, requires_grad=True)
    expected = TF.cross_entropy(xt, torch.tensor(labels), reduction=reduction)
    expected.sum().backward()
    np.testing.assert_allclose([v.data for v in losses], np.atleast_1d(expected.detach().numpy()), atol=1e-12)
    np.testing.assert_allclose([[v.grad for v in row] for row in values], xt.grad.numpy(), atol=1e-12)


def test_scalar_cross_entropy_accepts_one_hot_rows():
    logits = [[Value(1.0), Value(2.0), Value(0.5)]]
    assert F.cross_entropy(logits, [[0.0, 1.0, 0.0]]).data == pytest.approx(F.cross_entropy(logits, [1]).data)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_matches_torch(reduction):
    log_probs, labels = np.log(RNG.dirichlet(np.ones(5), size=6)), RNG.integers(0, 5, size=6)
    x = Tensor(log_probs, requires_grad=True)
    loss = F.nll(x, labels, reduction=reduction)
    xt = torch.tensor(log_probs, requires_grad=True)
    expected = TF.nll_loss(xt, torch.tensor(labels), reduction=reduction)
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), atol=1e-12)
    loss.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), atol=1e-12)
    scalar = F.nll([[Value(v) for v in row] for row in log_probs], labels, reduction=reduction)
    np.testing.assert_allclose([v.data for v in (scalar if isinstance(scalar, list) else [scalar])],
                               np.atleast_1d(expected.detach().numpy()), atol=1e-12)


def test_class_labels_out_of_range_are_errors_that_say_labels_count_from_zero():
    with pytest.raises(ValueError, match=r"integers in \[0, 3\)"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), [1, 3])
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        F.cross_entropy([Value(0.0)] * 3, 3)
    with pytest.raises(ValueError, match=r"integers"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), [0.5, 1.0])


def test_cross_entropy_names_the_shapes_it_accepts():
    with pytest.raises(ValueError, match=r"labels of shape \(4,\)"):
        F.cross_entropy(Tensor(np.zeros((4, 3))), np.zeros(5, dtype=int))


# ----------------------------------------------------------------------------- hinge and perceptron by hand
def test_hinge_is_micrographs_max_margin_loss():
    scores, labels = [Value(2.0), Value(0.5), Value(-0.5)], [1, 1, 1]
    assert F.hinge(scores, labels).data == pytest.approx((0 + 0.5 + 1.5) / 3)


def test_perceptron_criterion_is_zero_for_correct_points_and_minus_margin_otherwise():
    scores, labels = Tensor([2.0, -0.5, 0.25]), [1.0, 1.0, -1.0]
    np.testing.assert_allclose(F.perceptron_criterion(scores, labels, reduction="none").data, [0.0, 0.5, 0.25])


# ----------------------------------------------------------------------------- modules and errors
MODULES = [
    (nn.MSELoss, F.mse), (nn.L1Loss, F.mae), (nn.HuberLoss, F.huber), (nn.BCELoss, F.binary_cross_entropy),
    (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits), (nn.HingeLoss, F.hinge),
    (nn.PerceptronLoss, F.perceptron_criterion),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("module, function", MODULES, ids=[m.__name__ for m, _ in MODULES])
def test_loss_modules_equal_their_functions(module, function, reduction):
    prediction, target = probabilities((4, 2)), signs((4, 2))
    if module not in (nn.HingeLoss, nn.PerceptronLoss):  # margin losses take -1/+1, the others 0/1
        target = target.clip(0, 1)
    np.testing.assert_array_equal(module(reduction=reduction)(Tensor(prediction), target).data,
                                  function(Tensor(prediction), target, reduction=reduction).data)


def test_class_loss_modules_equal_their_functions():
    logits, labels = RNG.normal(size=(4, 3)), [0, 2, 1, 2]
    assert nn.CrossEntropyLoss()(Tensor(logits), labels).item() == F.cross_entropy(Tensor(logits), labels).item()
    assert nn.NLLLoss(reduction="sum")(Tensor(logits), labels).item() == \
        F.nll(Tensor(logits), labels, reduction="sum").item()


def test_loss_modules_show_their_options():
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(reduction='mean', delta=2.0)"
    assert repr(nn.MSELoss("sum")) == "MSELoss(reduction='sum')"


def test_an_unknown_reduction_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'mean', 'sum', 'none'"):
        F.mse(Tensor([1.0]), [1.0], reduction="avg")
    with pytest.raises(ValueError, match="'mean'"):
        nn.MSELoss(reduction="average")


def test_a_prediction_and_target_of_different_shapes_is_an_error_that_suggests_a_reshape():
    with pytest.raises(ValueError, match=r"\(4, 1\) != target shape \(4,\).*reshape"):
        F.mse(Tensor(np.zeros((4, 1))), np.zeros(4))


def test_a_scalar_prediction_list_and_target_list_of_different_lengths_is_an_error():
    with pytest.raises(ValueError, match="3 predictions but 2 targets"):
        F.mae([Value(0.0)] * 3, [1.0, 2.0])


def test_bce_refuses_predictions_outside_zero_one_and_points_to_the_logits_version():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*1 value\(s\) outside, e.g. 1.5.*with_logits"):
        F.binary_cross_entropy(Tensor([0.5, 1.5]), [1.0, 0.0])
    with pytest.raises(ValueError, match="sigmoid"):
        F.binary_cross_entropy([Value(-0.2)], [1.0])


@pytest.mark.parametrize("loss", [F.hinge, F.perceptron_criterion])
def test_margin_losses_refuse_zero_one_labels_and_say_how_to_convert_them(loss):
    with pytest.raises(ValueError, match=r"labels -1 and \+1; got 0 .*2 \* y - 1"):
        loss(Tensor([0.5, -0.5]), np.array([0, 1]))
    with pytest.raises(ValueError, match="labels -1 and"):
        loss([Value(0.5)], [0.0])


def test_cross_entropy_with_one_score_per_sample_is_refused_because_its_loss_is_always_zero():
    with pytest.raises(ValueError, match="at least 2.*binary_cross_entropy_with_logits"):
        F.cross_entropy(Tensor(np.zeros((3, 1))), np.zeros((3, 1)))  # one-hot-shaped 0/1 column
    with pytest.raises(ValueError, match="at least 2"):
        F.cross_entropy(Tensor(np.zeros((3, 1))), [0, 1, 1])
    with pytest.raises(ValueError, match="at least 2"):
        F.cross_entropy([[Value(0.3)], [Value(-0.1)]], [0, 1])


def test_non_numeric_labels_and_targets_get_errors_that_say_how_to_encode_them():
    with pytest.raises(ValueError, match=r"dtype <U3.*np.unique\(y, return_inverse=True\)"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), np.array(["cat", "dog"]))
    with pytest.raises(ValueError, match="class label 'cat' is not an integer in \\[0, 2\\).*0..1"):
        F.cross_entropy([Value(0.0), Value(1.0)], "cat")
    with pytest.raises(ValueError, match="class label None"):
        F.nll([Value(0.0), Value(1.0)], None)
    with pytest.raises(ValueError, match="mse: the targets must be numbers"):
        F.mse(Tensor(np.zeros(2)), ["a", "b"])


def test_numpy_scores_are_taken_as_constant_tensors_by_softmax_and_cross_entropy():
    logits, labels = RNG.normal(size=(5, 3)), [0, 2, 1, 1, 0]
    assert F.cross_entropy(logits, labels).item() == F.cross_entropy(Tensor(logits), labels).item()
    np.testing.assert_array_equal(F.softmax(logits).data, F.softmax(Tensor(logits)).data)


def test_softmax_of_an_empty_list_or_a_bare_value_is_an_error_naming_what_it_takes():
    with pytest.raises(TypeError, match="non-empty list of Values"):
        F.softmax([])
    with pytest.raises(TypeError, match="non-empty list of Values"):
        F.log_softmax(Value(1.0))
