"""Tensor: a numpy-array node of the graph, for training on real data at numpy speed.

Each op computes its forward result with one or a few numpy calls and states its *vector-Jacobian
product* (VJP): given ``g``, the gradient arriving at the output, what each parent receives. The
engine (``engine.py``) applies these once per node in reverse topological order, exactly as it does
for ``Value``. Every contribution a VJP returns already has its parent's shape and dtype: a parent
that numpy broadcast in the forward pass gets ``g`` summed back over the broadcast axes
(``_unbroadcast``).

Rules worth knowing (all follow numpy or PyTorch, as stated):

- ``Tensor(data)`` copies ``data`` (like ``torch.tensor``); dtypes follow numpy, so Python floats and
  lists of floats give float64 and a float32 array stays float32. Integer and bool tensors are fine as
  data (indices, labels, masks) but cannot require grad.
- dtype promotion follows numpy 2: Python numbers keep a tensor's dtype (``x32 * 2.0`` is float32),
  mixing float32 and float64 tensors gives float64. A gradient always has its own tensor's dtype.
- Only tensors that need it record a graph: an op records its parents when grad mode is on and at
  least one input has ``requires_grad``; otherwise the result is a plain leaf and costs no memory.
- ``.grad`` is kept (accumulating over ``backward()`` calls, like PyTorch) by leaves with
  ``requires_grad`` and by tensors that called ``retain_grad()``; other intermediate tensors keep
  ``None`` (PyTorch's rule: a training step then holds no per-node gradient arrays). To stay fast,
  backward does not copy: two leaves' ``.grad`` may share memory (both operands of ``a + b``), so
  replace ``.grad`` (``p.grad = np.clip(p.grad, -1, 1)``) rather than modifying it in place.
- Floating-point edge cases follow numpy (log(0) = -inf with a RuntimeWarning, ...); ``anomaly_mode()``
  turns the first nan/inf into an error naming the op.
"""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence, Union

import numpy as np

from . import engine
from .engine import state
from .value import SELU_ALPHA, SELU_SCALE, Value

if TYPE_CHECKING:
    from .stepping import Step

ArrayLike = Any  # anything np.asarray accepts: ndarray, list, tuple, number
Axis = Union[None, int, tuple]
_ndarray = np.ndarray
_new = object.__new__


# ----------------------------------------------------------------------------- ops
class TensorOp:
    """One kind of tensor operation, shared by every node it makes (no memory per node, no closures).

    ``vjp(out, g)`` returns one contribution per parent of ``out`` (``None`` for a parent that does
    not require grad). ``expression`` and ``formulas`` are templates over ``{a}``, ``{b}`` (the
    parents), ``{out}`` and ``{k}`` (the op's constant argument), like ``ScalarOp``'s; ``g`` stands
    for the upstream gradient, so each formula is the VJP that parent receives. ``ctx_is_constant``
    says that a node's ``_ctx`` is the op's constant argument ``{k}`` (``t ** 3``, ``leaky_relu(0.2)``),
    not an axis or an index. ``broadcasts`` marks elementwise ops whose operands numpy may broadcast.
    """

    __slots__ = ("name", "expression", "formulas", "vjp", "ctx_is_constant", "broadcasts")

    def __init__(self, name: str, expression: str, formulas: tuple[str, ...],
                 vjp: Callable[["Tensor", np.ndarray], tuple], ctx_is_constant: bool = False,
                 broadcasts: bool = False) -> None:
        self.name = name
        self.expression = expression
        self.formulas = formulas
        self.vjp = vjp
        self.ctx_is_constant = ctx_is_constant
        self.broadcasts = broadcasts

    def templates(self, node: "Tensor") -> tuple[str, tuple[str, ...]]:
        """The expression and one formula per parent of ``node``; ops over any number of inputs
        (``concatenate``, ``stack``) state one formula that every input shares, and a broadcast
        operand's formula says its gradient is summed back to its own shape (``unbroadcast``)."""
        formulas = self.formulas
        if len(formulas) == 1 and len(node._parents) > 1:
            formulas = formulas * len(node._parents)
        if self.broadcasts:
            formulas = tuple(formula if parent.shape == node.shape else f"({formula}) summed to shape {parent.shape}"
                             for formula, parent in zip(formulas, node._parents))  # what _fit does
        return self.expression, formulas

    def __repr__(self) -> str:
        return f"TensorOp({self.name!r})"


def _unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` over the axes numpy broadcast to reach ``g.shape`` from ``shape`` (the chain rule of a copy)."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=axes).reshape(shape) if axes else g.reshape(shape)


def _fit(g: np.ndarray, parent: "Tensor") -> np.ndarray:
    """``g`` summed back to ``parent``'s shape and cast to its dtype: what the engine expects a VJP to return."""
    data = parent.data
    if g.shape != data.shape:
        g = _unbroadcast(g, data.shape)
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    return g


def _expand_reduced(g: np.ndarray, out: "Tensor") -> np.ndarray:
    """Re-insert the axes a reduction with ``keepdims=False`` removed, so ``g`` broadcasts against the input."""
    axis, keepdims = out._ctx[0], out._ctx[1]
    return g if keepdims or axis is None else np.expand_dims(g, axis)


# -- binary elementwise ---------------------------------------------------------------------
def _add_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    a, b = out._parents
    return (_fit(g, a) if a._requires_grad else None, _fit(g, b) if b._requires_grad else None)


def _sub_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    a, b = out._parents
    return (_fit(g, a) if a._requires_grad else None, _fit(-g, b) if b._requires_grad else None)


def _mul_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    a, b = out._parents
    return (_fit(g * b.data, a) if a._requires_grad else None,
            _fit(g * a.data, b) if b._requires_grad else None)


def _div_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    a, b = out._parents
    return (_fit(g / b.data, a) if a._requires_grad else None,
            _fit(-g * out.data / b.data, b) if b._requires_grad else None)


def _pow_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    a, b = out._parents
    ga = _fit(g * b.data * np.power(a.data, b.data - 1), a) if a._requires_grad else None
    gb = None
    if b._requires_grad:
        with np.errstate(divide="ignore", invalid="ignore"):
            log_a = np.log(a.data)
        # 0 ** b = 0 for b >= 0 has no slope in b (PyTorch's convention), not 0 * log(0) = nan
        gb = _fit(np.where((a.data == 0) & (b.data >= 0), 0, g * out.data * log_a), b)
    return ga, gb


def _extremum_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    """The winner of each pair gets ``g``; a tie splits it evenly (PyTorch's rule)."""
    a, b = out._parents
    A, B = a.data, b.data
    wins = np.greater if out._op is MAXIMUM else np.less
    half = g * 0.5
    ties = A == B
    return (_fit(np.where(wins(A, B), g, np.where(ties, half, 0)), a) if a._requires_grad else None,
            _fit(np.where(wins(B, A), g, np.where(ties, half, 0)), b) if b._requires_grad else None)


def _where_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    a, b = out._parents
    condition = out._ctx
    return (_fit(np.where(condition, g, 0), a) if a._requires_grad else None,
            _fit(np.where(condition, 0, g), b) if b._requires_grad else None)


# d(a+b) = g, g
ADD = TensorOp("+", "{a} + {b}", ("g", "g"), _add_vjp, broadcasts=True)
# d(a-b) = g, -g
SUB = TensorOp("-", "{a} - {b}", ("g", "-g"), _sub_vjp, broadcasts=True)
# d(a*b) = g*b, g*a
MUL = TensorOp("*", "{a} * {b}", ("g * {b}", "g * {a}"), _mul_vjp, broadcasts=True)
# d(a/b) = g/b, -g*a/b^2 (= -g*out/b)
DIV = TensorOp("/", "{a} / {b}", ("g / {b}", "-g * {a} / {b}^2"), _div_vjp, broadcasts=True)
# d(a^b) = g*b*a^(b-1), g*a^b*ln(a)
POW = TensorOp("**", "{a} ** {b}", ("g * {b} * {a}^({b} - 1)", "g * {out} * ln({a})"), _pow_vjp, broadcasts=True)
# the larger (smaller) side gets g, a tie gives each side g/2
MAXIMUM = TensorOp("maximum", "maximum({a}, {b})",
                   ("g where {a} > {b} (g/2 at ties)", "g where {b} > {a} (g/2 at ties)"), _extremum_vjp,
                   broadcasts=True)
MINIMUM = TensorOp("minimum", "minimum({a}, {b})",
                   ("g where {a} < {b} (g/2 at ties)", "g where {b} < {a} (g/2 at ties)"), _extremum_vjp,
                   broadcasts=True)
WHERE = TensorOp("where", "where(condition, {a}, {b})", ("g where condition", "g where not condition"), _where_vjp,
                 broadcasts=True)


# -- unary elementwise (the one parent always requires grad: otherwise no graph was recorded) ----
def _unary(name: str, formula: str, vjp: Callable[["Tensor", np.ndarray], np.ndarray],
           expression: str = "", ctx_is_constant: bool = False) -> TensorOp:
    """An op with one parent whose contribution ``vjp(out, g)`` already has the parent's shape and dtype."""
    return TensorOp(name, expression or f"{name}({{a}})", (formula,), lambda out, g: (vjp(out, g),),
                    ctx_is_constant)


def _x(out: "Tensor") -> np.ndarray:
    """The data of the single parent of ``out``."""
    return out._parents[0].data


NEG = _unary("neg", "-g", lambda out, g: -g, "-{a}")
POW_CONST = _unary("**k", "g * {k} * {a}^({k} - 1)",
                   lambda out, g: g * (out._ctx * np.power(_x(out), out._ctx - 1)), "{a} ** {k}",
                   ctx_is_constant=True)
EXP = _unary("exp", "g * {out}", lambda out, g: g * out.data)
LOG = _unary("log", "g / {a}", lambda out, g: g / _x(out))
SQRT = _unary("sqrt", "g / (2 * {out})", lambda out, g: g * 0.5 / out.data)
ABS = _unary("abs", "g * sign({a})", lambda out, g: g * np.sign(_x(out)))
TANH = _unary("tanh", "g * (1 - {out}^2)", lambda out, g: g * (1 - out.data * out.data))
SIGMOID = _unary("sigmoid", "g * {out} * (1 - {out})", lambda out, g: g * out.data * (1 - out.data))
RELU = _unary("relu", "g * [{a} > 0]", lambda out, g: g * (out.data > 0))
LEAKY_RELU = _unary("leaky_relu", "g * (1 if {a} > 0 else {k})",
                    lambda out, g: np.where(_x(out) > 0, g, g * out._ctx), ctx_is_constant=True)
# elu'(x) = alpha * exp(x) = out + alpha for x <= 0
ELU = _unary("elu", "g * (1 if {a} > 0 else {out} + {k})",
             lambda out, g: np.where(_x(out) > 0, g, g * (out.data + out._ctx)), ctx_is_constant=True)
# selu'(x) = scale * alpha * exp(x) = out + scale * alpha for x <= 0
SELU = _unary("selu", "g * (scale if {a} > 0 else {out} + scale * alpha)",
              lambda out, g: np.where(_x(out) > 0, g * SELU_SCALE, g * (out.data + SELU_SCALE * SELU_ALPHA)))
SOFTPLUS = _unary("softplus", "g * sigmoid({a})", lambda out, g: g * _sigmoid(_x(out)))
SIN = _unary("sin", "g * cos({a})", lambda out, g: g * np.cos(_x(out)))
COS = _unary("cos", "-g * sin({a})", lambda out, g: -g * np.sin(_x(out)))
# clip passes g where min <= a <= max (inclusive, as torch.clamp)
CLIP = _unary("clip", "g * [min <= {a} <= max]", lambda out, g: g * _inside(_x(out), *out._ctx))
# step and sign have zero slope almost everywhere; as Value does, pass g straight through
STEP = _unary("step", "g (straight-through)", lambda out, g: g)
SIGN = _unary("sign", "g (straight-through)", lambda out, g: g)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: e^-|x| never exceeds 1."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def _inside(x: np.ndarray, low: Optional[float], high: Optional[float]) -> np.ndarray:
    if low is None:
        return x <= high
    if high is None:
        return x >= low
    return (x >= low) & (x <= high)


# -- reductions (ctx = (axis, keepdims, ...)) ---------------------------------------------------
def _reduced_count(out: "Tensor") -> float:
    """n: how many input elements went into each element of a reduction's output."""
    return _x(out).size / max(out.data.size, 1)


def _sum_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    return np.broadcast_to(_expand_reduced(g, out), _x(out).shape)


def _mean_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    return np.broadcast_to(_expand_reduced(g, out) * (1.0 / _reduced_count(out)), _x(out).shape)


def _extreme_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    """g goes to the elements equal to the max (min); ties split it evenly."""
    axis = out._ctx[0]
    hits = _x(out) == _expand_reduced(out.data, out)
    count = hits.sum(axis=axis, keepdims=True, dtype=g.dtype)
    return hits * (_expand_reduced(g, out) / count)


def _var_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    axis, _, ddof = out._ctx
    x = _x(out)
    count = _reduced_count(out)
    centred = x - x.mean(axis=axis, keepdims=True)
    scale = 2.0 / (count - ddof) if count > ddof else np.nan  # no spread to measure: nan, as the forward value
    return _expand_reduced(g, out) * centred * scale


def _logsumexp_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    return _expand_reduced(g, out) * np.exp(_x(out) - _expand_reduced(out.data, out))


SUM = _unary("sum", "broadcast(g)", _sum_vjp)
MEAN = _unary("mean", "broadcast(g) / n", _mean_vjp)
MAX = _unary("max", "broadcast(g) at the arg-max (split at ties)", _extreme_vjp)
MIN = _unary("min", "broadcast(g) at the arg-min (split at ties)", _extreme_vjp)
# var = mean((a - mean(a))^2) * n / (n - ddof); its VJP is g * 2 (a - mean(a)) / (n - ddof)
VAR = _unary("var", "g * 2 * ({a} - mean({a})) / (n - ddof)", _var_vjp)
LOGSUMEXP = _unary("logsumexp", "g * exp({a} - {out}) (= g * softmax({a}))", _logsumexp_vjp)


# -- softmax family (ctx = axis) ------------------------------------------------------------------
def _softmax_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    s = out.data
    return s * (g - (g * s).sum(axis=out._ctx, keepdims=True))


def _log_softmax_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    p = np.exp(out.data)
    p *= g.sum(axis=out._ctx, keepdims=True)
    return g - p


SOFTMAX = _unary("softmax", "{out} * (g - sum(g * {out}))", _softmax_vjp)
LOG_SOFTMAX = _unary("log_softmax", "g - exp({out}) * sum(g)", _log_softmax_vjp)


# -- linear algebra ---------------------------------------------------------------------------
def _matmul_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    """d(a @ b) = g @ b^T for a, a^T @ g for b, with numpy's 1-D promotion and batch broadcasting undone."""
    a, b = out._parents
    A, B = a.data, b.data
    if A.ndim == 2 and B.ndim == 2:
        return (_fit(g @ B.T, a) if a._requires_grad else None,
                _fit(A.T @ g, b) if b._requires_grad else None)
    # promote 1-D operands to matrices as numpy did, and give g back the axes numpy dropped
    if B.ndim == 1:
        B, g = B[:, None], g[..., None]
    if A.ndim == 1:
        A, g = A[None, :], g[..., None, :]
    return (_from_promoted(g @ np.swapaxes(B, -1, -2), A.shape, a) if a._requires_grad else None,
            _from_promoted(np.swapaxes(A, -1, -2) @ g, B.shape, b) if b._requires_grad else None)


def _from_promoted(g: np.ndarray, promoted: tuple, parent: "Tensor") -> np.ndarray:
    """Sum g over broadcast batch axes to the operand's promoted shape, then drop the promotion."""
    if g.shape != promoted:
        g = _unbroadcast(g, promoted)
    return _fit(g.reshape(parent.data.shape), parent)


MATMUL = TensorOp("matmul", "{a} @ {b}", ("g @ {b}^T", "{a}^T @ g"), _matmul_vjp)


# -- shape ------------------------------------------------------------------------------------------
def _reshape_back(out: "Tensor", g: np.ndarray) -> np.ndarray:
    return g.reshape(_x(out).shape)


def _transpose_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    axes = out._ctx
    return g.transpose() if axes is None else g.transpose(np.argsort(axes))


def _getitem_vjp(out: "Tensor", g: np.ndarray) -> np.ndarray:
    """Scatter g into zeros of the input's shape; ``np.add.at`` sums repeated integer indices."""
    index = out._ctx
    full = np.zeros_like(_x(out))
    if _is_basic_index(index):
        full[index] = g
    else:
        np.add.at(full, index, g)
    return full


def _is_basic_index(index: Any) -> bool:
    """Ints, slices, None, ``...`` and boolean masks (no integer arrays): no element is picked twice."""
    for part in index if type(index) is tuple else (index,):
        if isinstance(part, _ndarray):
            if part.dtype != np.bool_:
                return False
        elif not (part is None or part is Ellipsis or isinstance(part, (numbers.Integral, slice))):
            return False
    return True


def _concatenate_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    axis, boundaries = out._ctx
    pieces = np.split(g, boundaries, axis=axis)
    return tuple(_fit(piece, parent) if parent._requires_grad else None for parent, piece in zip(out._parents, pieces))


def _stack_vjp(out: "Tensor", g: np.ndarray) -> tuple:
    pieces = np.moveaxis(g, out._ctx, 0)
    return tuple(_fit(piece, parent) if parent._requires_grad else None for parent, piece in zip(out._parents, pieces))


RESHAPE = _unary("reshape", "reshape(g, shape of {a})", _reshape_back)
FLATTEN = _unary("flatten", "reshape(g, shape of {a})", _reshape_back)
SQUEEZE = _unary("squeeze", "reshape(g, shape of {a})", _reshape_back)
UNSQUEEZE = _unary("unsqueeze", "reshape(g, shape of {a})", _reshape_back)
TRANSPOSE = _unary("transpose", "transpose(g, inverse axes)", _transpose_vjp)
GETITEM = _unary("getitem", "zeros like {a} with g added at the index", _getitem_vjp, "{a}[index]")
CONCATENATE = TensorOp("concatenate", "concatenate(...)", ("g split along the axis",), _concatenate_vjp)
STACK = TensorOp("stack", "stack(...)", ("g unstacked along the axis",), _stack_vjp)


# ----------------------------------------------------------------------------- making nodes
def _make(data: Any, parents: tuple, op: TensorOp, ctx: object = None) -> "Tensor":
    """An op's output node. It records its parents only if grad mode is on and some parent requires grad."""
    out = _new(Tensor)
    out.data = data if type(data) is _ndarray else np.asarray(data)
    out.grad = None
    out.label = ""
    out._retains = False
    out._scope = state.scope
    record = False
    if state.grad_enabled:
        for parent in parents:
            if parent._requires_grad:
                record = True
                break
    if record:
        out._parents = parents
        out._op = op
        out._ctx = ctx
        out._requires_grad = True
    else:
        out._parents = ()
        out._op = None
        out._ctx = None
        out._requires_grad = False
    if state.anomaly:
        engine.check_forward(out, op)
    return out


def _mix_error(what: str) -> TypeError:
    return TypeError(f"{what}: got a Value; Value and Tensor do not mix in one graph. Use Tensor(value.data) "
                     "for a constant, or build the whole computation from Values or from Tensors.")


def _lift(operand: Any, like: "Tensor", what: str) -> "Tensor":
    """A non-tensor operand as a constant leaf. Python numbers take ``like``'s dtype (numpy 2's weak scalars)."""
    if isinstance(operand, Tensor):
        return operand
    dtype = None
    if isinstance(operand, (int, float)) and not isinstance(operand, bool):
        kind = like.data.dtype.kind
        if kind == "f" or (kind in "iu" and isinstance(operand, int)):
            dtype = like.data.dtype
    return _constant(operand, dtype, what)


def _constant(operand: Any, dtype: Any, what: str) -> "Tensor":
    """A leaf that does not require grad, made without the constructor's copy and checks (ops make many)."""
    if isinstance(operand, Value):
        raise _mix_error(what)
    data = np.asarray(operand, dtype=dtype)
    if data.dtype.kind not in "biuf":
        raise TypeError(f"{what}: got {type(operand).__name__} {operand!r}, which is not numeric. "
                        "Use a Tensor, a numpy array or a real number.")
    out = _new(Tensor)
    out.data = data
    out.grad = None
    out.label = ""
    out._parents = ()
    out._op = None
    out._ctx = None
    out._retains = False
    out._requires_grad = False
    out._scope = state.scope
    return out


def _shape_error(name: str, symbol: str, a: "Tensor", b: "Tensor") -> ValueError:
    return ValueError(
        f"{name}: {a.data.shape} {symbol} {b.data.shape}: shapes do not broadcast (numpy's rule: align the "
        "shapes on the right; each pair of sizes must be equal or one of them 1). Fix: reshape or unsqueeze "
        "one operand, or check which axis you meant."
    )


def _binary(a: "Tensor", b: Any, ufunc: Any, op: TensorOp, name: str) -> "Tensor":
    """``a <op> b`` with numpy broadcasting; a shape mismatch is reported with both shapes and the op."""
    if type(b) is not Tensor:
        b = _lift(b, a, f"Tensor {op.name} operand")
    try:
        data = ufunc(a.data, b.data)
    except ValueError:
        raise _shape_error(name, op.name, a, b) from None
    return _make(data, (a, b), op)


def _reflected(a: "Tensor", b: Any, ufunc: Any, op: TensorOp, name: str) -> "Tensor":
    """``b <op> a`` for a non-tensor ``b`` (``2 - t``, ``array @ t``)."""
    return _binary(_lift(b, a, f"Tensor {op.name} operand"), a, ufunc, op, name)


def _axes(axis: Axis) -> Axis:
    """Lists become tuples so numpy and ``np.expand_dims`` accept them."""
    return tuple(axis) if isinstance(axis, list) else axis


def _shape_arg(shape: tuple) -> tuple:
    """``reshape(2, 3)`` and ``reshape((2, 3))`` both mean shape (2, 3)."""
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


def _plain_index(index: Any) -> Any:
    """An index with any Tensors replaced by their arrays (labels are often int Tensors)."""
    if type(index) is tuple:
        return tuple(part.data if isinstance(part, Tensor) else part for part in index)
    return index.data if isinstance(index, Tensor) else index


# ----------------------------------------------------------------------------- the node
class Tensor(engine.Node):
    """A numpy-array node: ``data`` (ndarray), ``grad`` (ndarray or None), ``requires_grad``, ``label``.

    ``parents`` is the ordered tuple of tensors it was computed from and ``op`` the name of the
    operation (``""`` for a leaf). Comparisons (``<``, ``==``, ...) compare ``data`` and return numpy
    bool arrays (no graph); hashing is by identity.
    """

    __slots__ = ("data", "grad", "label", "_requires_grad", "_retains", "_parents", "_op", "_ctx",
                 "_scope")
    __array_ufunc__ = None  # ``ndarray + Tensor`` defers to Tensor.__radd__ instead of looping over elements

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None,
                 label: Optional[str] = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        elif isinstance(data, Value):
            raise _mix_error("Tensor(data)")
        try:
            array = np.array(data, dtype=dtype)
        except (TypeError, ValueError) as error:  # ragged nested lists, strings with a numeric dtype, ...
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(f"Tensor(data): numpy cannot make an array of this {type(data).__name__} (dtype={dtype}): "
                       f"{str(error).rstrip('.')}. Fix: pass a numpy array, a number, or nested lists of numbers "
                       "whose rows all have the same length.") from None
        if array.dtype.kind not in "biuf":
            hint = (" Value and Tensor do not mix: use Tensor([v.data for v in values])."
                    if array.dtype == object and any(isinstance(v, Value) for v in array.flat) else "")
            raise TypeError(f"Tensor(data): got {type(data).__name__} {data!r} (numpy dtype {array.dtype}); "
                            f"data must be numbers: a numpy array, a (nested) list of numbers or a number.{hint}")
        self.data = array
        self.grad = None
        self.label = label or ""
        self._parents = ()
        self._op = None
        self._ctx = None
        self._scope = state.scope
        self._requires_grad = False
        self._retains = False
        self.requires_grad = requires_grad

    # -- engine protocol ------------------------------------------------------------------
    def _vjp(self, upstream: np.ndarray) -> tuple:
        return self._op.vjp(self, upstream)

    def _accumulate(self, contribution: np.ndarray) -> None:
        """Keep the gradient only where PyTorch does: leaves that require grad, and ``retain_grad()`` tensors."""
        if self._retains:
            grad = self.grad
            if grad is not None:
                self.grad = grad + contribution
            else:
                self.grad = contribution if contribution.flags.writeable else contribution.copy()

    @staticmethod
    def _all_finite(x: np.ndarray) -> bool:
        return bool(np.isfinite(x).all())

    # -- public graph view: parents, op, scope come from engine.Node ------------------------
    @property
    def constant(self) -> Optional[float]:
        """The op's constant argument (3 in ``t ** 3``, alpha in ``leaky_relu``), ``None`` if it has none."""
        return self._ctx if self._op is not None and self._op.ctx_is_constant else None

    @property
    def is_leaf(self) -> bool:
        """True for a tensor no recorded op made (parameters, inputs, constants)."""
        return not self._parents

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow into this tensor; only a leaf's flag can be set (float data only)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._parents:
            raise RuntimeError(
                f"requires_grad can only be changed on a leaf tensor; this one was made by op '{self.op}'. "
                "Fix: use .detach() to get a leaf with the same data."
            )
        flag = bool(flag)
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"Tensor(requires_grad=True) needs floating-point data, got {self.data.dtype}: only float tensors "
                "have gradients. Fix: pass dtype=np.float64 (or np.float32), or float data such as [1.0, 2.0]."
            )
        self._requires_grad = flag
        self._retains = flag

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        """Set ``requires_grad`` on this leaf in place and return it (PyTorch's spelling)."""
        self.requires_grad = flag
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this intermediate tensor too (leaves that require grad always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad: nothing will flow into it. "
                               "Fix: make the inputs it depends on with requires_grad=True.")
        self._retains = True

    # -- backward ------------------------------------------------------------------------------
    def _seed(self, grad: Optional[ArrayLike]) -> np.ndarray:
        """d self / d self: ones for a one-element tensor, otherwise the caller's ``grad`` of the same shape."""
        if not self._requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input had requires_grad=True, or it was "
                "made under no_grad(). Fix: create the parameters with Tensor(..., requires_grad=True)."
            )
        shape = self.data.shape
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() on a tensor of shape {shape} needs a gradient: pass backward(grad) with grad an "
                    f"array of shape {shape} (d loss / d this tensor), or reduce to one element first "
                    "(.sum(), .mean())."
                )
            return np.ones(shape, dtype=self.data.dtype)
        try:
            seed = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
        except (TypeError, ValueError):
            raise TypeError(f"backward(grad): got {type(grad).__name__} {grad!r}; grad must be numbers (an array or "
                            f"Tensor) of the tensor's shape {shape}.") from None
        if seed.shape != shape:
            raise ValueError(f"backward(grad): grad has shape {seed.shape} but the tensor has shape {shape}; "
                             "pass a gradient of the tensor's own shape.")
        return seed

    def backward(self, grad: Optional[ArrayLike] = None) -> None:
        """Add d self / d leaf into ``.grad`` of every leaf that requires grad (accumulating, like PyTorch)."""
        engine.backward(self, self._seed(grad))

    def backward_steps(self, grad: Optional[ArrayLike] = None) -> "Iterator[Step]":
        """The same backward pass, one ``Step`` at a time (see ``autograd_core.stepping``)."""
        from .stepping import backward_steps

        return backward_steps(self, grad)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``None``, as PyTorch's ``set_to_none``)."""
        self.grad = None

    def detach(self) -> "Tensor":
        """A leaf sharing this tensor's data, outside any graph (it does not require grad)."""
        return _constant(self.data, None, "detach")

    # -- plain data --------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The shape of ``data``."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes of ``data``."""
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of ``data`` (and of ``grad``)."""
        return self.data.dtype

    @property
    def size(self) -> int:
        """The number of elements of ``data``."""
        return self.data.size

    def item(self) -> Union[float, int, bool]:
        """The one number of a one-element tensor, as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with exactly one element; this one has shape {self.data.shape}. "
                             "Fix: index or reduce it first (t[0], t.sum()).")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data array itself (no copy; no graph)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
        """``np.asarray(tensor)`` gives the data (for plotting and other numpy code); no graph."""
        if copy:
            return np.array(self.data, dtype=dtype)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it holds one number; use .item().")
        return len(self.data)

    def __iter__(self) -> Iterator["Tensor"]:
        """Rows along the first axis, each a node of the graph (``t[0]``, ``t[1]``, ...)."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor: it holds one number; use .item().")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        values = ""
        if self.data.size <= 8:
            values = np.array2string(self.data, separator=", ", precision=4).replace("\n", "") + ", "
        label = f", label={self.label!r}" if self.label else ""
        return (f"Tensor({values}shape={self.data.shape}, dtype={self.data.dtype}, "
                f"requires_grad={self._requires_grad}{label})")

    # -- arithmetic ------------------------------------------------------------------------------
    def __add__(self, other: Any) -> "Tensor":
        return _binary(self, other, np.add, ADD, "add")

    def __radd__(self, other: Any) -> "Tensor":
        return _reflected(self, other, np.add, ADD, "add")

    def __sub__(self, other: Any) -> "Tensor":
        return _binary(self, other, np.subtract, SUB, "subtract")

    def __rsub__(self, other: Any) -> "Tensor":
        return _reflected(self, other, np.subtract, SUB, "subtract")

    def __mul__(self, other: Any) -> "Tensor":
        return _binary(self, other, np.multiply, MUL, "multiply")

    def __rmul__(self, other: Any) -> "Tensor":
        return _reflected(self, other, np.multiply, MUL, "multiply")

    def __truediv__(self, other: Any) -> "Tensor":
        return _binary(self, other, np.true_divide, DIV, "divide")

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _reflected(self, other, np.true_divide, DIV, "divide")

    def __pow__(self, exponent: Any) -> "Tensor":
        if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
            return _make(self.data ** exponent, (self,), POW_CONST, exponent)
        return _binary(self, exponent, np.power, POW, "power")

    def __rpow__(self, base: Any) -> "Tensor":
        return _reflected(self, base, np.power, POW, "power")

    def __matmul__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            other = _lift(other, self, "Tensor @ operand")
        try:
            data = np.matmul(self.data, other.data)
        except ValueError:
            raise _matmul_error(self.data.shape, other.data.shape) from None
        return _make(data, (self, other), MATMUL)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _lift(other, self, "Tensor @ operand") @ self

    matmul = __matmul__

    def neg(self) -> "Tensor":
        """-self (also a method, so a chain reads left to right: ``loss = logp.mean().neg()``)."""
        return _make(-self.data, (self,), NEG)

    __neg__ = neg

    # -- elementwise functions ---------------------------------------------------------------------
    def exp(self) -> "Tensor":
        """e^x elementwise."""
        return _make(np.exp(self.data), (self,), EXP)

    def log(self) -> "Tensor":
        """Natural log elementwise (numpy's rule: -inf at 0, nan below, with a RuntimeWarning)."""
        return _make(np.log(self.data), (self,), LOG)

    def sqrt(self) -> "Tensor":
        """Square root elementwise."""
        return _make(np.sqrt(self.data), (self,), SQRT)

    def abs(self) -> "Tensor":
        """|x|; its gradient at 0 is 0 (PyTorch's choice)."""
        return _make(np.abs(self.data), (self,), ABS)

    __abs__ = abs

    def tanh(self) -> "Tensor":
        """Hyperbolic tangent elementwise."""
        return _make(np.tanh(self.data), (self,), TANH)

    def sigmoid(self) -> "Tensor":
        """1 / (1 + e^-x) elementwise, computed without overflow for large |x|."""
        return _make(_sigmoid(self.data), (self,), SIGMOID)

    def relu(self) -> "Tensor":
        """max(x, 0); its gradient at 0 is 0 (PyTorch's choice)."""
        return _make(np.maximum(self.data, 0), (self,), RELU)

    def leaky_relu(self, alpha: float = 0.01) -> "Tensor":
        """x where x > 0, alpha * x elsewhere (a small slope keeps negative units learning)."""
        x = self.data
        return _make(np.where(x > 0, x, x * alpha), (self,), LEAKY_RELU, alpha)

    def elu(self, alpha: float = 1.0) -> "Tensor":
        """x where x > 0, alpha * (e^x - 1) elsewhere."""
        x = self.data
        return _make(np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), (self,), ELU, alpha)

    def selu(self) -> "Tensor":
        """scale * elu(x, alpha) with the self-normalising constants ``SELU_SCALE``, ``SELU_ALPHA``."""
        x = self.data
        return _make(SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))), (self,), SELU)

    def softplus(self) -> "Tensor":
        """log(1 + e^x), computed without overflow."""
        return _make(np.logaddexp(0, self.data), (self,), SOFTPLUS)

    def sin(self) -> "Tensor":
        """Sine elementwise."""
        return _make(np.sin(self.data), (self,), SIN)

    def cos(self) -> "Tensor":
        """Cosine elementwise."""
        return _make(np.cos(self.data), (self,), COS)

    def step(self) -> "Tensor":
        """Heaviside step, 1.0 where data > 0 else 0.0; its gradient is the straight-through g (as Value's)."""
        return _make((self.data > 0).astype(self.data.dtype), (self,), STEP)

    def sign(self) -> "Tensor":
        """-1, 0 or 1 elementwise; its gradient is the straight-through g (as Value's)."""
        return _make(np.sign(self.data), (self,), SIGN)

    def clip(self, min: Optional[float] = None, max: Optional[float] = None) -> "Tensor":
        """Limit to [min, max] (either may be None); g passes where min <= x <= max, as torch.clamp."""
        if min is None and max is None:
            raise ValueError("clip() needs min or max (or both); with neither it would do nothing.")
        return _make(np.clip(self.data, min, max), (self,), CLIP, (min, max))

    # -- reductions ---------------------------------------------------------------------------
    def sum(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Sum over ``axis`` (all elements for None); g is broadcast back to every summed element."""
        axis = _axes(axis)
        return _make(self.data.sum(axis=axis, keepdims=keepdims), (self,), SUM, (axis, keepdims))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Mean over ``axis`` (all elements for None); each element gets g / n."""
        axis = _axes(axis)
        total = self.data.sum(axis=axis, keepdims=keepdims)
        # sum / count is exactly what np.mean computes, without its Python-level overhead
        return _make(total / (self.data.size // max(total.size, 1)), (self,), MEAN, (axis, keepdims))

    def max(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """The largest element(s); the gradient goes to the maxima, split evenly between ties."""
        axis = _axes(axis)
        return _make(self.data.max(axis=axis, keepdims=keepdims), (self,), MAX, (axis, keepdims))

    def min(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """The smallest element(s); the gradient goes to the minima, split evenly between ties."""
        axis = _axes(axis)
        return _make(self.data.min(axis=axis, keepdims=keepdims), (self,), MIN, (axis, keepdims))

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """Variance, numpy's default ``ddof=0`` (divide by n); ``ddof=1`` is torch.var's unbiased default."""
        axis = _axes(axis)
        return _make(self.data.var(axis=axis, keepdims=keepdims, ddof=ddof), (self,), VAR, (axis, keepdims, ddof))

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max, so 1e4 does not overflow."""
        axis = _axes(axis)
        x = self.data
        shift = x.max(axis=axis, keepdims=True)
        shift[~np.isfinite(shift)] = 0  # a row of all -inf gives -inf, not nan
        total = np.log(np.exp(x - shift).sum(axis=axis, keepdims=True)) + shift
        if not keepdims:
            total = total.reshape(()) if axis is None else total.squeeze(axis)
        return _make(total, (self,), LOGSUMEXP, (axis, keepdims))

    # -- softmax family ---------------------------------------------------------------------------
    def softmax(self, axis: int = -1) -> "Tensor":
        """exp(x) / sum(exp(x)) along ``axis``, computed on x - max(x) so large inputs do not overflow."""
        e = np.exp(self.data - self.data.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
        return _make(e, (self,), SOFTMAX, axis)

    def log_softmax(self, axis: int = -1) -> "Tensor":
        """x - logsumexp(x) along ``axis``, stable for large inputs."""
        shifted = self.data - self.data.max(axis=axis, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return _make(shifted, (self,), LOG_SOFTMAX, axis)

    # -- shape ---------------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        """The same elements in a new shape; ``reshape(2, 3)``, ``reshape((2, 3))`` and ``-1`` all work."""
        shape = _shape_arg(shape)
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape {self.data.shape} ({self.data.size} elements) into {shape}; "
                             "the new shape must hold the same number of elements (-1 infers one size).") from None
        return _make(data, (self,), RESHAPE)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Merge axes ``start_dim..end_dim`` into one (PyTorch's signature); the default gives a 1-D tensor."""
        shape = self.data.shape
        if not shape:
            return _make(self.data.reshape(1), (self,), FLATTEN)
        start, end = start_dim % len(shape), end_dim % len(shape)
        merged = int(np.prod(shape[start:end + 1]))
        return _make(self.data.reshape(shape[:start] + (merged,) + shape[end + 1:]), (self,), FLATTEN)

    def squeeze(self, axis: Axis = None) -> "Tensor":
        """Remove axes of size 1 (all of them, or those in ``axis``, which must have size 1, as numpy)."""
        try:
            data = self.data.squeeze(axis=_axes(axis))
        except ValueError:
            raise ValueError(f"squeeze: axis {axis} of shape {self.data.shape} does not have size 1; "
                             "only size-1 axes can be removed (call squeeze() to remove all of them).") from None
        return _make(data, (self,), SQUEEZE)

    def unsqueeze(self, axis: Axis) -> "Tensor":
        """Insert an axis of size 1 at ``axis`` (``np.expand_dims``)."""
        return _make(np.expand_dims(self.data, _axes(axis)), (self,), UNSQUEEZE)

    expand_dims = unsqueeze

    def transpose(self, *axes: Any) -> "Tensor":
        """Permute axes (``transpose(1, 0)`` or ``transpose((1, 0))``); no axes reverses them, like numpy."""
        axes = _shape_arg(axes) if axes else None
        try:
            data = self.data.transpose(axes)
        except (ValueError, TypeError):
            raise ValueError(f"transpose: axes {axes} for shape {self.data.shape}: give a permutation of all "
                             f"{self.data.ndim} axes, each once (e.g. {tuple(reversed(range(self.data.ndim)))}), "
                             "or no axes to reverse them.") from None
        return _make(data, (self,), TRANSPOSE, axes)

    @property
    def T(self) -> "Tensor":
        """All axes reversed (numpy's ``.T``)."""
        return _make(self.data.T, (self,), TRANSPOSE, None)

    def __getitem__(self, index: Any) -> "Tensor":
        """numpy indexing: ints, slices, None, ..., bool masks and integer arrays (repeats add up in backward)."""
        index = _plain_index(index)
        try:
            data = self.data[index]
        except IndexError:
            if any(isinstance(part, Value) for part in (index if type(index) is tuple else (index,))):
                raise _mix_error("Tensor index") from None
            raise
        return _make(data, (self,), GETITEM, index)

    # -- comparisons on data (no graph) ---------------------------------------------------------------
    def _compare_data(self, other: Any) -> Any:
        if isinstance(other, Tensor):
            return other.data
        if isinstance(other, Value):
            raise _mix_error("Tensor comparison")
        return other

    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < self._compare_data(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= self._compare_data(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > self._compare_data(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= self._compare_data(other)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.data == self._compare_data(other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.data != self._compare_data(other)

    __hash__ = object.__hash__


def _matmul_error(left: tuple, right: tuple) -> ValueError:
    """Say which rule of numpy's matmul the two shapes break."""
    where = f"matmul: {left} @ {right}"
    if not left or not right:
        return ValueError(f"{where}: matmul needs at least one axis on each side; use * to multiply by a scalar.")
    inner_left, inner_right = left[-1], right[0] if len(right) == 1 else right[-2]
    if inner_left != inner_right:
        return ValueError(f"{where}: inner sizes {inner_left} != {inner_right}. Fix: the last axis of the left "
                          "operand must equal the second-to-last (or only) axis of the right one; transpose one or "
                          "check the sizes.")
    return ValueError(f"{where}: batch shapes {left[:-2]} and {right[:-2]} do not broadcast (numpy's rule: each "
                      "pair of sizes must be equal or one of them 1).")


# ----------------------------------------------------------------------------- functions
def _as_tensors(items: Sequence[Any], what: str) -> list:
    """Every item as a Tensor; numbers take the dtype of the first Tensor among them."""
    if not len(items):
        raise ValueError(f"{what} needs at least one tensor; got an empty sequence.")
    like = next((item for item in items if isinstance(item, Tensor)), None)
    if like is None:
        like = _constant(items[0], None, what)
    return [_lift(item, like, what) for item in items]


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (``np.concatenate``); each gets its slice of g back."""
    parts = _as_tensors(tensors, "concatenate")
    try:
        data = np.concatenate([t.data for t in parts], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.data.shape) for t in parts)
        raise ValueError(f"concatenate: shapes {shapes} along axis {axis}: every axis except {axis} must match "
                         "and all need the same number of axes.") from None
    boundaries = np.cumsum([t.data.shape[axis] for t in parts[:-1]])
    return _make(data, tuple(parts), CONCATENATE, (axis, boundaries))


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis (``np.stack``); each gets its slice of g back."""
    parts = _as_tensors(tensors, "stack")
    try:
        data = np.stack([t.data for t in parts], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.data.shape) for t in parts)
        raise ValueError(f"stack: shapes {shapes}: stack needs tensors of one shape "
                         "(use concatenate to join along an existing axis).") from None
    return _make(data, tuple(parts), STACK, axis)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` is true, else ``b`` (broadcasting); g goes to the side that was chosen."""
    condition = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = _as_tensors([a, b], "where")
    try:
        data = np.where(condition, a.data, b.data)
    except ValueError:
        raise ValueError(f"where: condition {condition.shape}, a {a.data.shape}, b {b.data.shape}: shapes do not "
                         "broadcast (numpy's rule: each pair of sizes must be equal or one of them 1).") from None
    return _make(data, (a, b), WHERE, condition)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b`` (broadcasting); at a tie each side gets half of g."""
    return _extremum(a, b, np.maximum, MAXIMUM)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b`` (broadcasting); at a tie each side gets half of g."""
    return _extremum(a, b, np.minimum, MINIMUM)


def _extremum(a: Any, b: Any, ufunc: Any, op: TensorOp) -> Tensor:
    """``maximum``/``minimum``: either side may be a number or array; a shape mismatch names both shapes."""
    a, b = _as_tensors([a, b], op.name)
    try:
        data = ufunc(a.data, b.data)
    except ValueError:
        raise _shape_error(op.name, ",", a, b) from None
    return _make(data, (a, b), op)
