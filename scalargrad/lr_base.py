"""The base of the learning-rate schedulers (``sg.optim.lr_scheduler``): ``LRScheduler``, the
argument checks they share, and PyTorch's warning when ``scheduler.step()`` comes before
``optimizer.step()``.

A scheduler detects that order as PyTorch's does: on construction it replaces the optimizer's
``step`` (once) by a wrapper that records each call in ``optimizer._opt_called``; its first
``step()`` after construction warns when that flag is not set.
"""

import math
import warnings
import weakref

import numpy as np


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
EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)  # PyTorch 2.13's, given when step(epoch) is called with an epoch
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
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
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
