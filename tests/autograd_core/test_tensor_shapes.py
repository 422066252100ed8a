"""Tensor linear algebra and shape ops: matmul in every numpy case, reshape and friends, indexing, joining.

Each op three ways, as in ``test_tensor_ops.py``: a hand-worked value, a float64 gradient check and
parity with PyTorch.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import given, settings

from autograd_core import Tensor, concatenate, gradcheck, stack
from tests.autograd_core.strategies import assert_matches_torch, random_array, seeds, shapes

ORACLE = settings(max_examples=15, deadline=None)


def leaves(*arrays: np.ndarray) -> list[Tensor]:
    return [Tensor(a, requires_grad=True) for a in arrays]


# ----------------------------------------------------------------------------- matmul
MATMUL_SHAPES = [
    ((3,), (3,)),              # dot product -> scalar
    ((3,), (3, 2)),            # vector @ matrix
    ((2, 3), (3,)),            # matrix @ vector
    ((2, 3), (3, 4)),          # matrix @ matrix
    ((5, 2, 3), (3, 4)),       # batch @ matrix (the matrix is broadcast over the batch)
    ((2, 3), (5, 3, 4)),       # matrix @ batch
    ((5, 2, 3), (5, 3, 4)),    # batch @ batch
    ((2, 1, 2, 3), (4, 3, 1)),  # batch shapes (2, 1) and (4,) broadcast to (2, 4)
    ((3,), (5, 3, 2)),         # vector @ batch
    ((5, 2, 3), (3,)),         # batch @ vector
]


def test_matmul_gives_the_hand_worked_value_and_gradients() -> None:
    a = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = Tensor([[5.0], [6.0]], requires_grad=True)
    out = a @ b
    out.sum().backward()
    assert out.data.tolist() == [[17.0], [39.0]]
    assert a.grad.tolist() == [[5.0, 6.0], [5.0, 6.0]]  # g @ b^T with g all ones
    assert b.grad.tolist() == [[4.0], [6.0]]  # a^T @ g: column sums of a


@pytest.mark.parametrize("shape_a, shape_b", MATMUL_SHAPES, ids=str)
def test_matmul_passes_the_gradient_check_in_every_numpy_case(shape_a: tuple, shape_b: tuple) -> None:
    rng = np.random.default_rng(0)
    assert gradcheck(lambda a, b: a @ b, leaves(random_array(rng, shape_a), random_array(rng, shape_b)))


@pytest.mark.parametrize("shape_a, shape_b", MATMUL_SHAPES, ids=str)
def test_matmul_matches_pytorch_in_every_numpy_case(shape_a: tuple, shape_b: tuple) -> None:
    rng = np.random.default_rng(1)
    assert_matches_torch(lambda a, b: a @ b, torch.matmul, [random_array(rng, shape_a), random_array(rng, shape_b)],
                         rng)


def test_matmul_method_and_reflected_array_operand() -> None:
    rng = np.random.default_rng(2)
    a, b = random_array(rng, (2, 3)), random_array(rng, (3, 4))
    t = Tensor(b, requires_grad=True)
    out = a @ t
    out.sum().backward()
    np.testing.assert_allclose(out.data, a @ b)
    np.testing.assert_allclose(t.grad, a.T @ np.ones((2, 4)))
    np.testing.assert_allclose(Tensor(a).matmul(t).data, a @ b)


def test_matmul_skips_the_gradient_of_an_operand_that_does_not_require_it() -> None:
    x, w = Tensor(np.ones((2, 3))), Tensor(np.ones((3, 4)), requires_grad=True)
    contributions = (x @ w)._vjp(np.ones((2, 4)))
    assert contributions[0] is None and contributions[1].shape == (3, 4)


# ----------------------------------------------------------------------------- shape ops
SHAPE_OPS: dict[str, tuple[tuple, Callable, Callable]] = {
    # name: (input shape, ours, torch's)
    "reshape": ((2, 3, 4), lambda t: t.reshape(4, -1), lambda t: t.reshape(4, -1)),
    "reshape tuple": ((2, 3, 4), lambda t: t.reshape((6, 4)), lambda t: t.reshape(6, 4)),
    "flatten": ((2, 3, 4), lambda t: t.flatten(), lambda t: t.flatten()),
    "flatten from 1": ((2, 3, 4), lambda t: t.flatten(1), lambda t: t.flatten(1)),
    "flatten middle": ((2, 3, 4, 5), lambda t: t.flatten(1, 2), lambda t: t.flatten(1, 2)),
    "squeeze all": ((2, 1, 3, 1), lambda t: t.squeeze(), lambda t: t.squeeze()),
    "squeeze one": ((2, 1, 3, 1), lambda t: t.squeeze(1), lambda t: t.squeeze(1)),
    "unsqueeze": ((2, 3), lambda t: t.unsqueeze(1), lambda t: t.unsqueeze(1)),
    "expand_dims last": ((2, 3), lambda t: t.expand_dims(-1), lambda t: t.unsqueeze(-1)),
    "T": ((2, 3), lambda t: t.T, lambda t: t.T),
    "transpose 3-D": ((2, 3, 4), lambda t: t.transpose(2, 0, 1), lambda t: t.permute(2, 0, 1)),
    "transpose tuple": ((2, 3, 4), lambda t: t.transpose((1, 2, 0)), lambda t: t.permute(1, 2, 0)),
    "transpose reversed": ((2, 3, 4), lambda t: t.transpose(), lambda t: t.permute(2, 1, 0)),
}


def test_shape_ops_give_the_hand_worked_values() -> None:
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert t.T.data.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert t.reshape(3, 2).data.tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert t.flatten().data.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert t.unsqueeze(0).shape == (1, 2, 3) and t.unsqueeze(0).squeeze(0).shape == (2, 3)
    assert t.reshape(1, 2, 3).transpose(2, 0, 1).data.tolist() == [[[0.0, 3.0]], [[1.0, 4.0]], [[2.0, 5.0]]]
    (t.T * Tensor([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])).sum().backward()
    assert t.grad.tolist() == [[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]  # the weights, transposed back


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_passes_the_gradient_check(name: str) -> None:
    shape, ours, _ = SHAPE_OPS[name]
    assert gradcheck(lambda t: ours(t) * 1.0, leaves(random_array(np.random.default_rng(3), shape)))


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_matches_pytorch(name: str) -> None:
    shape, ours, theirs = SHAPE_OPS[name]
    rng = np.random.default_rng(4)
    assert_matches_torch(ours, theirs, [random_array(rng, shape)], rng)


@ORACLE
@given(shape=shapes(), seed=seeds())
def test_reshape_to_any_shape_of_the_same_size_round_trips_the_gradient(shape: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = random_array(rng, shape)
    new_shape = tuple(rng.permutation(shape))  # same size, generally a different shape
    assert_matches_torch(lambda t: t.reshape(new_shape), lambda t: t.reshape(new_shape), [x], rng)
    assert_matches_torch(lambda t: t.T, lambda t: t.permute(tuple(reversed(range(t.ndim)))), [x], rng)


def test_flatten_of_a_zero_dimensional_tensor_gives_one_element() -> None:
    t = Tensor(3.0, requires_grad=True)
    out = t.flatten()
    out.sum().backward()
    assert out.shape == (1,) and t.grad.shape == () and t.grad == 1.0


# ----------------------------------------------------------------------------- indexing
INDEXES: dict[str, Any] = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, None),
    "int and slice": (slice(None), 2),
    "step slice": (slice(None, None, 2), slice(None)),
    "none and ellipsis": (None, Ellipsis, 0),
    "bool mask": np.array([True, False, True]),
    "int array": np.array([2, 0]),
    "repeated int array": np.array([0, 0, 2, 0]),
    "int arrays per axis": (np.array([0, 0, 2]), np.array([1, 1, 3])),
    "list": [1, 1],
}


def test_indexing_with_repeated_indices_accumulates_the_gradient() -> None:
    t = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = t[[0, 0, 2, 0]]
    (out * Tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert out.data.tolist() == [10.0, 10.0, 30.0, 10.0]
    assert t.grad.tolist() == [1.0 + 2.0 + 4.0, 0.0, 3.0]


def test_indexing_rows_and_labels_picks_one_entry_per_row_as_in_cross_entropy() -> None:
    logits = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    labels = np.array([1, 0, 1])
    picked = logits[np.arange(3), labels]
    picked.sum().backward()
    assert picked.data.tolist() == [2.0, 3.0, 6.0]
    assert logits.grad.tolist() == [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]


def test_an_integer_tensor_works_as_an_index() -> None:
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    t[Tensor([2, 2])].sum().backward()
    assert t.grad.tolist() == [0.0, 0.0, 2.0]
    assert Tensor([[1.0, 2.0]])[Tensor([0]), Tensor([1])].data.tolist() == [2.0]


@pytest.mark.parametrize("name", INDEXES)
def test_indexing_passes_the_gradient_check(name: str) -> None:
    x = random_array(np.random.default_rng(5), (3, 4))
    assert gradcheck(lambda t: t[INDEXES[name]] * 1.0, leaves(x))


@pytest.mark.parametrize("name", INDEXES)
def test_indexing_matches_pytorch(name: str) -> None:
    index = INDEXES[name]
    as_torch = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index) \
        if isinstance(index, tuple) else (torch.tensor(index) if isinstance(index, np.ndarray) else index)
    rng = np.random.default_rng(6)
    assert_matches_torch(lambda t: t[index], lambda t: t[as_torch], [random_array(rng, (3, 4))], rng)


@ORACLE
@given(shape=shapes(min_dims=1), seed=seeds())
def test_random_repeated_integer_indices_match_pytorch(shape: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    index = rng.integers(0, shape[0], size=rng.integers(1, 8))
    assert_matches_torch(lambda t: t[index], lambda t: t[torch.tensor(index)], [random_array(rng, shape)], rng)


# ----------------------------------------------------------------------------- joining
def test_concatenate_and_stack_give_hand_worked_values_and_split_the_gradient() -> None:
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    out = concatenate([a, b])
    (out * Tensor([1.0, 2.0, 3.0])).sum().backward()
    assert out.data.tolist() == [1.0, 2.0, 3.0]
    assert a.grad.tolist() == [1.0, 2.0] and b.grad.tolist() == [3.0]
    c, d = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    out = stack([c, d], axis=1)
    (out * Tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert out.data.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert c.grad.tolist() == [1.0, 3.0] and d.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_passes_the_gradient_check_and_matches_pytorch(axis: int) -> None:
    rng = np.random.default_rng(7)
    sizes = [1, 3, 2]
    arrays = [random_array(rng, tuple(n if i == axis % 3 else 2 for i in range(3))) for n in sizes]
    assert gradcheck(lambda *ts: concatenate(ts, axis=axis), leaves(*arrays))
    assert_matches_torch(lambda *ts: concatenate(ts, axis=axis), lambda *ts: torch.cat(ts, dim=axis), arrays, rng)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_stack_passes_the_gradient_check_and_matches_pytorch(axis: int) -> None:
    rng = np.random.default_rng(8)
    arrays = [random_array(rng, (2, 3)) for _ in range(3)]
    assert gradcheck(lambda *ts: stack(ts, axis=axis), leaves(*arrays))
    assert_matches_torch(lambda *ts: stack(ts, axis=axis), lambda *ts: torch.stack(ts, dim=axis), arrays, rng)


def test_joining_mixes_tensors_with_constant_arrays_and_skips_their_gradient() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = concatenate([np.zeros(2), t, [5.0]])
    out.sum().backward()
    assert out.data.tolist() == [0.0, 0.0, 1.0, 2.0, 5.0] and t.grad.tolist() == [1.0, 1.0]
    assert [p.requires_grad for p in out.parents] == [False, True, False]
    assert stack([t, np.array([3.0, 4.0])]).shape == (2, 2)
