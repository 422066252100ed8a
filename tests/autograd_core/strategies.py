"""Shared helpers for tensor tests: hypothesis strategies (shapes, broadcastable shapes, arrays) and the torch oracle.

Shared by every test that draws tensors, so "a random shape" means the same thing everywhere: at
most 4 axes of at most 4 elements (small enough for central differences and for a fast suite).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_DIMS = 4
MAX_SIDE = 4


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1) -> st.SearchStrategy[tuple]:
    """Array shapes with ``min_dims..max_dims`` axes, each of ``min_side..MAX_SIDE`` elements."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=MAX_SIDE)


def broadcastable_shapes(count: int = 2, min_dims: int = 0) -> st.SearchStrategy[tuple]:
    """``count`` shapes that broadcast together under numpy's rules (sizes of 1, missing leading axes)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=min_dims, max_dims=MAX_DIMS,
                                             max_side=MAX_SIDE).map(lambda drawn: drawn.input_shapes)


def seeds() -> st.SearchStrategy[int]:
    """Seeds for ``np.random.default_rng``: values are drawn by numpy (fast), shapes by hypothesis (shrinkable)."""
    return st.integers(min_value=0, max_value=2**32 - 1)


def random_array(rng: np.random.Generator, shape: tuple, low: float = -2.0, high: float = 2.0,
                 away_from: tuple = ()) -> np.ndarray:
    """float64 uniform in [low, high), with every value at least 0.05 from each point in ``away_from``.

    Keeping away from kinks (relu and abs at 0, clip's bounds) keeps central differences exact there.
    """
    values = rng.uniform(low, high, shape)
    for kink in away_from:
        close = np.abs(values - kink) < 0.05
        values = np.where(close, kink + np.where(values >= kink, 0.05, -0.05) * 2, values)
    return values


def assert_matches_torch(ours, theirs, arrays: list, rng: np.random.Generator, rtol: float = 1e-10) -> None:
    """The oracle: ``ours`` on float64 Tensors and ``theirs`` on torch tensors give the same values and gradients.

    Both are seeded with the same random upstream gradient, so every entry of the Jacobian counts.
    ``torch`` is imported here (not at module level) so shape-only tests do not pay for it.
    """
    import torch

    from autograd_core import Tensor

    ours_in = [Tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*ours_in), theirs(*theirs_in)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for index, (mine, reference) in enumerate(zip(ours_in, theirs_in)):
        want = np.zeros(mine.shape) if reference.grad is None else reference.grad.numpy()
        got = np.zeros(mine.shape) if mine.grad is None else mine.grad
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12, err_msg=f"gradient of input #{index}")
