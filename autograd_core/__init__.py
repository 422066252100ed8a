"""autograd-core: a small, exact reverse-mode automatic-differentiation engine.

``Value`` is a scalar node for seeing backpropagation; ``Tensor`` is a numpy node for training on
real data. Both are nodes of one graph engine with one backward loop (``engine.py``).
Importing this package imports numpy and nothing heavier.
"""
from .engine import (AnomalyError, anomaly_mode, enable_grad, is_grad_enabled, name_scope, no_grad,
                     topological_order, zero_grad)
from .functional import grad, value_and_grad
from .gradcheck import GradcheckError, gradcheck
from .stepping import Step, backward_steps
from .tensor import Tensor, concatenate, maximum, minimum, stack, where
from .value import Value, dot

__all__ = [
    "Value", "Tensor", "dot", "concatenate", "maximum", "minimum", "stack", "where",
    "AnomalyError", "anomaly_mode", "enable_grad", "is_grad_enabled", "name_scope", "no_grad",
    "topological_order", "zero_grad", "grad", "value_and_grad", "gradcheck", "GradcheckError",
    "Step", "backward_steps",
]
