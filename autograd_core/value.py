"""Value: a scalar node of the graph, for seeing backpropagation one number at a time.

Each op computes its forward result on Python floats and states its *local derivatives*
(d out / d parent); the chain rule ``parent.grad += local * out.grad`` is applied by the engine.
Floating-point rule (numpy's, chosen so a graph never crashes half-way): log/sqrt of a negative
number give nan, log(0) gives -inf, division by zero gives +-inf (or nan for 0/0), overflow gives
inf. Use ``anomaly_mode()`` to turn the first nan/inf into an error that names the op.
"""
from __future__ import annotations

import functools
import math
import numbers
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Union

from . import engine
from .engine import state

if TYPE_CHECKING:
    from .stepping import Step

Number = Union[int, float]
_INF = math.inf
_NAN = math.nan
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ----------------------------------------------------------------------------- IEEE-style float helpers
def _div(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if x == 0 or x != x:
            return _NAN
        return math.copysign(_INF, x) * math.copysign(1.0, y)


def _pow(x: float, k: float) -> float:
    try:
        result = x ** k
    except ZeroDivisionError:  # 0 ** negative
        return _INF
    except OverflowError:
        odd = float(k).is_integer() and int(k) % 2 == 1
        return math.copysign(_INF, x) if odd else _INF
    return _NAN if isinstance(result, complex) else result


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -_INF if x == 0 else _NAN


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else _NAN


def _sin(x: float) -> float:
    return math.sin(x) if math.isfinite(x) else _NAN  # numpy's sin(inf) = nan; math.sin raises


def _cos(x: float) -> float:
    return math.cos(x) if math.isfinite(x) else _NAN


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def _expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        return _INF


# ----------------------------------------------------------------------------- ops
class ScalarOp:
    """One kind of scalar operation, shared by every node it makes (so it costs no memory per node).

    ``expression`` and ``formulas`` are templates over ``{a}``, ``{b}`` (the parents), ``{out}``
    and ``{k}`` (the op's ``constant``, as in ``a ** 3``; see ``_with_constant``): the first shows
    what the op computes, the others give each parent's local derivative. Stepping fills them with
    names and with numbers.
    """

    __slots__ = ("name", "expression", "formulas", "local", "constant")

    def __init__(self, name: str, expression: str, formulas: tuple[str, ...],
                 local: Callable[["Value"], tuple[float, ...]], constant: Optional[float] = None) -> None:
        self.name = name
        self.expression = expression
        self.formulas = formulas
        self.local = local
        self.constant = constant

    def templates(self, node: "Value") -> tuple[str, tuple[str, ...]]:
        """The expression and the per-parent derivative templates for ``node`` (made by this op)."""
        return self.expression, self.formulas

    def __repr__(self) -> str:
        return f"ScalarOp({self.name!r})"


def _unary(name: str, formula: str, derivative: Callable[[float, float, object], float],
           expression: str = "") -> ScalarOp:
    """An op with one parent whose local derivative is ``derivative(x, out, k)``, k the op's constant."""

    def local(out: "Value") -> tuple[float]:
        return (derivative(out._parents[0].data, out.data, out._op.constant),)

    return ScalarOp(name, expression or f"{name}({{a}})", (formula,), local)


def _binary_local(fn: Callable[[float, float, float], tuple[float, float]]) -> Callable[["Value"], tuple]:
    def local(out: "Value") -> tuple[float, float]:
        a, b = out._parents
        return fn(a.data, b.data, out.data)

    return local


@functools.lru_cache(maxsize=1024)
def _with_constant(op: ScalarOp, k: float) -> ScalarOp:
    """``op`` with its constant argument fixed to ``k`` (``a ** 3``, ``leaky_relu(alpha=0.1)``).

    The constant lives in a shared op object, not in every node: a node then needs no slot for it.
    """
    return ScalarOp(op.name, op.expression, op.formulas, op.local, k)


# d(a+b)/da = 1, d(a+b)/db = 1
ADD = ScalarOp("+", "{a} + {b}", ("1", "1"), lambda out: (1.0, 1.0))
# d(a-b)/da = 1, d(a-b)/db = -1
SUB = ScalarOp("-", "{a} - {b}", ("1", "-1"), lambda out: (1.0, -1.0))
# d(a*b)/da = b, d(a*b)/db = a
MUL = ScalarOp("*", "{a} * {b}", ("{b}", "{a}"), _binary_local(lambda a, b, y: (b, a)))
# d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
DIV = ScalarOp("/", "{a} / {b}", ("1/{b}", "-{a}/{b}^2"),
               _binary_local(lambda a, b, y: (_div(1.0, b), -_div(_div(a, b), b))))
# d(a^b)/da = b * a^(b-1), d(a^b)/db = a^b * ln(a); both 0 where PyTorch says so (b = 0; a = 0 with b >= 0)
POW = ScalarOp("**", "{a} ** {b}", ("{b} * {a}^({b} - 1)", "{out} * ln({a})"),
               _binary_local(lambda a, b, y: (0.0 if b == 0 else b * _pow(a, b - 1),
                                              0.0 if y == 0 or (a == 0 and b >= 0) else y * _log(a))))
# d(a^k)/da = k * a^(k-1), k a constant; 0 for k = 0 (a^0 is constant, also at a = 0)
POW_CONST = _unary("**k", "{k} * {a}^({k} - 1)", lambda x, y, k: 0.0 if k == 0 else k * _pow(x, k - 1),
                   "{a} ** {k}")
# d(-a)/da = -1
NEG = _unary("neg", "-1", lambda x, y, k: -1.0, "-{a}")
# d exp(a)/da = exp(a)
EXP = _unary("exp", "{out}", lambda x, y, k: y)
# d ln(a)/da = 1/a
LOG = _unary("log", "1/{a}", lambda x, y, k: _div(1.0, x))
# d sqrt(a)/da = 1 / (2 sqrt(a))
SQRT = _unary("sqrt", "1 / (2 * {out})", lambda x, y, k: _div(0.5, y))
# d tanh(a)/da = 1 - tanh(a)^2
TANH = _unary("tanh", "(1 - {out}^2)", lambda x, y, k: 1.0 - y * y)
# d sigmoid(a)/da = sigmoid(a) * (1 - sigmoid(a))
SIGMOID = _unary("sigmoid", "{out} * (1 - {out})", lambda x, y, k: y * (1.0 - y))
# d relu(a)/da = 1 if a > 0 else 0
RELU = _unary("relu", "[{a} > 0]", lambda x, y, k: 1.0 if x > 0 else 0.0)
# d leaky_relu(a)/da = 1 if a > 0 else alpha
LEAKY_RELU = _unary("leaky_relu", "(1 if {a} > 0 else {k})", lambda x, y, k: 1.0 if x > 0 else k)
# d elu(a)/da = 1 if a > 0 else alpha * exp(a)  (= out + alpha)
ELU = _unary("elu", "(1 if {a} > 0 else {k} * exp({a}))", lambda x, y, k: 1.0 if x > 0 else k * _exp(x))
# d selu(a)/da = scale if a > 0 else scale * alpha * exp(a)
SELU = _unary("selu", "(scale if {a} > 0 else scale * alpha * exp({a}))",
              lambda x, y, k: SELU_SCALE if x > 0 else SELU_SCALE * SELU_ALPHA * _exp(x))
# d softplus(a)/da = sigmoid(a)
SOFTPLUS = _unary("softplus", "sigmoid({a})", lambda x, y, k: _sigmoid(x))
# d sin(a)/da = cos(a)
SIN = _unary("sin", "cos({a})", lambda x, y, k: _cos(x))
# d cos(a)/da = -sin(a)
COS = _unary("cos", "-sin({a})", lambda x, y, k: -_sin(x))
# d |a|/da = sign(a), 0 at 0 (PyTorch's choice)
ABS = _unary("abs", "sign({a})", lambda x, y, k: (x > 0) - (x < 0) + 0.0)


class _DotOp(ScalarOp):
    """``sum_i w_i x_i (+ b)`` over parents ``(w_0..w_{n-1}, x_0..x_{n-1}[, b])``.

    d/dw_i = x_i, d/dx_i = w_i, d/db = 1. Its templates depend on n, so they are built per node,
    with placeholders ``{p0}``, ``{p1}``, ... for the parents in order.
    """

    __slots__ = ()

    def templates(self, node: "Value") -> tuple[str, tuple[str, ...]]:
        n = len(node._parents) // 2
        has_bias = len(node._parents) % 2 == 1
        expression = " + ".join(f"{{p{i}}}*{{p{n + i}}}" for i in range(n)) + (f" + {{p{2 * n}}}" if has_bias else "")
        formulas = tuple(f"{{p{n + i}}}" for i in range(n)) + tuple(f"{{p{i}}}" for i in range(n))
        return expression, formulas + ("1",) * has_bias


def _dot_local(out: "Value") -> tuple[float, ...]:
    parents = out._parents
    n = len(parents) // 2
    return tuple([p.data for p in parents[n:2 * n]] + [p.data for p in parents[:n]] + [1.0] * (len(parents) % 2))


DOT = _DotOp("dot", "", (), _dot_local)
# step and sign have zero derivative almost everywhere; the perceptron literature (and the
# straight-through estimator) passes the gradient through unchanged: d step(a)/da := 1.
STEP = _unary("step", "1 (straight-through)", lambda x, y, k: 1.0)
SIGN = _unary("sign", "1 (straight-through)", lambda x, y, k: 1.0)


# ----------------------------------------------------------------------------- the node
def _type_error(what: str, operand: object) -> TypeError:
    kind = type(operand).__name__
    hint = (" Value and Tensor do not mix: use Tensor(value.data) or tensor.item()."
            if kind == "Tensor" else " Use a Value or a real number (int or float).")
    return TypeError(f"{what}: got {kind} {operand!r}, which is not a number.{hint}")


def is_real_number(x: object) -> bool:
    """A plain real number (int, float, numpy scalar) and not a bool: what a Value holds and meets."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _data_of(operand: object, op: str) -> float:
    """The float an operand of ``op`` stands for (a Value's data or a real number); anything else is refused."""
    if isinstance(operand, Value):
        return operand.data
    if is_real_number(operand):
        return float(operand)  # type: ignore[arg-type]
    raise _type_error(f"Value {op} operand", operand)


def _as_value(other: object, op: str) -> "Value":
    """``other`` as a node: a Value as it is, a number as a new constant leaf."""
    return other if type(other) is Value else Value(_data_of(other, op))  # type: ignore[return-value]


class Value(engine.Node):
    """A scalar node: ``data`` (float), ``grad`` (float, 0.0 until backward), an optional ``label``.

    ``parents`` is the ordered tuple of nodes it was computed from and ``op`` the name of the
    operation (``""`` for a leaf). ``<, <=, >, >=, ==`` compare ``data`` and return plain bools;
    hashing is by identity, so Values can be dict keys and set members.
    """

    __slots__ = ("data", "grad", "label", "_parents", "_op", "_scope")
    __array_ufunc__ = None  # ``ndarray + Value`` asks Value (which refuses arrays) instead of making an object array

    def __init__(self, data: Number, label: str = "") -> None:
        if not is_real_number(data):
            raise _type_error("Value(data)", data)
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._parents: tuple = ()
        self._op = None
        self._scope = state.scope

    # -- engine protocol ------------------------------------------------------------------
    def _vjp(self, upstream: float) -> tuple:
        """Chain rule for scalars: each parent receives ``local derivative * upstream``."""
        local = self._op.local(self)
        if len(local) == 2:  # spelled out: the common cases run without a comprehension's frame
            return (local[0] * upstream, local[1] * upstream)
        if len(local) == 1:
            return (local[0] * upstream,)
        return tuple([d * upstream for d in local])

    def _accumulate(self, contribution: float) -> None:
        self.grad += contribution

    @staticmethod
    def _all_finite(x: float) -> bool:
        return math.isfinite(x)

    # -- public graph view: parents, op, scope come from engine.Node ------------------------
    @property
    def constant(self) -> Optional[float]:
        """The op's constant argument (3 in ``a ** 3``, alpha in ``leaky_relu``), ``None`` if it has none."""
        return self._op.constant if self._op is not None else None

    def backward(self, grad: Optional[Number] = None) -> None:
        """Fill ``.grad`` of every node this one depends on with d self / d node (accumulating).

        ``grad`` seeds d loss / d self: 1.0 when omitted or ``None`` (as ``Tensor.backward``).
        """
        engine.backward(self, self._seed(grad))

    def _seed(self, grad: Optional[Number]) -> float:
        """d loss / d self as a float: 1.0 for ``None``; anything but a real number is refused (as ``Tensor._seed``)."""
        if grad is None:
            return 1.0
        if not is_real_number(grad):
            raise TypeError(f"Value.backward(grad): got {type(grad).__name__} {grad!r}; the seed d loss / d self of a "
                            "scalar is one real number (int or float), or None for 1.0.")
        return float(grad)

    def backward_steps(self, grad: Optional[Number] = None) -> "Iterator[Step]":
        """The same backward pass, one ``Step`` at a time (see ``autograd_core.stepping``)."""
        from .stepping import backward_steps

        return backward_steps(self, grad)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (0.0): gradients add up over ``backward()`` calls."""
        self.grad = 0.0

    def item(self) -> float:
        """The number itself (Tensor's spelling, so code can read a loss of either kind)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- arithmetic -------------------------------------------------------------------------
    def __add__(self, other: object) -> "Value":
        if type(other) is not Value:
            other = _as_value(other, "+")
        return _node(self.data + other.data, (self, other), ADD)

    def __radd__(self, other: object) -> "Value":
        return _as_value(other, "+") + self

    def __sub__(self, other: object) -> "Value":
        if type(other) is not Value:
            other = _as_value(other, "-")
        return _node(self.data - other.data, (self, other), SUB)

    def __rsub__(self, other: object) -> "Value":
        return _as_value(other, "-") - self

    def __mul__(self, other: object) -> "Value":
        if type(other) is not Value:
            other = _as_value(other, "*")
        return _node(self.data * other.data, (self, other), MUL)

    def __rmul__(self, other: object) -> "Value":
        return _as_value(other, "*") * self

    def __truediv__(self, other: object) -> "Value":
        if type(other) is not Value:
            other = _as_value(other, "/")
        return _node(_div(self.data, other.data), (self, other), DIV)

    def __rtruediv__(self, other: object) -> "Value":
        return _as_value(other, "/") / self

    def __pow__(self, exponent: object) -> "Value":
        if type(exponent) is Value:
            return _node(_pow(self.data, exponent.data), (self, exponent), POW)
        k = _as_value(exponent, "**").data
        return _node(_pow(self.data, k), (self,), _with_constant(POW_CONST, k))

    def __rpow__(self, base: object) -> "Value":
        return _as_value(base, "**") ** self

    def __neg__(self) -> "Value":
        return _node(-self.data, (self,), NEG)

    # -- functions --------------------------------------------------------------------------
    def exp(self) -> "Value":
        """e^x (inf on overflow)."""
        return _node(_exp(self.data), (self,), EXP)

    def log(self) -> "Value":
        """Natural log: nan for x < 0 and -inf at 0 (numpy's rule, so a graph never crashes half-way)."""
        return _node(_log(self.data), (self,), LOG)

    def sqrt(self) -> "Value":
        """Square root; nan for x < 0."""
        return _node(_sqrt(self.data), (self,), SQRT)

    def tanh(self) -> "Value":
        """Hyperbolic tangent, the classic neuron activation."""
        return _node(math.tanh(self.data), (self,), TANH)

    def sigmoid(self) -> "Value":
        """1 / (1 + e^-x), computed without overflow for large |x|."""
        return _node(_sigmoid(self.data), (self,), SIGMOID)

    def relu(self) -> "Value":
        """max(x, 0); its gradient at 0 is 0 (PyTorch's choice)."""
        x = self.data
        return _node(x if x > 0 or x != x else 0.0, (self,), RELU)

    def leaky_relu(self, alpha: float = 0.01) -> "Value":
        """x for x > 0, alpha * x otherwise (a small slope keeps negative units learning)."""
        return _node(self.data if self.data > 0 else alpha * self.data, (self,), _with_constant(LEAKY_RELU, alpha))

    def elu(self, alpha: float = 1.0) -> "Value":
        """x for x > 0, alpha * (e^x - 1) otherwise."""
        x = self.data
        return _node(x if x > 0 else alpha * _expm1(x), (self,), _with_constant(ELU, alpha))

    def selu(self) -> "Value":
        """scale * elu(x, alpha) with the self-normalising constants ``SELU_SCALE``, ``SELU_ALPHA``."""
        x = self.data
        return _node(SELU_SCALE * (x if x > 0 else SELU_ALPHA * _expm1(x)), (self,), SELU)

    def softplus(self) -> "Value":
        """log(1 + e^x), a smooth relu, computed without overflow."""
        return _node(_softplus(self.data), (self,), SOFTPLUS)

    def sin(self) -> "Value":
        """Sine; nan for an infinite input (as numpy)."""
        return _node(_sin(self.data), (self,), SIN)

    def cos(self) -> "Value":
        """Cosine; nan for an infinite input (as numpy)."""
        return _node(_cos(self.data), (self,), COS)

    def abs(self) -> "Value":
        """|x|; its gradient at 0 is 0 (PyTorch's choice)."""
        return _node(abs(self.data), (self,), ABS)

    __abs__ = abs

    def step(self) -> "Value":
        """Heaviside step, 1.0 if data > 0 else 0.0; its gradient is the straight-through 1."""
        return _node(1.0 if self.data > 0 else 0.0, (self,), STEP)

    def sign(self) -> "Value":
        """-1.0, 0.0 or 1.0; its gradient is the straight-through 1 (as ``step``)."""
        x = self.data
        return _node(float((x > 0) - (x < 0)) if x == x else _NAN, (self,), SIGN)

    # -- comparisons on data ------------------------------------------------------------------
    def __lt__(self, other: object) -> bool:
        return self.data < _data_of(other, "<")

    def __le__(self, other: object) -> bool:
        return self.data <= _data_of(other, "<=")

    def __gt__(self, other: object) -> bool:
        return self.data > _data_of(other, ">")

    def __ge__(self, other: object) -> bool:
        return self.data >= _data_of(other, ">=")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Value) or is_real_number(other):
            return self.data == _data_of(other, "==")
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__


def dot(weights: "list[Value]", inputs: "list[Value | Number]", bias: "Value | None" = None) -> Value:
    """``sum_i weights[i] * inputs[i] (+ bias)`` as ONE node with 2n(+1) parents.

    A neuron's pre-activation written as ``b + w0*x0 + w1*x1 + ...`` makes 2n nodes; this makes
    one, with the same gradients (d/dw_i = x_i, d/dx_i = w_i, d/db = 1). It is why a scalar
    ``nn.MLP`` trains several times faster than a graph of binary ``*`` and ``+``.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs; give one weight per input.")
    xs = [x if type(x) is Value else _as_value(x, "dot") for x in inputs]
    total = bias.data if bias is not None else 0.0
    for w, x in zip(weights, xs):
        total += w.data * x.data
    parents = (*weights, *xs, bias) if bias is not None else (*weights, *xs)
    return _node(total, parents, DOT)


_new = object.__new__


def _node(data: float, parents: tuple, op: ScalarOp) -> Value:
    """Make an op's output node; records no parents when grad mode is off."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._scope = state.scope
    if state.grad_enabled:
        out._parents = parents
        out._op = op
    else:
        out._parents = ()
        out._op = None
    if state.anomaly:
        engine.check_forward(out, op)
    return out
