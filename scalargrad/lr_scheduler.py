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

The code is in four small modules: ``lr_base`` (LRScheduler and the step-order warning), this
one (the per-epoch schedules and ReduceLROnPlateau), ``lr_cycles`` (CosineAnnealingWarmRestarts,
OneCycleLR, CyclicLR) and ``lr_combine`` (SequentialLR, ChainedScheduler); all are reached here.
They need only the optimizer's ``param_groups`` (and its ``step``, which they wrap to see it
called): they do not import ``scalargrad.optim``.
"""

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter

from scalargrad.lr_base import (  # noqa: F401 (LRScheduler is part of this module's API)
    EPOCH_DEPRECATION_WARNING,
    STEP_ORDER_WARNING,
    STEP_OVERRIDDEN_WARNING,
    LRScheduler,
    _check_number,
    _check_optimizer,
    _check_positive_int,
    _is_int,
    _is_real,
)
from scalargrad.lr_combine import ChainedScheduler, SequentialLR
from scalargrad.lr_cycles import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR

__all__ = [
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "LambdaLR",
    "CosineAnnealingLR",
    "LinearLR",
    "ReduceLROnPlateau",
    "ConstantLR",
    "PolynomialLR",
    "MultiplicativeLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "CyclicLR",
    "SequentialLR",
    "ChainedScheduler",
]


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

    _steps_on_a_metric = True  # so SequentialLR and ChainedScheduler refuse it

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
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
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


class ConstantLR(LRScheduler):
    """The lr times ``factor`` for the first ``total_iters`` epochs, then the base lr.

    :math:`\\eta_t = \\eta_0 \\, \\text{factor}` for :math:`t < T`, :math:`\\eta_0` from
    :math:`t = T` = ``total_iters`` on. (``total_iters=0`` keeps the factor for ever, as in
    PyTorch, whose step never reaches the restoring epoch then.)
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        _check_optimizer("ConstantLR", optimizer)
        _check_number("ConstantLR", "factor", factor)
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor!r}")
        if not _is_int(total_iters) or total_iters < 0:
            raise ValueError(
                f"ConstantLR: total_iters must be an integer >= 0, got {total_iters!r}"
            )
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._lrs()]
        if self.last_epoch != self.total_iters:
            return self._lrs()
        return [lr * (1.0 / self.factor) for lr in self._lrs()]

    def _get_closed_form_lr(self):
        f = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [b * f for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the lr to 0 over ``total_iters`` epochs along a polynomial of degree ``power``.

    :math:`\\eta_t = \\eta_0 \\, (1 - \\min(t, T) / T)^{p}` with :math:`T` = ``total_iters``,
    :math:`p` = ``power``.
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        _check_optimizer("PolynomialLR", optimizer)
        _check_positive_int("PolynomialLR", "total_iters", total_iters)
        _check_number("PolynomialLR", "power", power)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, n = self.last_epoch, self.total_iters
        if self._step_count == 1 or t > n:
            return self._lrs()
        ratio = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [lr * ratio for lr in self._lrs()]

    def _get_closed_form_lr(self):
        f = (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [b * f for b in self.base_lrs]


class MultiplicativeLR(LambdaLR):
    """Multiply the lr by a function of the epoch at each step after the first:
    :math:`\\eta_t = \\eta_{t-1} \\, \\lambda(t)`, so :math:`\\eta_t = \\eta_0 \\prod_{k=1}^{t}
    \\lambda(k)`. ``lr_lambda`` and ``state_dict()`` are as for :class:`LambdaLR`."""

    def get_lr(self):
        if self._step_count == 1:
            return self._lrs()
        return [lr * f(self.last_epoch) for lr, f in zip(self._lrs(), self.lr_lambdas, strict=True)]
