"""nn.init against torch.nn.init: the gain table, the bounds and spreads of every initialiser, in-place
filling of Tensors, arrays and lists of Values; seeding (nn.manual_seed, seed/generator arguments)."""
import math

import numpy as np
import pytest
import torch

import nn
from autograd_core import Tensor, Value
from nn import init
from nn.seeding import resolve_rng

SHAPE = (300, 200)  # fan_out 300, fan_in 200: 60,000 draws make the spread accurate to about 1%

GAINS = [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
         ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
         ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0), ("leaky_relu", math.sqrt(5)),
         ("selu", None)]


@pytest.mark.parametrize("nonlinearity, param", GAINS)
def test_calculate_gain_equals_torchs_table(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_calculate_gain_refuses_unknown_names_and_bad_slopes():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="slope"):
        init.calculate_gain("leaky_relu", "0.1")


def draw(fill, **kwargs):
    tensor = Tensor(np.zeros(SHAPE))
    fill(tensor, generator=0, **kwargs)
    return tensor.data


def torch_draw(fill, **kwargs):
    weight = torch.empty(SHAPE, dtype=torch.float64)
    fill(weight, generator=torch.Generator().manual_seed(0), **kwargs)
    return weight.numpy()


# (our initialiser, torch's, keyword arguments, expected half-width for uniform or std for normal)
UNIFORM = [
    (init.xavier_uniform_, torch.nn.init.xavier_uniform_, {}, math.sqrt(6 / 500)),
    (init.xavier_uniform_, torch.nn.init.xavier_uniform_, {"gain": 5 / 3}, 5 / 3 * math.sqrt(6 / 500)),
    (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {}, math.sqrt(6 / 200)),
    (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(200)),
    (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"},
     math.sqrt(3) * math.sqrt(2) / math.sqrt(300)),
    (init.uniform_, torch.nn.init.uniform_, {"a": -0.3, "b": 0.3}, 0.3),
]
NORMAL = [
    (init.xavier_normal_, torch.nn.init.xavier_normal_, {}, math.sqrt(2 / 500)),
    (init.kaiming_normal_, torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 200)),
    (init.kaiming_normal_, torch.nn.init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "tanh"},
     5 / 3 / math.sqrt(300)),
    (init.normal_, torch.nn.init.normal_, {"std": 0.02}, 0.02),
]


@pytest.mark.parametrize("ours, theirs, kwargs, bound", UNIFORM)
def test_uniform_initialisers_have_torchs_bounds(ours, theirs, kwargs, bound):
    mine, reference = draw(ours, **kwargs), torch_draw(theirs, **kwargs)
    for sample in (mine, reference):
        assert np.abs(sample).max() <= bound and np.abs(sample).max() > 0.999 * bound
    assert mine.std() == pytest.approx(reference.std(), rel=0.02)
    assert abs(mine.mean()) < 0.01 * bound


@pytest.mark.parametrize("ours, theirs, kwargs, std", NORMAL)
def test_normal_initialisers_have_torchs_spread(ours, theirs, kwargs, std):
    mine, reference = draw(ours, **kwargs), torch_draw(theirs, **kwargs)
    assert mine.std() == pytest.approx(std, rel=0.02)
    assert reference.std() == pytest.approx(std, rel=0.02)
    assert abs(mine.mean()) < 0.02 * std


def test_lecun_normal_is_torchs_kaiming_normal_with_linear_gain():
    mine = draw(init.lecun_normal_)
    reference = torch_draw(torch.nn.init.kaiming_normal_, nonlinearity="linear")
    assert mine.std() == pytest.approx(1 / math.sqrt(200), rel=0.02)
    assert mine.std() == pytest.approx(reference.std(), rel=0.03)


def test_normal_uses_the_given_mean():
    assert draw(init.normal_, mean=3.0, std=0.1).mean() == pytest.approx(3.0, abs=0.002)


def test_fans_count_the_receptive_field_like_torch():
    weight = Tensor(np.zeros((8, 4, 3, 3)))
    init.xavier_uniform_(weight, generator=0)
    bound = math.sqrt(6 / (4 * 9 + 8 * 9))
    assert np.abs(weight.data).max() <= bound


def test_fan_based_initialisers_need_two_dimensions():
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\[neuron.w\]"):
        init.kaiming_uniform_(Tensor(np.zeros(5)))
    with pytest.raises(ValueError, match="fan_in"):
        init.kaiming_normal_(Tensor(np.zeros((2, 2))), mode="fan_middle")


def test_constant_fills():
    t = Tensor(np.zeros((2, 3)))
    assert init.ones_(t) is t and np.all(t.data == 1.0)
    init.constant_(t, 0.5)
    assert np.all(t.data == 0.5)
    init.zeros_(t)
    assert np.all(t.data == 0.0)


# ----------------------------------------------------------------------------- what can be filled
def test_initialisers_fill_in_place_and_keep_the_tensor_and_its_dtype():
    t = Tensor(np.zeros((3, 4), dtype=np.float32), requires_grad=True)
    array = t.data
    init.xavier_normal_(t, generator=1)
    assert t.data is array and t.dtype == np.float32 and np.any(t.data != 0)


def test_float32_and_float64_targets_get_the_same_numbers_rounded():
    t32, t64 = Tensor(np.zeros((4, 4), dtype=np.float32)), Tensor(np.zeros((4, 4)))
    init.kaiming_uniform_(t32, generator=3)
    init.kaiming_uniform_(t64, generator=3)
    np.testing.assert_array_equal(t32.data, t64.data.astype(np.float32))


def test_lists_of_values_are_filled_in_place_with_their_nesting_as_shape():
    neurons = [[Value(0.0) for _ in range(3)] for _ in range(2)]
    flat = [v for row in neurons for v in row]
    init.xavier_uniform_(neurons, generator=5)
    t = Tensor(np.zeros((2, 3)))
    init.xavier_uniform_(t, generator=5)
    assert [v.data for v in flat] == t.data.ravel().tolist()
    single = [Value(0.0), Value(0.0)]
    init.uniform_(single, -1.0, 1.0, generator=0)
    assert all(-1.0 <= v.data <= 1.0 for v in single) and single[0].data != single[1].data


def test_a_numpy_array_is_filled_in_place():
    array = np.zeros((5, 5))
    init.normal_(array, generator=0)
    assert np.any(array != 0)


def test_ragged_lists_and_foreign_objects_are_refused():
    with pytest.raises(ValueError, match="ragged"):
        init.normal_([[Value(0.0)], [Value(0.0), Value(1.0)]])
    with pytest.raises(TypeError, match="expected Values"):
        init.normal_([1.0, 2.0])
    with pytest.raises(TypeError, match="cannot fill a str"):
        init.zeros_("weights")
    with pytest.raises(TypeError, match="int64"):
        init.zeros_(Tensor(np.zeros(3, dtype=np.int64)))


def test_default_linear_matches_a_seeded_linear_layer():
    weight, bias = Tensor(np.zeros((3, 2))), Tensor(np.zeros(3))
    init.default_linear_(weight, bias, generator=4)
    layer = nn.Linear(2, 3, dtype=np.float64, seed=4)
    np.testing.assert_array_equal(weight.data, layer.weight.data)
    np.testing.assert_array_equal(bias.data, layer.bias.data)


# ----------------------------------------------------------------------------- seeding
def test_manual_seed_makes_the_global_stream_repeat_bit_for_bit():
    nn.manual_seed(123)
    first = [init.normal_(Tensor(np.zeros(5))).data.copy() for _ in range(2)]
    nn.manual_seed(123)
    second = [init.normal_(Tensor(np.zeros(5))).data.copy() for _ in range(2)]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[0], first[1])


def test_an_int_seed_is_a_fresh_stream_and_a_generator_is_shared():
    assert np.array_equal(draw(init.normal_), draw(init.normal_))
    rng = np.random.default_rng(0)
    a, b = init.normal_(Tensor(np.zeros(3)), generator=rng).data, init.normal_(Tensor(np.zeros(3)), generator=rng).data
    assert not np.array_equal(a, b)


def test_resolve_rng_returns_the_global_generator_for_none_and_refuses_other_types():
    generator = nn.manual_seed(1)
    assert resolve_rng() is generator and resolve_rng(None) is generator
    own = np.random.default_rng(2)
    assert resolve_rng(own) is own
    assert isinstance(resolve_rng(np.int64(3)), np.random.Generator)
    with pytest.raises(TypeError, match=r"an int such as 0, or numpy.random.default_rng\(0\)"):
        resolve_rng(1.5)
    with pytest.raises(TypeError, match="int"):
        nn.manual_seed("1")
