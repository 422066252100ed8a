"""Rosenblatt's perceptron: the error-driven learning rule of 1958, no gradients and no loss function.

The unit outputs the positive class when ``w . x + b > 0``. Learning visits the samples one at a time;
each misclassified sample (``t * (w . x + b) <= 0`` with target ``t`` in {-1, +1}) moves the boundary
towards it: ``w += lr * t * x`` and ``b += lr * t``; correct samples change nothing. When an epoch makes
no mistake the data is separated and learning stops. By Novikoff's theorem this happens after finitely
many mistakes whenever the classes are linearly separable; when they are not (XOR) every epoch makes
at least one mistake, so the rule never stops by itself and ``fit`` reports that it did not converge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .data import check_finite
from .seeding import SeedLike, resolve_rng


@dataclass
class PerceptronHistory:
    """What ``Perceptron.fit`` did: whether an epoch ended without mistakes, and the mistakes of each epoch."""

    converged: bool
    epochs: int
    errors: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        if self.converged:
            return f"converged after {self.epochs} epoch(s): the data is linearly separated"
        return (f"did not converge in {self.epochs} epochs ({self.errors[-1]} mistake(s) in the last); "
                "the classes may not be linearly separable")


class Perceptron:
    """A single threshold unit trained with Rosenblatt's rule.

    Weights and bias start at zero (the starting point of the convergence theorem); with ``n_features=None``
    their number is taken from the data at the first ``fit``. ``seed`` fixes the order in which samples
    are visited, reshuffled each epoch (``shuffle=False`` keeps the given order).
    Labels may be any two values (0/1, -1/+1, ...); ``predict`` answers with the same two values.
    """

    def __init__(self, n_features: Optional[int] = None, lr: float = 1.0, seed: SeedLike = None,
                 shuffle: bool = True) -> None:
        if n_features is not None and (isinstance(n_features, bool) or not isinstance(n_features, (int, np.integer))
                                       or n_features < 1):
            raise ValueError(f"Perceptron: n_features={n_features!r} is invalid; give the number of inputs (>= 1), "
                             "or None to take it from the data.")
        if not lr > 0:
            raise ValueError(f"Perceptron: lr={lr!r} is invalid; give a learning rate > 0.")
        self.weights: np.ndarray | None = None if n_features is None else np.zeros(int(n_features))
        self.bias = 0.0
        self.lr = lr
        self.shuffle = shuffle
        self.classes = np.array([0, 1])
        self.history: PerceptronHistory | None = None
        self._rng = resolve_rng(seed)

    def _features(self, X: object) -> np.ndarray:
        """X as float64 (samples, n_features), refusing nan/inf (a nan margin is never a mistake, so the rule
        would wrongly report convergence)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or (self.weights is not None and X.shape[1] != len(self.weights)):
            expected = "features" if self.weights is None else len(self.weights)
            raise ValueError(f"Perceptron expects X of shape (samples, {expected}); got {X.shape}.")
        return check_finite(X, "Perceptron")

    def _signed_targets(self, y: object, n: int) -> np.ndarray:
        """Map the two label values to -1 (the smaller) and +1 (the larger)."""
        y = np.asarray(y)
        classes = np.unique(y)
        if y.shape != (n,) or len(classes) != 2:
            raise ValueError(f"Perceptron.fit expects one label per sample, with two classes; got shape {y.shape} "
                             f"and classes {classes.tolist()}. For more classes train one perceptron per class.")
        self.classes = classes
        return np.where(y == self.classes[1], 1.0, -1.0)

    def fit(self, X: object, y: object, max_epochs: int = 100) -> PerceptronHistory:
        """Apply the rule epoch after epoch until an epoch makes no mistake, or ``max_epochs`` have passed."""
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, np.integer)) or max_epochs < 1:
            raise ValueError(f"Perceptron.fit: max_epochs={max_epochs!r} is invalid; give a whole number >= 1.")
        X = self._features(X)
        targets = self._signed_targets(y, len(X))
        if self.weights is None:
            self.weights = np.zeros(X.shape[1])
        history = PerceptronHistory(converged=False, epochs=0)
        for _ in range(max_epochs):
            order = self._rng.permutation(len(X)) if self.shuffle else range(len(X))
            mistakes = 0
            for row in order:
                if targets[row] * (X[row] @ self.weights + self.bias) <= 0:
                    self.weights += self.lr * targets[row] * X[row]
                    self.bias += self.lr * targets[row]
                    mistakes += 1
            history.epochs += 1
            history.errors.append(mistakes)
            if mistakes == 0:
                history.converged = True
                break
        self.history = history
        return history

    def decision_function(self, X: object) -> np.ndarray:
        """The unit's net input ``w . x + b`` for each sample (its sign is the prediction)."""
        if self.weights is None:
            raise RuntimeError("Perceptron: call fit(X, y) first (n_features was not given, so the unit has no "
                               "weights yet).")
        return self._features(X) @ self.weights + self.bias

    def predict(self, X: object) -> np.ndarray:
        """The larger label where ``w . x + b > 0``, the smaller label elsewhere."""
        return np.where(self.decision_function(X) > 0, self.classes[1], self.classes[0])

    def __repr__(self) -> str:
        n_features = None if self.weights is None else len(self.weights)
        return f"Perceptron(n_features={n_features}, lr={self.lr}, weights={self.weights}, bias={self.bias})"
