"""Cyclical learning-rate schedules, as ``torch.optim.lr_scheduler``: cosine annealing with warm
restarts (per epoch), and the per-batch OneCycleLR and CyclicLR, which also cycle the momentum
(SGD's ``momentum`` or Adam's ``beta1``) against the lr. Reached as ``sg.optim.lr_scheduler``.
"""

import math
import types

from scalargrad.lr_base import (
    LRScheduler,
    _check_number,
    _check_optimizer,
    _check_positive_int,
    _is_int,
    _is_real,
)


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
