"""Seeding: one global numpy ``Generator`` behind every random choice, so a run can be replayed bit for bit.

Everything random in ``nn`` (initial weights, dropout masks, shuffling, dataset makers) takes a
``seed`` (or ``generator``) argument that is either an ``int`` or a ``numpy.random.Generator``, and
falls back to the global generator when it is ``None``. ``manual_seed(s)`` replaces the global
generator, so ``nn.manual_seed(0)`` at the top of a script makes the whole run reproducible.

Like PyTorch, a fresh process starts from a fixed seed (``DEFAULT_SEED``), so even an unseeded
script gives the same numbers twice; call ``manual_seed`` to pick another stream.
"""
from __future__ import annotations

import numbers
from typing import Union

import numpy as np

SeedLike = Union[int, np.random.Generator, None]

DEFAULT_SEED = 0

_global_generator = np.random.default_rng(DEFAULT_SEED)


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the global generator to ``seed`` and return it (like ``torch.manual_seed``)."""
    global _global_generator
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"manual_seed: the seed must be an int, got {type(seed).__name__} {seed!r}.")
    _global_generator = np.random.default_rng(int(seed))
    return _global_generator


def resolve_rng(seed_or_generator: SeedLike = None) -> np.random.Generator:
    """The generator to draw from: the global one for ``None``, a new one for an ``int``, or the one given.

    Passing the same ``Generator`` to several constructors makes them draw one after the other
    from a single stream; passing an ``int`` gives each call its own fresh stream.
    """
    if seed_or_generator is None:
        return _global_generator
    if isinstance(seed_or_generator, np.random.Generator):
        return seed_or_generator
    if isinstance(seed_or_generator, numbers.Integral) and not isinstance(seed_or_generator, bool):
        return np.random.default_rng(int(seed_or_generator))
    raise TypeError(
        f"expected a seed (int), a numpy.random.Generator or None, got {type(seed_or_generator).__name__} "
        f"{seed_or_generator!r}. Fix: pass an int such as 0, or numpy.random.default_rng(0)."
    )
