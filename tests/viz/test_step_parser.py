"""The autograd-step expression parser: the accepted grammar, refusals with their column, and fuzzing."""
from __future__ import annotations

import ast
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viz import step as step_module
from viz.step import (FUNCTIONS, MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, Assignment, Binary, Call,
                      ExpressionError, Name, Negate, Number, build_graph, parse_program)


def refusal(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse_program(text)
    return caught.value


# ----------------------------------------------------------------------------- what is accepted
def test_assignments_separated_by_semicolons_become_a_tiny_tree() -> None:
    first, second = parse_program("n = x*w + b; o = tanh(n)")
    assert first == Assignment("n", Binary("+", Binary("*", Name("x", 1, 5), Name("w", 1, 7), 1, 5),
                                           Name("b", 1, 11), 1, 5), 1, 1)
    assert second == Assignment("o", Call("tanh", Name("n", 1, 23), None, 1, 18), 1, 14)


def test_minus_a_number_is_a_number_and_minus_a_name_is_a_negation() -> None:
    (assignment,) = parse_program("y = -2 * -x")
    assert assignment.expression == Binary("*", Number(-2.0, 1, 5), Negate(Name("x", 1, 11), 1, 10), 1, 5)


def test_every_operator_and_every_documented_function_is_accepted() -> None:
    for function in FUNCTIONS:
        (assignment,) = parse_program(f"y = {function}(x) + x - x * x / x ** 2 ** x")
        assert assignment.expression.left.left.function == function


def test_elu_and_leaky_relu_take_a_constant_alpha() -> None:
    (assignment,) = parse_program("y = leaky_relu(x, -0.1) + elu(x, 2)")
    assert assignment.expression.left.constant == -0.1 and assignment.expression.right.constant == 2.0


def test_a_bare_last_expression_is_named_out() -> None:
    assert parse_program("tanh(x)")[0].target == "out"


def test_the_bound_values_themselves_are_accepted() -> None:
    parse_program(f"y = x ** {MAX_EXPONENT} + x ** -{MAX_EXPONENT}")
    parse_program("y = " + "x" * (MAX_LENGTH - 4))


# ----------------------------------------------------------------------------- what is refused, and where
@pytest.mark.parametrize("text, column, words", [
    ("o = x.y", 5, "attribute access"),
    ("o = x.__class__", 5, "attribute access"),
    ("o = __import__('os')", 5, "__import__ is not one of the functions"),
    ("__import__('os').system('ls')", 1, "calling something other than a function name"),
    ("o = (lambda: 1)()", 5, "calling something other than a function name"),
    ("o = lambda: 1", 5, "a lambda"),
    ("o = x[0]", 5, "indexing"),
    ("o = x ** 1000", 10, "exponent 1000 is too large"),
    ("o = x ** -101", 10, "exponent -101 is too large"),
    ("o = 2 ** x ** 200", 15, "exponent 200 is too large"),
    ("o = x // 2", 7, "operator // is not allowed"),
    ("o = (x) % 2", 9, "operator % is not allowed"),
    ("o = x @ w", 7, "operator @"),
    ("o = +x", 5, "unary +"),
    ("o = 'text'", 5, "str 'text' is not allowed"),
    ("o = True", 5, "bool True"),
    ("o = 1j", 5, "complex"),
    ("o = 1e999", 5, "too large for a float"),
    ("o = tanh(x=1)", 12, "keyword argument"),
    ("o = tanh(x, 2)", 5, "tanh takes one argument"),
    ("o = elu(x, y)", 12, "alpha of elu must be a number"),
    ("o = foo(x)", 5, "foo is not one of the functions"),
    ("a = b = x", 1, "one plain name"),
    ("x += 1", 1, "augmented assignment"),
    ("import os", 1, "an import"),
    ("o = x; tanh(x); y = 2 * x", 8, "only the last statement may be a bare expression"),
    ("o = (y := 2)", 6, ":="),
    ("o = x < 2", 5, "comparison"),
    ("o = [x]", 5, "a list"),
    ("o = f'{x}'", 5, "f-string"),
    ("o = x if x else 2", 5, "if-expression"),
    ("o = tanh(x", 9, "not a valid expression"),
    ("", 1, "empty"),
])
def test_refused_input_gets_a_message_and_the_column_of_the_problem(text: str, column: int, words: str) -> None:
    error = refusal(text)
    assert words in error.message
    assert (error.line, error.column) == (1, column)


def test_columns_count_characters_not_bytes_and_lines_are_reported_when_there_are_several() -> None:
    assert refusal("é = 2; y = é.real").column == 12
    error = refusal("a = 1\no = x.y")
    assert (error.line, error.column) == (2, 5)
    assert "line 2, column 5" in error.where("a = 1\no = x.y")


def test_the_message_shows_the_text_with_a_caret_under_the_problem() -> None:
    assert refusal("o = x // 2").where("o = x // 2") == (
        "  o = x // 2\n        ^\ncolumn 7: the operator // is not allowed (the operators are + - * / **).")


def test_too_long_input_is_refused_before_python_parses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse_must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("ast.parse ran on an over-long input")

    monkeypatch.setattr(step_module.ast, "parse", parse_must_not_run)
    error = refusal("o = " + "x" * MAX_LENGTH)
    assert "limit is 1000" in error.message and error.column == MAX_LENGTH + 1


def test_too_deep_nesting_is_refused_with_a_hint_to_split() -> None:
    for text in ("o = " + "-" * (MAX_DEPTH + 5) + "x", "o = " + "x+" * (MAX_DEPTH + 5) + "x",
                 "o = " + "tanh(" * (MAX_DEPTH + 5) + "x" + ")" * (MAX_DEPTH + 5), "o = " + "(" * 300 + "x" + ")" * 300):
        error = refusal(text)
        assert "nests more than" in error.message or "nested" in error.message


# ----------------------------------------------------------------------------- fuzzing
GRAMMAR_NODES = (Number, Name, Negate, Binary, Call)


def check_in_grammar(expression: object, depth: int = 1) -> None:
    """Everything parse_program returns is one of the five grammar nodes, within the documented bounds."""
    assert isinstance(expression, GRAMMAR_NODES) and depth <= MAX_DEPTH + 1
    if isinstance(expression, Number):
        assert math.isfinite(expression.value)
    elif isinstance(expression, Name):
        assert expression.id.isidentifier()
    elif isinstance(expression, Negate):
        check_in_grammar(expression.operand, depth + 1)
    elif isinstance(expression, Binary):
        assert expression.op in ("+", "-", "*", "/", "**")
        if expression.op == "**" and isinstance(expression.right, Number):
            assert abs(expression.right.value) <= MAX_EXPONENT
        check_in_grammar(expression.left, depth + 1)
        check_in_grammar(expression.right, depth + 1)
    else:
        assert expression.function in FUNCTIONS
        assert expression.constant is None or math.isfinite(expression.constant)
        check_in_grammar(expression.argument, depth + 1)


def check_any_text(text: str) -> None:
    """A refusal is an ExpressionError with a sane position; an acceptance stays inside the grammar and runs."""
    try:
        program = parse_program(text)
    except ExpressionError as error:
        assert error.line >= 1 and error.column >= 1
        assert error.where(text)
        return
    assert len(text) <= MAX_LENGTH and program
    for assignment in program:
        assert isinstance(assignment, Assignment) and assignment.target.isidentifier()
        check_in_grammar(assignment.expression)
    names = {node.id for node in _names(program)} - {a.target for a in program}
    try:
        graph = build_graph(text, {name: 0.5 for name in names if name not in FUNCTIONS})
    except ExpressionError:
        return
    for _ in graph.root.backward_steps():    # inf and nan are narrated, never raised
        pass


def _names(program: tuple) -> list:
    found, stack = [], [a.expression for a in program]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.append(node)
        stack.extend(getattr(node, field) for field in ("operand", "left", "right", "argument") if hasattr(node, field))
    return found


TOKENS = ["x", "w", "b", "o", "y", "n", "=", ";", "+", "-", "*", "/", "**", "(", ")", ",", ".", "[", "]", "2", "0",
          "1e308", "9" * 30, "0.5", "tanh", "exp", "log", "relu", "sqrt", "leaky_relu", "foo", "__import__", "'os'",
          "lambda", ":", "//", "%", "@", "\n", " ", "x.y", "1j", "True", "not", "if", "else", ":=", "\\", "#", "é"]


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_escapes_the_grammar(text: str) -> None:
    check_any_text(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
def test_token_soup_never_escapes_the_grammar(text: str) -> None:
    check_any_text(text)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 3 * MAX_LENGTH), st.sampled_from(["(", "-", "x+", "tanh(", "[", "x**", "9"]))
def test_long_and_deep_inputs_are_refused_or_parsed_within_the_bounds(size: int, piece: str) -> None:
    check_any_text("o = " + piece * size)


def test_refusals_come_from_the_grammar_not_from_python_syntax() -> None:
    """These are valid Python, so only the grammar check stands between them and running."""
    for text in ("o = x.y", "o = (lambda: x)", "o = x[0]"):
        ast.parse(text)
        refusal(text)
