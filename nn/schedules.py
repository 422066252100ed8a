"""Learning-rate schedules: change each parameter group's ``lr`` once per epoch (or step), as PyTorch's do.

A schedule is made after its optimiser and sets the epoch-0 learning rate at once; call ``step()`` at the
end of every epoch. Each schedule here is a closed-form function of the epoch number and the group's
starting ("base") learning rate, so it gives PyTorch's values without replaying their recursive form.

>>> opt = SGD(model.parameters(), lr=1.0)
>>> schedule = LinearDecay(opt, total_steps=100)    # micrograd's demo: lr = 1.0 - 0.9 * k / 100
>>> for k in range(100):
...     ...; opt.step(); schedule.step()
"""
from __future__ import annotations

import math
from typing import Any


class LRScheduler:
    """Base: ``lr = lr_at(epoch, base_lr)`` for every parameter group, epoch counted from 0."""

    def __init__(self, optimizer: Any) -> None:
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__} schedules an optimiser, got a {type(optimizer).__name__}. Fix: "
                            f"opt = nn.SGD(model.parameters(), lr=0.1); {type(self).__name__}(opt, ...).")
        self.optimizer = optimizer
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()

    def lr_at(self, epoch: int, base_lr: float) -> float:
        """The learning rate of a group that started at ``base_lr``, at ``epoch``."""
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and set every group's learning rate for it."""
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(self.last_epoch, base_lr)

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group as set by the last ``step()``."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The schedule's settings and position (everything but the optimiser), to resume training later."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` saved; the optimiser's own lr comes from its state dict."""
        vars(self).update(state_dict)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.state_dict().items() if k not in ("base_lrs",))
        return f"{type(self).__name__}({settings})"


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs: base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1) -> None:
        if int(step_size) != step_size or step_size < 1:
            raise ValueError(f"StepLR: step_size={step_size!r} is invalid; give a whole number of epochs >= 1.")
        self.step_size, self.gamma = int(step_size), gamma
        super().__init__(optimizer)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: base_lr * gamma ** epoch."""

    def __init__(self, optimizer: Any, gamma: float) -> None:
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** epoch


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from base_lr down to ``eta_min`` over ``T_max`` epochs (SGDR without restarts).

    lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2; past ``T_max`` the cosine
    continues and the rate climbs back, as in PyTorch.
    """

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803 (PyTorch's name)
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max={T_max!r} is invalid; give the number of epochs (> 0).")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LinearLR(LRScheduler):
    """Scale the learning rate linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` epochs, then hold.

    lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) / total_iters).
    """

    def __init__(self, optimizer: Any, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5) -> None:
        if not 0.0 < start_factor <= 1.0 or not 0.0 <= end_factor <= 1.0:
            raise ValueError(f"LinearLR: start_factor={start_factor!r}, end_factor={end_factor!r} are invalid; "
                             "start_factor must be in (0, 1] and end_factor in [0, 1] (as in PyTorch).")
        if total_iters < 1:
            raise ValueError(f"LinearLR: total_iters={total_iters!r} is invalid; give a number of epochs >= 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer)

    def lr_at(self, epoch: int, base_lr: float) -> float:
        progress = min(epoch, self.total_iters) / self.total_iters
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)


class LinearDecay(LinearLR):
    """micrograd's demo schedule: with base lr 1.0 and 100 steps, lr = 1.0 - 0.9 * k / 100 at step k.

    The rate falls linearly from the optimiser's lr to ``end_factor`` times it over ``total_steps``
    steps (``LinearLR(optimizer, 1.0, end_factor, total_steps)``).
    """

    def __init__(self, optimizer: Any, total_steps: int = 100, end_factor: float = 0.1) -> None:
        super().__init__(optimizer, start_factor=1.0, end_factor=end_factor, total_iters=total_steps)
