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
import warnings
import weakref
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
    "ConstantLR",
    "PolynomialLR",
    "MultiplicativeLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "CyclicLR",
    "SequentialLR",
    "ChainedScheduler",
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


STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)  # PyTorch 2.13's text, word for word (two spaces before "Failure" included)
STEP_OVERRIDDEN_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


def _track_step_calls(optimizer):
    """Make ``optimizer.step()`` record that it was called (``optimizer._opt_called = True``), by
    replacing it, once, with a wrapper marked ``_wrapped_by_lr_sched``, as PyTorch does. The
    wrapper holds the optimizer weakly, so no reference cycle is made."""
    step = getattr(optimizer, "step", None)
    if step is None or hasattr(step, "_wrapped_by_lr_sched"):
        return
    func = getattr(step, "__func__", None)  # a bound method: call its function on the optimizer
    optimizer_ref = weakref.ref(optimizer)

    def wrapper(*args, **kwargs):
        opt = optimizer_ref()
        opt._opt_called = True
        return func(opt, *args, **kwargs) if func is not None else step(*args, **kwargs)

    wrapper.__doc__ = step.__doc__
    wrapper._wrapped_by_lr_sched = True
    optimizer.step = wrapper


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
        _track_step_calls(optimizer)
        self._initial_step()

    def _initial_step(self):
        """The step done at construction: ``last_epoch`` -1 -> 0 (``_step_count`` becomes 1)."""
        self._step_count = 0
        self.step()

    def get_lr(self):
        """The lrs for the new ``last_epoch``, computed from the groups' current lrs."""
        raise NotImplementedError

    def get_last_lr(self):
        """The lrs of the groups as the last ``step()`` set them (a list, one per group)."""
        return self._last_lr

    def step(self, epoch=None):
        """Advance ``last_epoch`` by one (or set it to ``epoch``) and update every group's lr.

        The first call after construction warns, as PyTorch's, when ``optimizer.step()`` has not
        been called since the scheduler was made (the first lr of the schedule would be skipped),
        or when ``optimizer.step`` was replaced after that (the calls can no longer be seen).
        """
        if self._step_count == 1:
            if not hasattr(getattr(self.optimizer, "step", None), "_wrapped_by_lr_sched"):
                warnings.warn(STEP_OVERRIDDEN_WARNING, UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(STEP_ORDER_WARNING, UserWarning, stacklevel=2)
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

    def _restart(self):
        """Set ``last_epoch`` to 0 and the lrs to their closed form there, as SequentialLR does
        at a milestone: no warning, ``_step_count`` unchanged."""
        self.last_epoch = 0
        closed = getattr(self, "_get_closed_form_lr", None)
        values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._lrs()

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


# ------------------------------------------------------------ more schedules of one optimizer


def _per_group(name, key, optimizer, value):
    """``value`` for every group: a list/tuple of one value per group, or one value for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name}: expected {n} values for {key} (one per group), got {value!r}"
            )
        values = list(value)
    else:
        values = [value] * n
    for v in values:
        _check_number(name, key, v)
    return values


def _set_momentum(group, momentum):
    """Set the momentum of a group: SGD's/RMSprop's ``momentum`` or Adam's ``beta1``."""
    if "betas" in group:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _momentum_bounds(name, optimizer, base_momentum, max_momentum, last_epoch):
    """Check the optimizer has a momentum (or Adam's beta1) to cycle; store both bounds in
    every group and start at ``max_momentum`` (on a fresh start); returns (base, max) lists."""
    defaults = getattr(optimizer, "defaults", {})
    if "momentum" not in defaults and "betas" not in defaults:
        raise ValueError(
            f"{name}: optimizer must support momentum or beta1 with `cycle_momentum` option "
            f"enabled ({type(optimizer).__name__} has neither); pass cycle_momentum=False"
        )
    bases = _per_group(name, "base_momentum", optimizer, base_momentum)
    maxes = _per_group(name, "max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for group, b, m in zip(optimizer.param_groups, bases, maxes, strict=True):
            _set_momentum(group, m)
            group["max_momentum"] = m
            group["base_momentum"] = b
    return bases, maxes


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


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing restarted every cycle (SGDR, Loshchilov and Hutter); the first cycle is
    ``T_0`` epochs long, each next one ``T_mult`` times longer.

    :math:`\\eta_t = \\eta_{\\min} + \\tfrac12 (\\eta_0 - \\eta_{\\min})
    (1 + \\cos(\\pi T_{cur} / T_i))`, :math:`T_{cur}` the epochs since the last restart and
    :math:`T_i` the current cycle's length. ``step(epoch)`` takes a fractional epoch too
    (``scheduler.step(epoch + i / iters)`` inside an epoch of ``iters`` batches).
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        name = "CosineAnnealingWarmRestarts"
        _check_optimizer(name, optimizer)
        _check_positive_int(name, "T_0", T_0)
        if not _is_int(T_mult) or T_mult < 1:
            raise ValueError(f"{name}: T_mult must be an integer >= 1, got {T_mult!r}")
        _check_number(name, "eta_min", eta_min)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        c = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (b - self.eta_min) * c for b in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch (restarting when a cycle ends), or jump to ``epoch`` (>= 0, may be
        fractional). As PyTorch's, this step neither counts ``_step_count`` nor warns."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if not _is_real(epoch) or epoch < 0:
                raise ValueError(
                    f"CosineAnnealingWarmRestarts.step: expected a non-negative epoch, "
                    f"got {epoch!r}"
                )
            if epoch < self.T_0:
                self.T_i, self.T_cur = self.T_0, epoch
            elif self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:  # cycle n starts at T_0 (T_mult^n - 1) / (T_mult - 1): solve for n
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**n
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = self._lrs()


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin), stepped once per *batch*: the lr rises from
    ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of ``total_steps``, then
    falls to ``max_lr / div_factor / final_div_factor``; the momentum (SGD's ``momentum`` or
    Adam's ``beta1``) moves the opposite way between ``max_momentum`` and ``base_momentum``.

    Each phase anneals from a start value :math:`a` to an end value :math:`b` as
    :math:`p = (t - t_{start}) / (t_{end} - t_{start})` goes from 0 to 1: ``"cos"``:
    :math:`b + (a - b)(1 + \\cos \\pi p) / 2`; ``"linear"``: :math:`a + (b - a) p`. Phases end at
    steps :math:`\\text{pct\\_start}\\, T - 1` and :math:`T - 1`; with ``three_phase=True`` they
    end at :math:`\\text{pct\\_start}\\, T - 1` (up), :math:`2\\,\\text{pct\\_start}\\, T - 2`
    (back down to the initial lr) and :math:`T - 1` (down to the minimum, momentum held at its
    maximum). Stepping more than ``total_steps`` times is an error.
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        name = "OneCycleLR"
        _check_optimizer(name, optimizer)
        if total_steps is not None:
            _check_positive_int(name, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            _check_positive_int(name, "epochs", epochs)
            _check_positive_int(name, "steps_per_epoch", steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(
                f"{name}: you must define either total_steps OR (epochs AND steps_per_epoch)"
            )
        _check_number(name, "pct_start", pct_start)
        if not 0 <= pct_start <= 1:
            raise ValueError(f"{name}: pct_start must be in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"{name}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}"
            )
        _check_number(name, "div_factor", div_factor)
        _check_number(name, "final_div_factor", final_div_factor)
        self.total_steps = total_steps
        self._pct_start = pct_start
        self.anneal_strategy = anneal_strategy
        up = float(pct_start * total_steps) - 1
        if three_phase:  # (end step, start lr, end lr, start momentum, end momentum)
            self._schedule_phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * total_steps) - 2, "max_lr", "initial_lr",
                 "base_momentum", "max_momentum"),
                (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]  # fmt: skip
        else:
            self._schedule_phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs, strict=True):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            _momentum_bounds(name, optimizer, base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {t} times; the specified number of total steps is "
                f"{self.total_steps}"
            )
        start = 0.0
        for i, phase in enumerate(self._schedule_phases):
            end = phase[0]
            if t <= end or i == len(self._schedule_phases) - 1:
                break
            start = end
        _, lr0, lr1, m0, m1 = phase
        if end == start:  # PyTorch divides by zero here
            raise ValueError(
                f"OneCycleLR: a phase of the schedule has no steps (pct_start * total_steps = "
                f"{self._pct_start * self.total_steps}); raise pct_start or total_steps"
            )
        pct = (t - start) / (end - start)
        lrs = []
        for group in self.optimizer.param_groups:
            lrs.append(self._anneal(group[lr0], group[lr1], pct))
            if self.cycle_momentum:
                _set_momentum(group, self._anneal(group[m0], group[m1], pct))
        return lrs


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith), stepped once per *batch*: the lr goes linearly from
    ``base_lr`` up to ``max_lr`` in ``step_size_up`` steps and back down in ``step_size_down``
    (default: the same), the height of each cycle scaled by a policy. With ``cycle_momentum``
    the momentum (or Adam's ``beta1``) goes from ``max_momentum`` down to ``base_momentum``
    and back, opposite to the lr.

    With :math:`L` = ``step_size_up + step_size_down``, :math:`r` = ``step_size_up`` / :math:`L`,
    cycle :math:`c = \\lfloor 1 + t/L \\rfloor`, :math:`x = 1 + t/L - c \\in [0, 1)` and
    :math:`h = x/r` while rising (:math:`x \\le r`), :math:`(1 - x)/(1 - r)` while falling:
    :math:`\\eta_t = \\eta_{base} + (\\eta_{max} - \\eta_{base})\\, h\\, s`, where :math:`s` is
    1 (``"triangular"``), :math:`2^{-(c-1)}` (``"triangular2"``, halving each cycle) or
    :math:`\\gamma^t` (``"exp_range"``); or ``scale_fn(c)`` / ``scale_fn(t)`` for a custom
    ``scale_fn`` with ``scale_mode`` ``"cycle"`` / ``"iterations"``.
    """

    def __init__(
        self,
        optimizer,
        base_lr,
        max_lr,
        step_size_up=2000,
        step_size_down=None,
        mode="triangular",
        gamma=1.0,
        scale_fn=None,
        scale_mode="cycle",
        cycle_momentum=True,
        base_momentum=0.8,
        max_momentum=0.9,
        last_epoch=-1,
    ):
        name = "CyclicLR"
        _check_optimizer(name, optimizer)
        base_lrs = _per_group(name, "base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = lr
        self.max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        _check_positive_int(name, "step_size_up", step_size_up)
        if step_size_down is not None:
            _check_positive_int(name, "step_size_down", step_size_down)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if scale_fn is None and mode not in ("triangular", "triangular2", "exp_range"):
            raise ValueError(
                f"{name}: mode must be 'triangular', 'triangular2' or 'exp_range' (or give a "
                f"scale_fn), got {mode!r}"
            )
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(
                f"{name}: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}"
            )
        _check_number(name, "gamma", gamma)
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = (
            scale_mode
            if scale_fn is not None
            else ("iterations" if mode == "exp_range" else "cycle")
        )
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = _momentum_bounds(
                name, optimizer, base_momentum, max_momentum, last_epoch
            )
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """The height factor s of the cycle (see the class docstring)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            h = x / self.step_ratio
        else:
            h = (x - 1) / (self.step_ratio - 1)
        s = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [b + (m - b) * h * s for b, m in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            bounds = zip(self.base_momentums, self.max_momentums, strict=True)
            for group, (b, m) in zip(self.optimizer.param_groups, bounds, strict=True):
                _set_momentum(group, m - (m - b) * h * s)
        return lrs

    def state_dict(self):
        """As LRScheduler's, with a custom ``scale_fn`` saved as LambdaLR saves its lambdas."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        keep = fn is not None and not isinstance(fn, types.FunctionType)
        state["_scale_fn_custom"] = fn.__dict__.copy() if keep and hasattr(fn, "__dict__") else None
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        fn = state_dict.pop("_scale_fn_custom", None)
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)


# ------------------------------------------------------------ schedulers of schedulers


def _check_schedulers(name, optimizer, schedulers):
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{name}: expects at least one scheduler, got none")
    for i, s in enumerate(schedulers):
        if not hasattr(s, "optimizer"):
            raise TypeError(
                f"{name}: the scheduler at index {i} ({type(s).__name__}) has no `optimizer`"
            )
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(
                f"{name}: ReduceLROnPlateau (index {i}) is not supported: its step() needs the "
                "metric"
            )
        if s.optimizer is not optimizer:
            raise ValueError(
                f"{name}: all schedulers must belong to the same optimizer, but the scheduler "
                f"{type(s).__name__} at index {i} has another one"
            )
    return schedulers


class _Composite(LRScheduler):
    """Saving and loading for a scheduler made of schedulers (kept in ``_schedulers``)."""

    def state_dict(self):
        """As LRScheduler's, with ``_schedulers`` the list of each scheduler's state_dict()."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        saved = state_dict.pop("_schedulers")
        super().load_state_dict(state_dict)
        for s, d in zip(self._schedulers, saved, strict=True):
            s.load_state_dict(d)


class SequentialLR(_Composite):
    """Run ``schedulers`` one after another: ``schedulers[i]`` from epoch ``milestones[i-1]``
    on (restarted there at its own epoch 0), e.g. a LinearLR warm-up, then a cosine decay::

        warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
        decay = CosineAnnealingLR(opt, T_max=95)
        sched = SequentialLR(opt, [warmup, decay], milestones=[5])

    Making each scheduler stepped the optimizer's lr; SequentialLR undoes that (lrs back to
    ``initial_lr``, every scheduler's ``last_epoch`` back by one), then makes the initial step of
    the scheduler that runs at epoch 0 only.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        name = "SequentialLR"
        _check_optimizer(name, optimizer)
        schedulers = _check_schedulers(name, optimizer, schedulers)
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{name}: expects one milestone fewer than schedulers, got {len(schedulers)} "
                f"schedulers and {len(milestones)} milestones"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        first = self._schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_initial_steps(self, scheduler):
        for s in getattr(scheduler, "_schedulers", []):
            if hasattr(s, "_schedulers"):
                self._undo_initial_steps(s)
            elif hasattr(s, "last_epoch"):
                s.last_epoch -= 1

    def step(self):
        """One epoch: step the scheduler of this epoch, or restart it at its milestone."""
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler._restart()
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several schedulers together each epoch, their effects multiplied (each scheduler
    updates the lr the previous one left), e.g. ConstantLR then ExponentialLR."""

    def __init__(self, schedulers, optimizer=None):
        schedulers = list(schedulers)
        if optimizer is None and schedulers:
            optimizer = schedulers[0].optimizer
        self._schedulers = _check_schedulers("ChainedScheduler", optimizer, schedulers)
        self.optimizer = optimizer
        self._last_lr = self._lrs()

    def step(self):
        """Step every scheduler, in order."""
        for s in self._schedulers:
            s.step()
        self._last_lr = self._lrs()
