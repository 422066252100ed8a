"""Module: names, modes, state dicts (strictness and errors), summary, repr and name scopes."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd_core import Tensor, Value, topological_order
from nn.module import IncompatibleKeys, StateDictError


class Affine(nn.Module):
    """A user-defined module: a Tensor parameter, a list of Values, a child and a list of children."""

    def __init__(self):
        self.scale = Tensor(np.ones(3), requires_grad=True)
        self.offsets = [Value(1.0), Value(2.0)]
        self.inner = nn.Linear(3, 2, dtype=np.float64)
        self.blocks = [nn.Linear(2, 2, dtype=np.float64), nn.ReLU()]

    def forward(self, x):
        x = self.inner(x * self.scale)
        for block in self.blocks:
            x = block(x)
        return x


def small_sequential():
    return nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.ReLU(), nn.Linear(4, 2, dtype=np.float64))


# ----------------------------------------------------------------------------- names
def test_named_parameters_use_dotted_attribute_names_lists_and_children():
    names = [name for name, _ in Affine().named_parameters()]
    assert names == ["scale", "offsets.0", "offsets.1", "inner.weight", "inner.bias",
                     "blocks.0.weight", "blocks.0.bias"]


def test_sequential_parameter_names_equal_torchs():
    ours = [name for name, _ in small_sequential().named_parameters()]
    theirs = [name for name, _ in torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                                       torch.nn.Linear(4, 2)).named_parameters()]
    assert ours == theirs


def test_mlp_parameter_names_reach_every_weight_of_every_neuron():
    model = nn.MLP(2, [3, 1])
    named = dict(model.named_parameters())
    assert named["layers.0.neurons.2.w.1"] is model.layers[0].neurons[2].w[1]
    assert named["layers.1.neurons.0.b"] is model.layers[1].neurons[0].b
    assert len(named) == (2 + 1) * 3 + (3 + 1) * 1


def test_a_shared_parameter_is_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(model.parameters()) == 2
    assert [name for name, _ in model.named_modules()] == ["", "0", "1"]


def test_named_modules_walk_depth_first_in_assignment_order():
    assert [name for name, _ in Affine().named_modules()] == ["", "inner", "blocks.0", "blocks.1"]


def test_parameters_is_a_list_like_micrographs():
    model = nn.MLP(2, [2, 1])
    assert isinstance(model.parameters(), list) and len(model.parameters()) == 9


# ----------------------------------------------------------------------------- gradients and modes
def test_zero_grad_resets_value_and_tensor_gradients():
    model = Affine()
    model(Tensor(np.ones((1, 3)))).sum().backward()
    for value in model.offsets:
        value.grad = 5.0
    assert model.inner.weight.grad is not None
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters() if isinstance(p, Tensor))
    assert all(p.grad == 0.0 for p in model.parameters() if isinstance(p, Value))


def test_train_and_eval_return_self_and_reach_every_submodule():
    model = Affine()
    assert model.eval() is model
    assert all(not m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())


def test_train_rejects_a_non_boolean_mode():
    with pytest.raises(TypeError, match="True or False"):
        small_sequential().train("no")


# ----------------------------------------------------------------------------- attributes
def test_an_unknown_attribute_raises_attribute_error_listing_the_real_ones():
    model = nn.MLP(2, [1])
    with pytest.raises(AttributeError, match="'layer'.*layers"):
        model.layer
    assert not hasattr(model, "weights")


def test_forward_must_be_defined_by_a_subclass():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1.0)


# ----------------------------------------------------------------------------- name scopes
def test_scalar_mlp_nodes_carry_the_scope_of_their_neuron():
    model = nn.MLP(2, [3, 1])
    out = model([1.0, -1.0])
    scopes = {node.scope for node in topological_order(out) if node.parents}
    assert scopes == {"layers.0.neurons.0", "layers.0.neurons.1", "layers.0.neurons.2", "layers.1.neurons.0"}


def test_scope_names_are_the_prefixes_of_the_parameter_names():
    model = nn.MLP(2, [3, 1])
    out = model([1.0, -1.0])
    prefixes = {name.split(".w.")[0].removesuffix(".b") for name, _ in model.named_parameters()}
    assert {node.scope for node in topological_order(out) if node.parents} == prefixes


def test_sequential_nodes_carry_the_index_of_their_layer():
    model = small_sequential()
    out = model(Tensor(np.ones((2, 3))))
    scopes = [node.scope for node in topological_order(out) if node.parents]
    assert set(scopes) == {"0", "1", "2"}
    assert out.scope == "2"


def test_nested_modules_nest_their_scopes_under_the_callers():
    out = Affine()(Tensor(np.ones((1, 3))))
    assert {node.scope for node in topological_order(out) if node.parents} == {"", "inner", "blocks.0", "blocks.1"}


# ----------------------------------------------------------------------------- state dicts
def test_state_dict_holds_copies_of_parameters_and_buffers():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                           "1.num_batches_tracked"]
    state["0.weight"][...] = 7.0
    assert not np.any(model[0].weight.data == 7.0)


def test_load_state_dict_writes_in_place_so_optimisers_keep_their_references():
    source, target = small_sequential(), small_sequential()
    weight = target[0].weight
    assert target.load_state_dict(source.state_dict()) == IncompatibleKeys([], [])
    assert target[0].weight is weight
    np.testing.assert_array_equal(weight.data, source[0].weight.data)


def test_load_state_dict_names_a_missing_key():
    state = small_sequential().state_dict()
    del state["2.bias"]
    with pytest.raises(StateDictError, match="'2.bias' is missing from the state dict"):
        small_sequential().load_state_dict(state)


def test_load_state_dict_names_an_unexpected_key():
    state = small_sequential().state_dict()
    state["3.weight"] = np.zeros((2, 2))
    with pytest.raises(StateDictError, match="'3.weight'.*is not in the model"):
        small_sequential().load_state_dict(state)


def test_load_state_dict_names_the_first_key_with_a_wrong_shape_and_both_shapes():
    state = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2)).state_dict()
    with pytest.raises(StateDictError, match=r"'0.weight' has shape \(5, 3\).*model's has shape \(4, 3\)"):
        small_sequential().load_state_dict(state)


def test_non_strict_loading_skips_missing_and_unexpected_keys_and_reports_them():
    model = small_sequential()
    state = small_sequential().state_dict()
    del state["0.bias"]
    state["extra"] = np.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result == IncompatibleKeys(["0.bias"], ["extra"])
    np.testing.assert_array_equal(model[0].weight.data, state["0.weight"])


def test_non_strict_loading_still_refuses_a_wrong_shape():
    state = small_sequential().state_dict()
    state["0.weight"] = np.zeros((1, 1))
    with pytest.raises(StateDictError, match="0.weight"):
        small_sequential().load_state_dict(state, strict=False)


def test_a_failed_load_changes_nothing():
    model = small_sequential()
    before = model.state_dict()
    state = small_sequential().state_dict()
    state["2.bias"] = np.zeros(7)
    with pytest.raises(StateDictError):
        model.load_state_dict(state)
    for key, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[key])


def test_load_state_dict_refuses_non_numeric_entries_by_name():
    state = small_sequential().state_dict()
    state["0.bias"] = np.array(["a", "b", "c", "d"])
    with pytest.raises(StateDictError, match="'0.bias'.*not numbers"):
        small_sequential().load_state_dict(state)


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4), seed=st.integers(0, 1000))
def test_any_sequential_or_mlp_round_trips_through_its_state_dict(sizes, seed):
    def sequential(s):
        layers = []
        for nin, nout in zip(sizes, sizes[1:]):
            layers += [nn.Linear(nin, nout, dtype=np.float64, seed=s), nn.Tanh()]
        return nn.Sequential(*layers)

    x = np.random.default_rng(seed).normal(size=(2, sizes[0]))
    source, target = sequential(seed), sequential(seed + 1)
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(target(Tensor(x)).data, source(Tensor(x)).data)
    mlp_source, mlp_target = nn.MLP(sizes[0], sizes[1:], seed=seed), nn.MLP(sizes[0], sizes[1:], seed=seed + 1)
    mlp_target.load_state_dict(mlp_source.state_dict())
    assert [p.data for p in mlp_target.parameters()] == [p.data for p in mlp_source.parameters()]


def test_user_modules_round_trip_values_tensors_and_children():
    source, target = Affine(), Affine()
    source.offsets[1].data = -4.0
    target.load_state_dict(source.state_dict())
    assert target.offsets[1].data == -4.0
    np.testing.assert_array_equal(target.blocks[0].weight.data, source.blocks[0].weight.data)


# ----------------------------------------------------------------------------- summary and repr
def test_summary_lists_each_layer_with_output_shape_and_parameter_count():
    net = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    text = net.summary(input_shape=(784,))
    rows = [line.split() for line in text.splitlines() if line.startswith(("0 ", "1 ", "2 ", "3 ", "4 "))]
    assert rows == [["0", "(Linear)", "(None,", "300)", "235,500"], ["1", "(ReLU)", "(None,", "300)", "0"],
                    ["2", "(Linear)", "(None,", "100)", "30,100"], ["3", "(ReLU)", "(None,", "100)", "0"],
                    ["4", "(Linear)", "(None,", "10)", "1,010"]]
    torch_count = sum(p.numel() for p in torch.nn.Sequential(torch.nn.Linear(784, 300), torch.nn.Linear(300, 100),
                                                              torch.nn.Linear(100, 10)).parameters())
    assert f"Total params: {torch_count:,}" in text
    assert "Trainable params: 266,610" in text and "Non-trainable params: 0" in text


def test_summary_works_for_the_scalar_mlp_and_guesses_the_input_size():
    text = nn.MLP(2, [16, 16, 1]).summary()
    assert "layers.0 (Layer)" in text and "(16,)" in text and "layers.2 (Layer)" in text
    assert "Total params: 337" in text  # micrograd's count for the same network


def test_summary_counts_frozen_parameters_as_non_trainable():
    net = small_sequential()
    net[0].weight.requires_grad = False
    assert "Non-trainable params: 12" in net.summary()


def test_summary_leaves_modes_and_running_statistics_untouched():
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    net[2].eval()
    before = net.state_dict()
    net.summary()
    assert [m.training for m in net.modules()] == [True, True, True, False]
    for key, array in net.state_dict().items():
        np.testing.assert_array_equal(array, before[key])


def test_summary_without_a_recognisable_input_size_asks_for_input_shape():
    with pytest.raises(ValueError, match="input_shape"):
        nn.Sequential(nn.ReLU()).summary()


def test_summary_repr_is_the_table_itself():
    summary = small_sequential().summary()
    assert repr(summary) == str(summary)


def test_sequential_repr_matches_torchs():
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2, bias=False), nn.Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2, bias=False),
                                 torch.nn.Sigmoid())
    assert repr(ours) == repr(theirs)


def test_mlp_repr_shows_layers_without_listing_every_neuron():
    assert repr(nn.MLP(2, [16, 1], output_activation="sigmoid")) == (
        "MLP(\n"
        "  (layers.0): Layer(nin=2, nout=16, activation='relu')\n"
        "  (layers.1): Layer(nin=16, nout=1, activation='sigmoid')\n"
        ")"
    )
