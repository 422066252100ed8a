"""Neuron, Layer and MLP of Values: hand-worked values, return types, graph economy, and parity with
the tensor level and with PyTorch (same weights: same outputs and gradients to 1e-10 in float64)."""
import math

import numpy as np
import pytest
import torch

import nn
from autograd_core import Tensor, Value, topological_order

ACTIVATION_PAIRS = [  # (name, torch function)
    ("relu", torch.relu), ("tanh", torch.tanh), ("sigmoid", torch.sigmoid),
    ("leaky_relu", torch.nn.functional.leaky_relu), ("elu", torch.nn.functional.elu),
    ("selu", torch.selu), ("softplus", torch.nn.functional.softplus), ("linear", lambda x: x),
]
TENSOR_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU,
                      "elu": nn.ELU, "selu": nn.SELU, "softplus": nn.Softplus, "linear": nn.Identity}


def set_weights(neuron, w, b):
    for value, number in zip(neuron.w, w):
        value.data = number
    neuron.b.data = b


# ----------------------------------------------------------------------------- hand-worked values
def test_neuron_computes_activation_of_weighted_sum_plus_bias():
    neuron = nn.Neuron(2, activation="tanh")
    set_weights(neuron, [-3.0, 1.0], 6.8813735870195432)
    out = neuron([2.0, 0.0])
    assert out.data == pytest.approx(math.tanh(-6 + 6.8813735870195432))
    out.backward()
    local = 1 - out.data ** 2
    assert [w.grad for w in neuron.w] == pytest.approx([2.0 * local, 0.0])
    assert neuron.b.grad == pytest.approx(local)


def test_neuron_without_bias_has_no_b_and_no_bias_term():
    neuron = nn.Neuron(2, activation=None, bias=False)
    assert neuron.b is None and len(neuron.parameters()) == 2
    neuron.w[0].data, neuron.w[1].data = 2.0, 3.0
    assert neuron([1.0, 1.0]).data == 5.0


def test_neuron_accepts_a_function_as_activation():
    neuron = nn.Neuron(1, activation=lambda v: v * v)
    set_weights(neuron, [2.0], 1.0)
    assert neuron([1.0]).data == 9.0


def test_an_unknown_activation_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="relu"):
        nn.Neuron(2, activation="swish")


@pytest.mark.parametrize("name, torch_fn", ACTIVATION_PAIRS)
def test_each_named_activation_matches_torch_in_value_and_gradient(name, torch_fn):
    layer = nn.Layer(3, 4, activation=name, seed=1)
    x = [0.3, -1.2, 2.0]
    outs = layer(x)
    sum(outs[1:], outs[0]).backward()
    weight = torch.tensor(layer.state_dict()["weight"], requires_grad=True)
    bias = torch.tensor(layer.state_dict()["bias"], requires_grad=True)
    expected = torch_fn(torch.tensor(x, dtype=torch.float64) @ weight.T + bias)
    expected.sum().backward()
    assert [o.data for o in outs] == pytest.approx(expected.tolist(), abs=1e-12)
    grads = [[w.grad for w in n.w] for n in layer.neurons]
    np.testing.assert_allclose(grads, weight.grad.numpy(), atol=1e-12)


# ----------------------------------------------------------------------------- call style and return types
def test_layer_returns_a_list_even_with_one_output():
    out = nn.Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_mlp_returns_a_value_for_one_output_and_a_list_otherwise():
    assert isinstance(nn.MLP(2, [4, 1])([1.0, 2.0]), Value)
    out = nn.MLP(2, [4, 3])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_mlp_accepts_numbers_values_numpy_rows_and_a_bare_number_for_one_input():
    model = nn.MLP(2, [4, 1], seed=0)
    expected = model([0.5, -1.0]).data
    assert model([Value(0.5), Value(-1.0)]).data == expected
    assert model(np.array([0.5, -1.0])).data == expected
    assert model((0.5, -1)).data == expected
    single = nn.MLP(1, [3, 1], seed=0)
    assert single(0.25).data == single([0.25]).data


def test_a_wrong_number_of_inputs_is_an_error_naming_both_counts():
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        nn.MLP(3, [2, 1])([1.0, 2.0])


def test_non_numeric_inputs_are_refused():
    with pytest.raises(TypeError, match="str"):
        nn.Layer(2, 1)(["a", "b"])


def test_a_batch_array_or_a_tensor_is_refused_with_the_one_sample_at_a_time_fix():
    model = nn.MLP(2, [3, 1])
    with pytest.raises(TypeError, match=r"ndarray of shape \(4, 2\).*nn.predict\(model, X\)"):
        model(np.zeros((4, 2)))
    with pytest.raises(TypeError, match=r"Tensor of shape \(2,\).*nn.Sequential"):
        model(Tensor(np.zeros(2)))


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="nouts"):
        nn.MLP(2, 3)
    with pytest.raises(ValueError, match="nout"):
        nn.Layer(2, 0)
    with pytest.raises(ValueError, match="nin"):
        nn.Neuron(0)


def test_hidden_layers_use_activation_and_the_last_uses_output_activation():
    model = nn.MLP(2, [3, 3, 1], activation="tanh", output_activation="sigmoid")
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "sigmoid"]
    assert nn.MLP(2, [3, 1]).layers[-1].activation == "linear"


def test_mlp_has_micrographs_parameter_count():
    assert len(nn.MLP(2, [16, 16, 1]).parameters()) == 337


# ----------------------------------------------------------------------------- graph economy
def test_a_neuron_makes_one_dot_node_and_one_activation_node():
    neuron = nn.Neuron(5, activation="relu")
    x = [Value(float(i)) for i in range(5)]
    made = [node for node in topological_order(neuron(x)) if node.parents]
    assert [node.op for node in made] == ["dot", "relu"]


def test_a_linear_neuron_adds_no_activation_node():
    made = [node for node in topological_order(nn.Neuron(3, activation=None)([1.0, 2.0, 3.0])) if node.parents]
    assert [node.op for node in made] == ["dot"]


def test_a_layer_wraps_each_numeric_input_once_for_all_its_neurons():
    out = nn.Layer(2, 3)([1.0, 2.0])
    dots = [o.parents[0] for o in out]
    input_ids = {tuple(id(p) for p in d.parents[2:4]) for d in dots}
    assert len(input_ids) == 1


def test_mlp_graph_size_is_two_nodes_per_neuron_plus_inputs_and_parameters():
    model = nn.MLP(2, [16, 16, 1])
    nodes = topological_order(model([1.0, 2.0]))
    made = [n for n in nodes if n.parents]
    assert len(made) == 2 * 16 + 2 * 16 + 1
    assert len(nodes) - len(made) == 337 + 2


# ----------------------------------------------------------------------------- initialisation and seeding
def test_default_initialisation_is_pytorchs_uniform_bound():
    model = nn.MLP(4, [200, 1], seed=3)
    weights = np.array([[w.data for w in n.w] + [n.b.data] for n in model.layers[0].neurons])
    assert np.abs(weights).max() <= 0.5
    assert np.abs(weights).max() > 0.49  # 1000 draws reach near the bound 1/sqrt(4)


def test_the_same_seed_gives_the_same_model_and_another_seed_a_different_one():
    def weights(seed):
        return [p.data for p in nn.MLP(2, [8, 1], seed=seed).parameters()]

    assert weights(5) == weights(5)
    assert weights(5) != weights(6)


def test_manual_seed_makes_unseeded_models_reproducible():
    nn.manual_seed(11)
    first = [p.data for p in nn.MLP(2, [8, 1]).parameters()]
    nn.manual_seed(11)
    assert [p.data for p in nn.MLP(2, [8, 1]).parameters()] == first


def test_after_the_same_manual_seed_mlp_and_sequential_start_from_the_same_weights():
    nn.manual_seed(7)
    mlp = nn.MLP(2, [16, 16, 1])
    nn.manual_seed(7)
    seq = nn.Sequential(nn.Linear(2, 16, dtype=np.float64), nn.ReLU(), nn.Linear(16, 16, dtype=np.float64),
                        nn.ReLU(), nn.Linear(16, 1, dtype=np.float64))
    ours = mlp.state_dict()
    for index, key in [(0, "0"), (1, "2"), (2, "4")]:
        np.testing.assert_array_equal(ours[f"layers.{index}.weight"], seq.state_dict()[f"{key}.weight"])
        np.testing.assert_array_equal(ours[f"layers.{index}.bias"], seq.state_dict()[f"{key}.bias"])


# ----------------------------------------------------------------------------- parity with the tensor level and torch
def mlp_and_sequential(activation="tanh", output_activation="sigmoid"):
    mlp = nn.MLP(3, [5, 4, 2], activation=activation, output_activation=output_activation, seed=2)
    act, out = TENSOR_ACTIVATIONS[activation], TENSOR_ACTIVATIONS[output_activation]
    seq = nn.Sequential(nn.Linear(3, 5, dtype=np.float64), act(), nn.Linear(5, 4, dtype=np.float64), act(),
                        nn.Linear(4, 2, dtype=np.float64), out())
    state = mlp.state_dict()
    seq.load_state_dict({f"{2 * i}.{kind}": state[f"layers.{i}.{kind}"] for i in range(3) for kind in ("weight", "bias")})
    return mlp, seq


@pytest.mark.parametrize("activation, output_activation", [("tanh", "sigmoid"), ("relu", "linear"),
                                                           ("elu", "softplus")])
def test_scalar_mlp_and_tensor_sequential_agree_on_outputs_and_gradients(activation, output_activation):
    mlp, seq = mlp_and_sequential(activation, output_activation)
    X = np.random.default_rng(0).normal(size=(6, 3))
    targets = np.random.default_rng(1).normal(size=(6, 2))
    scalar_outputs, tensor_outputs = [mlp(row.tolist()) for row in X], seq(Tensor(X))
    np.testing.assert_allclose([[v.data for v in row] for row in scalar_outputs], tensor_outputs.data, atol=1e-12)
    scalar_loss = nn.mse(scalar_outputs, targets.tolist())
    tensor_loss = nn.mse(tensor_outputs, targets)
    scalar_loss.backward()
    tensor_loss.backward()
    assert scalar_loss.data == pytest.approx(tensor_loss.item(), abs=1e-12)
    for layer, linear in zip(mlp.layers, [seq[0], seq[2], seq[4]]):
        grads = np.array([[w.grad for w in n.w] for n in layer.neurons])
        np.testing.assert_allclose(grads, linear.weight.grad, atol=1e-10)
        np.testing.assert_allclose([n.b.grad for n in layer.neurons], linear.bias.grad, atol=1e-10)


def test_scalar_mlp_state_dict_loads_into_the_equivalent_torch_module_and_back():
    class TorchMLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList([torch.nn.Linear(2, 4), torch.nn.Linear(4, 1)])

        def forward(self, x):
            return self.layers[1](torch.relu(self.layers[0](x)))

    ours = nn.MLP(2, [4, 1], seed=4)
    theirs = TorchMLP().double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = [0.7, -0.2]
    assert ours(x).data == pytest.approx(theirs(torch.tensor(x, dtype=torch.float64)).item(), abs=1e-12)
    with torch.no_grad():
        theirs.layers[0].weight.mul_(-2.0)
    ours.load_state_dict(theirs.state_dict())
    assert ours(x).data == pytest.approx(theirs(torch.tensor(x, dtype=torch.float64)).item(), abs=1e-12)


def test_a_standalone_neuron_saves_like_a_one_output_linear():
    neuron = nn.Neuron(3, activation=None)
    linear = torch.nn.Linear(3, 1).double()
    linear.load_state_dict({k: torch.from_numpy(v) for k, v in neuron.state_dict().items()})
    x = [1.0, 2.0, -1.0]
    assert neuron(x).data == pytest.approx(linear(torch.tensor(x, dtype=torch.float64)).item(), abs=1e-12)


def test_training_the_scalar_mlp_twice_with_the_same_seed_gives_identical_losses():
    def run():
        nn.manual_seed(0)
        model = nn.MLP(2, [8, 1], activation="tanh")
        X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [-1, 1, 1, -1]
        losses = []
        for _ in range(5):
            loss = nn.hinge([model(x) for x in X], y) + nn.l2_penalty(model, 1e-4)
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.1 * p.grad
            losses.append(loss.data)
        return losses

    assert run() == run()
