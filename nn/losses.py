"""Loss modules: each wraps one function of ``nn.functional`` with its options, as ``torch.nn`` does.

``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, labels)`` equals
``nn.functional.cross_entropy(logits, labels)``. Every loss takes ``reduction="mean"|"sum"|"none"``.
"""
from __future__ import annotations

from typing import Any, Callable

from . import functional as F
from .module import Module


class _Loss(Module):
    """A loss function with its options fixed at construction."""

    function: Callable[..., Any]

    def __init__(self, reduction: str = "mean") -> None:
        F.check_reduction(reduction)
        self.reduction = reduction

    def forward(self, prediction: Any, target: Any) -> Any:
        return type(self).function(prediction, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error, ``nn.functional.mse``."""

    function = F.mse


class L1Loss(_Loss):
    """Mean absolute error, ``nn.functional.mae``."""

    function = F.mae


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities, ``nn.functional.binary_cross_entropy``."""

    function = F.binary_cross_entropy


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (stable), ``nn.functional.binary_cross_entropy_with_logits``."""

    function = F.binary_cross_entropy_with_logits


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits and labels (or one-hot rows), ``nn.functional.cross_entropy``."""

    function = F.cross_entropy


class NLLLoss(_Loss):
    """Negative log-likelihood on log-probabilities, ``nn.functional.nll``."""

    function = F.nll


class HingeLoss(_Loss):
    """Max-margin loss relu(1 - y s) with y in {-1, +1}, ``nn.functional.hinge``."""

    function = F.hinge


class PerceptronLoss(_Loss):
    """The perceptron criterion relu(-y s), ``nn.functional.perceptron_criterion``."""

    function = F.perceptron_criterion


class HuberLoss(_Loss):
    """Quadratic within ``delta`` of the target, linear beyond, ``nn.functional.huber``."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, prediction: Any, target: Any) -> Any:
        return F.huber(prediction, target, delta=self.delta, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"
