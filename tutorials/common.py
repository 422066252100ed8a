"""What every tutorial script shares: its flags, where it writes, how it talks, and how it fails.

A tutorial is run as ``python tutorials/NAME.py [flags]`` from a fresh clone, without installing the
package, so importing this module first puts the repository root on ``sys.path``. Each script then:

- builds its flags with ``make_parser`` (the common ones: ``--engine``, ``--epochs``, ``--lr``,
  ``--seed``, ``--out``, ``--quiet``, ``--smoke``) plus any of its own;
- talks through a ``Run``: ``say`` (silenced by ``--quiet``), ``picture`` (writes a file under
  ``--out`` and names it; ``.dot`` source when Graphviz is missing), and ``result`` (the one line
  that is always printed, e.g. ``circles: train accuracy 0.99, test accuracy 0.97 (seed 0)``);
- hands its ``main`` to ``run``, which turns the errors a reader can fix (missing data, a missing
  optional extra such as scikit-learn) into one clear message and exit code 1, and a flag that does
  not fit the data (``FlagError``) into a usage message and exit code 2, as argparse does.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import nn  # noqa: E402  (needs the path above)
from autograd_core import Tensor, Value  # noqa: E402
from nn.datasets import DatasetError  # noqa: E402
from viz.graph import DotNotInstalledError  # noqa: E402

ENGINES = ("tensor", "scalar")
ACTIVATION_MODULES = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}   # make_mlp's names -> modules


# ----------------------------------------------------------------------------- flags
def make_parser(name: str, description: str, *, epochs: int, lr: float, seed: int = 0, engine: Optional[str] = None,
                epochs_help: str = "passes over the training data") -> argparse.ArgumentParser:
    """The common flags with this tutorial's defaults; ``engine=None`` means the tutorial has one engine only."""
    parser = argparse.ArgumentParser(
        prog=f"python tutorials/{name}.py", description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    if engine is not None:
        parser.add_argument("--engine", choices=ENGINES, default=engine,
                            help="scalar: a graph of Value nodes, one per number (slow, inspectable); "
                                 "tensor: numpy arrays (fast)")
    parser.add_argument("--epochs", type=positive_int, default=epochs, help=epochs_help)
    parser.add_argument("--lr", type=positive_float, default=lr, help="learning rate")
    parser.add_argument("--seed", type=non_negative_int, default=seed,
                        help="seed of every random choice (data, weights, batches)")
    parser.add_argument("--out", type=Path, default=Path("out") / name, help="directory for the pictures")
    parser.add_argument("--quiet", action="store_true", help="print only the final result line")
    parser.add_argument("--smoke", action="store_true", help="a tiny, quick run that checks the script works (CI)")
    return parser


def positive_int(text: str) -> int:
    """An argparse type for counts (points, units, epochs): a bad value is a usage error, not a traceback."""
    return _checked(text, int, lambda number: number >= 1, "a whole number >= 1")


def non_negative_int(text: str) -> int:
    """An argparse type for seeds: numpy's generators take whole numbers from 0 up."""
    return _checked(text, int, lambda number: number >= 0, "a whole number >= 0")


def positive_float(text: str) -> float:
    """An argparse type for the learning rate: at 0 no weight moves, below 0 each step climbs the loss."""
    return _checked(text, float, lambda number: number > 0, "a number > 0")


def fraction(text: str) -> float:
    """An argparse type for a share of the data, such as the test set's: strictly between 0 and 1."""
    return _checked(text, float, lambda number: 0 < number < 1, "a fraction between 0 and 1 (e.g. 0.25)")


def probability(text: str) -> float:
    """An argparse type for a rate that may be 0 but not 1, such as dropout's (1 would silence every unit)."""
    return _checked(text, float, lambda number: 0 <= number < 1, "a probability >= 0 and < 1 (e.g. 0.2)")


def _checked(text: str, kind: type, is_valid: Callable[[float], bool], wanted: str):
    """``kind(text)`` if it parses and passes ``is_valid``; otherwise argparse's usage error saying what is wanted."""
    try:
        number = kind(text)
    except ValueError:
        number = None
    if number is None or not is_valid(number):
        raise argparse.ArgumentTypeError(f"{text} is not {wanted}")
    return number


class FlagError(ValueError):
    """A flag value that turns out to be impossible only once the data is loaded (the message says which limit)."""


# ----------------------------------------------------------------------------- talking and writing
class Run:
    """One run of a tutorial: its parsed flags, its messages and its output directory."""

    def __init__(self, name: str, args: argparse.Namespace) -> None:
        self.name = name
        self.args = args
        self.started = time.perf_counter()

    @property
    def verbose(self) -> int:
        """``verbose`` for ``nn.fit``: 1 shows the progress bar, 0 keeps quiet."""
        return 0 if self.args.quiet else 1

    def say(self, *lines: object) -> None:
        """Print unless ``--quiet``."""
        if not self.args.quiet:
            for line in lines:
                print(line, flush=True)

    def heading(self, text: str) -> None:
        self.say("", f"== {text}")

    def path(self, filename: str) -> Path:
        """Where to write ``filename``: inside ``--out``, created on first use."""
        self.args.out.mkdir(parents=True, exist_ok=True)
        return self.args.out / filename

    def picture(self, filename: str, draw: Callable[[Path], object]) -> Optional[Path]:
        """Call ``draw(path)`` and report the file.

        Pictures are a bonus on top of the result line, so a missing tool does not fail the run: without
        Graphviz's ``dot`` a graph is saved as ``.dot`` source instead (render it later with ``dot -Tsvg``),
        and without matplotlib (an optional extra) a plot is skipped; either way a note goes to stderr.
        """
        path = self.path(filename)
        try:
            draw(path)
        except DotNotInstalledError:
            source = path.with_suffix(".dot")
            draw(source)
            print(f"{self.name}: wrote {source} instead of {path.name}: Graphviz's `dot` is not installed "
                  f"(Debian: sudo apt-get install graphviz; then dot -T{path.suffix[1:]} {source} -o {path})",
                  file=sys.stderr)
            return source
        except ImportError as missing:
            print(f"{self.name}: skipped {path}: {missing}", file=sys.stderr)
            return None
        self.say(f"wrote {path}")
        return path

    def result(self, text: str) -> None:
        """The final line, always printed: ``NAME: text (seed S)``."""
        print(f"{self.name}: {text} (seed {self.args.seed})", flush=True)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def run(name: str, parser: argparse.ArgumentParser, main: Callable[[Run], None],
        argv: Optional[Sequence[str]] = None) -> None:
    """Parse the flags, seed everything, run ``main``; a fixable failure becomes a message and exit code 1
    (2, with the usage, for a flag that does not fit the data)."""
    args = parser.parse_args(argv)
    nn.manual_seed(args.seed)
    try:
        main(Run(name, args))
    except FlagError as error:
        parser.print_usage(sys.stderr)
        print(f"{name}: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except (DatasetError, ImportError, OSError) as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        raise SystemExit(130) from None


# ----------------------------------------------------------------------------- models and numbers
def make_mlp(engine: str, sizes: Sequence[int], activation: str = "relu",
             output_activation: Optional[str] = None) -> nn.Module:
    """The same fully connected network on either engine: ``sizes = [inputs, hidden..., outputs]``.

    ``scalar`` gives ``nn.MLP`` (every weight a ``Value``), ``tensor`` gives ``nn.Sequential`` of
    ``Linear`` layers with activation modules between them.
    """
    if engine == "scalar":
        return nn.MLP(sizes[0], list(sizes[1:]), activation=activation, output_activation=output_activation)
    layers: list[nn.Module] = []
    for position, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        is_last = position == len(sizes) - 2
        name = output_activation if is_last else activation
        if name is not None:
            layers.append(ACTIVATION_MODULES[name]())
    return nn.Sequential(*layers)


def describe_data(X: np.ndarray, y: np.ndarray, title: str) -> str:
    """One line about a labelled dataset: size, features, and how many samples each class has."""
    classes, counts = np.unique(y, return_counts=True)
    per_class = ", ".join(f"{int(c)}: {int(n)}" for c, n in zip(classes, counts))
    return f"{title}: {len(X)} samples, {X.shape[1] if X.ndim > 1 else 1} features, per class {{{per_class}}}"


def loss_graph(model: nn.Module, X: np.ndarray, y: np.ndarray,
               loss: Callable = nn.binary_cross_entropy) -> Value | Tensor:
    """``loss`` of ``model`` on the samples ``X, y``, after backward: the graph ``draw_graph`` draws.

    The scalar ``MLP`` is called once per sample (a list of Values); a tensor model once on the batch.
    """
    if isinstance(model, nn.MLP):
        inputs = [[Value(x, label=f"x{i + 1}") for i, x in enumerate(row)] for row in X.tolist()]
        value = loss([model(row) for row in inputs], y.tolist())
    else:
        prediction = model(X.astype(model.parameters()[0].data.dtype))
        value = loss(prediction, y.reshape(prediction.shape))
    value.backward()
    return value
