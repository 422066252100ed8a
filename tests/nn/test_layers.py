"""Tensor-level layers against torch.nn (the oracle): Linear, Sequential, Flatten, Dropout, BatchNorm1d,
activation modules, and state dicts that move between the two libraries."""
import numpy as np
import pytest
import torch

import nn
from autograd_core import Tensor, Value

RNG = np.random.default_rng(0)


def to_torch(array, grad=False):
    return torch.tensor(np.asarray(array), dtype=torch.float64, requires_grad=grad)


def torch_state(module):
    return {key: torch.from_numpy(np.array(value)) for key, value in module.state_dict().items()}


# ----------------------------------------------------------------------------- Linear
def test_linear_stores_weight_out_by_in_in_float32_by_default():
    layer = nn.Linear(5, 3)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad


def test_linear_default_init_stays_within_one_over_sqrt_fan_in():
    layer = nn.Linear(16, 500, seed=0)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= 0.25 and np.abs(p).max() > 0.24


def test_linear_forward_and_gradients_match_torch():
    layer = nn.Linear(4, 3, dtype=np.float64)
    reference = torch.nn.Linear(4, 3).double()
    reference.load_state_dict(torch_state(layer))
    x = RNG.normal(size=(5, 4))
    out = layer(Tensor(x, requires_grad=True))
    expected = reference(to_torch(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), atol=1e-10)


def test_linear_without_bias_has_only_a_weight():
    layer = nn.Linear(2, 2, bias=False)
    assert list(layer.state_dict()) == ["weight"]


def test_linear_names_the_expected_size_when_the_input_is_wrong():
    with pytest.raises(ValueError, match=r"Linear\(4, 3\) got input of shape \(2, 5\)"):
        nn.Linear(4, 3)(Tensor(np.ones((2, 5))))


def test_linear_converts_a_numpy_batch_to_its_own_dtype():
    layer = nn.Linear(2, 1)
    x = RNG.normal(size=(3, 2))
    out = layer(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, layer(Tensor(x.astype(np.float32))).data)


# ----------------------------------------------------------------------------- Sequential
def test_sequential_is_indexable_sized_iterable_and_sliceable():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    net = nn.Sequential(*layers)
    assert len(net) == 3 and list(net) == layers and net[1] is layers[1] and net[-1] is layers[2]
    head = net[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]


def test_sequential_append_names_the_new_child_by_its_index():
    net = nn.Sequential(nn.Linear(2, 3)).append(nn.ReLU()).append(nn.Linear(3, 1))
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_refuses_things_that_are_not_modules():
    with pytest.raises(TypeError, match="Modules"):
        nn.Sequential(lambda x: x)


def make_pair():
    ours = nn.Sequential(nn.Linear(6, 8, dtype=np.float64), nn.BatchNorm1d(8, dtype=np.float64),
                         nn.PReLU(dtype=np.float64), nn.Linear(8, 3, dtype=np.float64))
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.BatchNorm1d(8), torch.nn.PReLU(),
                                 torch.nn.Linear(8, 3)).double()
    return ours, theirs


def test_our_state_dict_loads_into_torch_sequential_with_the_same_outputs():
    ours, theirs = make_pair()
    ours(Tensor(RNG.normal(size=(10, 6))))  # move the running statistics away from their defaults
    theirs.load_state_dict(torch_state(ours))
    x = RNG.normal(size=(4, 6))
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(to_torch(x)).detach().numpy(), atol=1e-12)


def test_torchs_state_dict_loads_into_ours_with_the_same_outputs():
    ours, theirs = make_pair()
    theirs(to_torch(RNG.normal(size=(10, 6))))
    ours.load_state_dict(theirs.state_dict())
    assert ours[1].num_batches_tracked == 1
    x = RNG.normal(size=(4, 6))
    for mode in ("train", "eval"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        np.testing.assert_allclose(ours(Tensor(x)).data, theirs(to_torch(x)).detach().numpy(), atol=1e-10)


def test_state_dict_keys_and_shapes_equal_torchs():
    ours, theirs = make_pair()
    assert {k: v.shape for k, v in ours.state_dict().items()} == \
           {k: tuple(v.shape) for k, v in theirs.state_dict().items()}


# ----------------------------------------------------------------------------- Flatten
def test_flatten_keeps_the_batch_axis_by_default():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0)(x).shape == (24,)
    assert nn.Flatten(1, 1)(x).shape == (2, 3, 4)


# ----------------------------------------------------------------------------- Dropout
def test_dropout_is_the_identity_in_eval_mode():
    x = Tensor(RNG.normal(size=(4, 5)))
    assert nn.Dropout(0.5).eval()(x) is x


def test_dropout_zeroes_about_p_and_scales_the_rest_by_one_over_keep():
    x = Tensor(np.ones((200, 500)))
    out = nn.Dropout(0.3, seed=0)(x).data
    assert abs((out == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.7)
    assert abs(out.mean() - 1.0) < 0.01  # inverted dropout keeps the expected value


def test_dropout_gradient_is_the_same_mask_and_scale():
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    out = nn.Dropout(0.5, seed=1)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)


def test_dropout_masks_are_reproducible_from_a_seed_or_manual_seed():
    x = Tensor(np.ones((10, 10)))
    np.testing.assert_array_equal(nn.Dropout(0.5, seed=3)(x).data, nn.Dropout(0.5, seed=3)(x).data)
    nn.manual_seed(4)
    first = nn.Dropout(0.5)(x).data
    nn.manual_seed(4)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, first)


def test_dropout_keeps_float32_and_handles_p_zero_and_one():
    x = Tensor(np.ones((3, 3), dtype=np.float32))
    assert nn.Dropout(0.5)(x).dtype == np.float32
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, 0.0)
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


def test_dropout_statistics_match_torchs():
    torch.manual_seed(0)
    x = np.ones((400, 400))
    ours = nn.Dropout(0.2, seed=0)(Tensor(x)).data
    theirs = torch.nn.Dropout(0.2)(to_torch(x)).numpy()
    assert sorted(np.unique(ours).round(12)) == sorted(np.unique(theirs).round(12))
    assert abs((ours == 0).mean() - (theirs == 0).mean()) < 0.01


# ----------------------------------------------------------------------------- BatchNorm1d
@pytest.mark.parametrize("shape", [(8, 4), (6, 4, 3)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_training_matches_torch_in_outputs_gradients_and_running_statistics(shape, momentum):
    ours = nn.BatchNorm1d(4, momentum=momentum, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(4, momentum=momentum).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.linspace(0.5, 2.0, 4))
        theirs.bias.copy_(torch.linspace(-1.0, 1.0, 4))
    ours.load_state_dict(theirs.state_dict())
    for step in range(3):
        x = RNG.normal(loc=step, scale=2.0, size=shape)
        xt, xo = to_torch(x, grad=True), Tensor(x, requires_grad=True)
        upstream = RNG.normal(size=shape)
        out, expected = ours(xo), theirs(xt)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-10)
        (out * upstream).sum().backward()
        (expected * to_torch(upstream)).sum().backward()
        np.testing.assert_allclose(xo.grad, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), atol=1e-10)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), atol=1e-12, err_msg=key)


def test_batchnorm_eval_uses_running_statistics_like_torch():
    ours, theirs = nn.BatchNorm1d(3, dtype=np.float64), torch.nn.BatchNorm1d(3).double()
    for _ in range(4):
        x = RNG.normal(loc=3.0, size=(5, 3))
        ours(Tensor(x)), theirs(to_torch(x))
    ours.eval(), theirs.eval()
    x = RNG.normal(size=(2, 3))
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(to_torch(x)).detach().numpy(), atol=1e-12)
    before = ours.state_dict()
    ours(Tensor(x))
    np.testing.assert_array_equal(ours.state_dict()["running_mean"], before["running_mean"])


def test_batchnorm_in_training_refuses_a_batch_of_one():
    with pytest.raises(ValueError, match="more than one value"):
        nn.BatchNorm1d(3)(Tensor(np.ones((1, 3))))
    assert nn.BatchNorm1d(3).eval()(Tensor(np.ones((1, 3)))).shape == (1, 3)


def test_batchnorm_names_the_expected_feature_count():
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        nn.BatchNorm1d(3)(Tensor(np.ones((4, 5))))


def test_batchnorm_without_affine_has_no_weight_and_bias():
    ours = nn.BatchNorm1d(3, affine=False)
    assert ours.parameters() == []
    assert list(ours.state_dict()) == list(torch.nn.BatchNorm1d(3, affine=False).state_dict())


# ----------------------------------------------------------------------------- activation modules
ACTIVATIONS = [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.ELU(), torch.nn.ELU()),
    (nn.ELU(0.5), torch.nn.ELU(0.5)),
    (nn.SELU(), torch.nn.SELU()),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=2.0), torch.nn.Softplus(beta=2.0)),
    (nn.Softmax(axis=1), torch.nn.Softmax(dim=1)),
    (nn.Softmax(axis=0), torch.nn.Softmax(dim=0)),
    (nn.Identity(), torch.nn.Identity()),
]


@pytest.mark.parametrize("ours, theirs", ACTIVATIONS, ids=[repr(t) for _, t in ACTIVATIONS])
def test_activation_modules_match_torch_in_value_and_gradient(ours, theirs):
    x = RNG.normal(scale=3.0, size=(4, 5))
    upstream = RNG.normal(size=(4, 5))
    xo, xt = Tensor(x, requires_grad=True), to_torch(x, grad=True)
    out, expected = ours(xo), theirs(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    (out * upstream).sum().backward()
    (expected * to_torch(upstream)).sum().backward()
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("channels, shape", [(1, (4, 5)), (5, (4, 5)), (3, (2, 3, 4))])
def test_prelu_learns_its_slope_like_torch(channels, shape):
    ours = nn.PReLU(channels, dtype=np.float64)
    theirs = torch.nn.PReLU(channels).double()
    assert ours.alpha is ours.weight and np.all(ours.weight.data == 0.25)
    x = RNG.normal(size=shape)
    xo, xt = Tensor(x, requires_grad=True), to_torch(x, grad=True)
    out, expected = ours(xo), theirs(xt)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), atol=1e-10)


def test_step_module_thresholds_at_zero_with_a_straight_through_gradient():
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    out = nn.Step()(x)
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 1.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])


def test_activation_modules_also_work_on_values():
    assert nn.ReLU()(Value(-2.0)).data == 0.0
    assert [v.data for v in nn.Tanh()([Value(0.0), Value(0.0)])] == [0.0, 0.0]
    assert sum(v.data for v in nn.Softmax()([Value(1.0), Value(2.0)])) == pytest.approx(1.0)


def test_activation_module_reprs_show_their_settings():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(nn.BatchNorm1d(4)) == "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True)"


def test_training_with_dropout_twice_from_the_same_manual_seed_gives_identical_losses():
    def run():
        nn.manual_seed(1)
        net = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 1))
        X = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
        y = X.sum(axis=1, keepdims=True)
        losses = []
        for _ in range(5):
            loss = nn.mse(net(Tensor(X)), y)
            net.zero_grad()
            loss.backward()
            for p in net.parameters():
                p.data -= 0.05 * p.grad
            losses.append(loss.item())
        return losses

    assert run() == run()
