"""Learning-rate schedulers, as ``torch.optim.lr_scheduler`` (reachable as
``sg.optim.lr_scheduler``).

A scheduler changes the ``"lr"`` of every parameter group of an optimizer once per epoch. Usage is
PyTorch's: build it after the optimizer, then call ``scheduler.step()`` after ``optimizer.step()``
at the end of every epoch::

    opt = sg.optim.SGD(model.parameters(), lr=0.1)
    sched = sg.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)              # opt.step() per batch
        sched.step()

Constructing a scheduler stores each group's starting lr as ``group["initial_lr"]`` (these are
``base_lrs``) and performs the initial step (``last_epoch`` goes from -1 to 0), as PyTorch does.
As in PyTorch, ``step()`` of StepLR, MultiStepLR, ExponentialLR and LinearLR updates the current
lr multiplicatively (so schedulers can be chained); its values equal the closed form written in
each class's docstring up to rounding. In the formulas, :math:`\\eta_0` is a group's base lr and
:math:`t` is ``last_epoch``.

This module needs only the optimizer's ``param_groups``: it does not import ``scalargrad.optim``.
"""

import math
import types
from bisect import bisect_right
from collections import Counter

import numpy as np

__all__ = [
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "LambdaLR",
    "CosineAnnealingLR",
    "LinearLR",
    "ReduceLROnPlateau",
]


def _is_real(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _check_optimizer(name, optimizer):
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise TypeError(
            f"{name}: {type(optimizer).__name__} is not an Optimizer (expected e.g. "
            f"sg.optim.SGD(params, lr=...)), got {optimizer!r}"
        )


def _check_number(name, key, value):
    if not _is_real(value):
        raise TypeError(f"{name}: {key} must be a number, got {type(value).__name__} ({value!r})")
    if not math.isfinite(value):
        raise ValueError(f"{name}: {key} must be finite, got {value!r}")


def _check_positive_int(name, key, value):
    if not _is_int(value):
        raise TypeError(f"{name}: {key} must be an integer, got {type(value).__name__} ({value!r})")
    if value <= 0:
        raise ValueError(f"{name}: {key} must be a positive integer, got {value!r}")


class LRScheduler:
    """Base class: sets ``group["lr"]`` for every group of ``optimizer`` at each ``step()``.

    Attributes: ``optimizer``, ``last_epoch`` (the epoch index t, 0 after construction),
    ``base_lrs`` (each group's ``initial_lr``). Subclasses define ``get_lr()``, the new lrs
    computed from the current ones, and ``_get_closed_form_lr()``, the lrs at ``last_epoch``
    from ``base_lrs``.
    """

    def __init__(self, optimizer, last_epoch=-1):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        if not _is_int(last_epoch) or last_epoch < -1:
            raise ValueError(f"{name}: last_epoch must be an integer >= -1, got {last_epoch!r}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{name}: param 'initial_lr' is not specified in param_groups[{i}] when "
                        f"resuming with last_epoch={last_epoch}"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self.step()  # the initial step: last_epoch -1 -> 0

    def get_lr(self):
        """The lrs for the new ``last_epoch``, computed from the groups' current lrs."""
        raise NotImplementedError

    def get_last_lr(self):
        """The lrs of the groups as the last ``step()`` set them (a list, one per group)."""
        return self._last_lr

    def step(self, epoch=None):
        """Advance ``last_epoch`` by one (or set it to ``epoch``) and update every group's lr."""
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            if not _is_int(epoch):
                raise TypeError(
                    f"{type(self).__name__}.step: epoch must be an integer, got {epoch!r}"
                )
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Everything in the scheduler's ``__dict__`` except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the state returned by ``state_dict()``."""
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected the dict state_dict() "
                f"returns, got {type(state_dict).__name__}"
            )
        self.__dict__.update(state_dict)

    def _lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs.

    :math:`\\eta_t = \\eta_0 \\, \\gamma^{\\lfloor t / \\text{step\\_size} \\rfloor}`.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_optimizer("StepLR", optimizer)
        _check_positive_int("StepLR", "step_size", step_size)
        _check_number("StepLR", "gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _get_closed_form_lr(self):
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each epoch in ``milestones``.

    :math:`\\eta_t = \\eta_0 \\, \\gamma^{\\#\\{m \\in \\text{milestones} : m \\le t\\}}`
    (a milestone listed twice counts twice).
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        _check_optimizer("MultiStepLR", optimizer)
        if isinstance(milestones, (str, bytes)) or not hasattr(milestones, "__iter__"):
            raise TypeError(
                f"MultiStepLR: milestones must be a list of epochs, got "
                f"{type(milestones).__name__} ({milestones!r})"
            )
        milestones = list(milestones)
        for m in milestones:
            if not _is_int(m):
                raise TypeError(f"MultiStepLR: milestones must be integers, got {m!r}")
        _check_number("MultiStepLR", "gamma", gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._lrs()]

    def _get_closed_form_lr(self):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [b * self.gamma**passed for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch: :math:`\\eta_t = \\eta_0 \\, \\gamma^t`."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        _check_optimizer("ExponentialLR", optimizer)
        _check_number("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]

    def _get_closed_form_lr(self):
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class LambdaLR(LRScheduler):
    """The base lr times a function of the epoch: :math:`\\eta_t = \\eta_0 \\, \\lambda(t)`.

    ``lr_lambda`` is one function, or a list of one function per parameter group.
    ``state_dict()`` saves a plain function as None (it cannot be saved) and a callable object
    as its ``__dict__``, as PyTorch does.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer("LambdaLR", optimizer)
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(
                    f"LambdaLR: expected {n} lr_lambdas (one per parameter group), "
                    f"got {len(lr_lambda)}"
                )
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * n
        for f in lambdas:
            if not callable(f):
                raise TypeError(
                    f"LambdaLR: lr_lambda must be a function of the epoch, got "
                    f"{type(f).__name__} ({f!r})"
                )
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [b * f(self.last_epoch) for b, f in zip(self.base_lrs, self.lr_lambdas, strict=True)]

    def state_dict(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None
            if isinstance(f, types.FunctionType) or not hasattr(f, "__dict__")
            else f.__dict__.copy()
            for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict):
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"LambdaLR.load_state_dict: expected the dict state_dict() returns, "
                f"got {type(state_dict).__name__}"
            )
        state_dict = dict(state_dict)
        saved = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        self.__dict__.update(state_dict)
        for f, d in zip(self.lr_lambdas, saved, strict=True):
            if d is not None:
                f.__dict__.update(d)


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the base lr down to ``eta_min`` over ``T_max`` epochs.

    :math:`\\eta_t = \\eta_{\\min} + \\tfrac12 (\\eta_0 - \\eta_{\\min})
    (1 + \\cos(\\pi t / T_{\\max}))`; after ``T_max`` it rises again (period ``2 T_max``).
    This is the closed form: PyTorch's ``step()`` computes the same values recursively,
    equal up to rounding (relative differences of about 1e-15).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check_optimizer("CosineAnnealingLR", optimizer)
        _check_positive_int("CosineAnnealingLR", "T_max", T_max)
        _check_number("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._step_count == 1:  # the initial step keeps the lrs, as PyTorch's
            return self._lrs()
        return self._get_closed_form_lr()

    def _get_closed_form_lr(self):
        c = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (b - self.eta_min) * c for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr by a factor going linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, then constant.

    :math:`\\eta_t = \\eta_0 \\, (s + (e - s) \\min(t, T) / T)` with :math:`s` the start factor,
    :math:`e` the end factor and :math:`T` = ``total_iters``.
    """

    def __init__(
        self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1
    ):
        _check_optimizer("LinearLR", optimizer)
        _check_number("LinearLR", "start_factor", start_factor)
        _check_number("LinearLR", "end_factor", end_factor)
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        _check_positive_int("LinearLR", "total_iters", total_iters)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._lrs()]
        if self._step_count == 1 or self.last_epoch > self.total_iters:
            return self._lrs()
        d = self.end_factor - self.start_factor
        ratio = 1.0 + d / (self.total_iters * self.start_factor + (self.last_epoch - 1) * d)
        return [lr * ratio for lr in self._lrs()]

    def _get_closed_form_lr(self):
        d = self.end_factor - self.start_factor
        f = self.start_factor + d * min(self.total_iters, self.last_epoch) / self.total_iters
        return [b * f for b in self.base_lrs]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    ``step(metric)`` takes the metric (e.g. the validation loss). With ``mode="min"`` and
    ``threshold_mode="rel"`` a value is an improvement when it is below
    ``best * (1 - threshold)`` (``"abs"``: below ``best - threshold``; ``mode="max"``:
    above ``best * (1 + threshold)`` / ``best + threshold``). After more than ``patience`` epochs
    without improvement, :math:`\\eta \\leftarrow \\max(\\eta \\cdot \\text{factor},
    \\text{min\\_lr})` (skipped if the change is not larger than ``eps``), then ``cooldown``
    epochs pass before bad epochs are counted again.
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0,
        eps=1e-8,
    ):
        name = "ReduceLROnPlateau"
        _check_optimizer(name, optimizer)
        _check_number(name, "factor", factor)
        if not factor < 1.0:
            raise ValueError(f"{name}: factor must be < 1.0, got {factor!r}")
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"{name}: expected {n} min_lrs (one per group), got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        for v in self.min_lrs:
            _check_number(name, "min_lr", v)
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"{name}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        _check_number(name, "threshold", threshold)
        _check_number(name, "eps", eps)
        if not _is_int(patience) or patience < 0:
            raise ValueError(f"{name}: patience must be an integer >= 0, got {patience!r}")
        if not _is_int(cooldown) or cooldown < 0:
            raise ValueError(f"{name}: cooldown must be an integer >= 0, got {cooldown!r}")
        self.optimizer = optimizer
        self.factor = factor
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.last_epoch = 0
        self._last_lr = self._lrs()
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None):
        """Record the metric of one epoch; reduce the lr after ``patience`` bad epochs."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"ReduceLROnPlateau.step: metrics must be a number, got "
                f"{type(metrics).__name__} ({metrics!r})"
            ) from None
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._lrs()

    def _reduce_lr(self):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(self.optimizer.param_groups)} "
                    f"param groups but min_lrs has {len(self.min_lrs)}; set min_lrs to match"
                )
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for i, group in enumerate(self.optimizer.param_groups):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self):
        """Whether the scheduler is in its cooldown after a reduction."""
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        """Whether metric ``a`` improves on ``best`` (see the class docstring)."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold
