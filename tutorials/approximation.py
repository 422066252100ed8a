"""Universal approximation: one hidden layer of sigmoid or tanh units fits a curve, better with more units.

The theorem (Cybenko 1989, Hornik 1991) says one hidden layer of squashing units can come as
close as we like to any continuous function on an interval, given enough units. Here is what
"enough" looks like: the same curve fitted by networks 1-H-1 with H = 2, 5 and 20 hidden units,
each trained the same way (mean squared error, Adam, full batch). Each unit contributes one smooth
step; two steps make one bump, and a wiggly curve needs a bump per wiggle.

    python tutorials/approximation.py                       # sin(x) on [-2 pi, 2 pi], tanh units
    python tutorials/approximation.py --activation sigmoid --function abs --units 1 3 10
"""
from __future__ import annotations

import numpy as np

import common
import nn

NAME = "approximation"
TARGETS = {
    "sin": (np.sin, "sin(x)"),
    "abs": (np.abs, "|x|"),
    "step": (lambda x: np.where(x > 0, 1.0, -1.0), "sign(x)"),
}
X_RANGE = 2 * np.pi


def parser():
    p = common.make_parser(NAME, __doc__.splitlines()[0], epochs=2000, lr=0.01, engine="tensor",
                           epochs_help="full-batch Adam steps for each network")
    p.add_argument("--units", type=common.positive_int, nargs="+", default=[2, 5, 20],
                   help="hidden-layer sizes to compare")
    p.add_argument("--activation", choices=("tanh", "sigmoid"), default="tanh", help="the hidden units' squashing")
    p.add_argument("--function", choices=sorted(TARGETS), default="sin", help="the curve to fit on [-2 pi, 2 pi]")
    p.add_argument("--points", type=common.positive_int, default=200, help="training points, evenly spaced")
    return p


def main(run: common.Run) -> None:
    args = run.args
    epochs, points = (20, 50) if args.smoke else (args.epochs, args.points)
    function, formula = TARGETS[args.function]
    x = np.linspace(-X_RANGE, X_RANGE, points)
    inputs = (x / X_RANGE).reshape(-1, 1)          # scaled to [-1, 1], as one would standardise
    target = function(x).reshape(-1, 1)
    run.say(f"data: {points} points of y = {formula} for x in [-2 pi, 2 pi] (inputs scaled to [-1, 1])")

    fits, errors = {}, {}
    for units in args.units:
        run.heading(f"1-{units}-1 network, {args.activation} hidden units ({args.engine} engine)")
        model = common.make_mlp(args.engine, [1, units, 1], activation=args.activation)
        run.say(model.summary())
        nn.fit(model, inputs, target, loss="mse", optimizer=nn.Adam(model.parameters(), lr=args.lr),
               epochs=epochs, batch_size=None, verbose=run.verbose)
        fit = np.ravel(nn.predict(model, inputs))
        errors[units] = float(np.mean((fit - target.ravel()) ** 2))
        fits[f"{units} {args.activation} units (MSE {errors[units]:.2g})"] = fit
        run.say(f"mean squared error {errors[units]:.2g}")

    from viz import plot_approximation
    title = f"y = {formula} fitted by one hidden layer of {args.activation} units"
    run.picture("approximation.png", lambda path: plot_approximation(x, target.ravel(), fits, path=path, title=title))
    sizes = " / ".join(str(units) for units in errors)
    run.result(f"{formula} with {sizes} {args.activation} units: mean squared error "
               + " / ".join(f"{error:.2g}" for error in errors.values()))


if __name__ == "__main__":
    common.run(NAME, parser(), main)
