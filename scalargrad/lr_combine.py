"""Schedulers made of schedulers, as ``torch.optim.lr_scheduler``: SequentialLR (one after
another, switching at milestones) and ChainedScheduler (all at once, their effects
multiplied). Reached as ``sg.optim.lr_scheduler``.
"""

from bisect import bisect_right

from scalargrad.lr_base import LRScheduler, _check_optimizer


def _check_schedulers(name, optimizer, schedulers):
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{name}: expects at least one scheduler, got none")
    for i, s in enumerate(schedulers):
        if not hasattr(s, "optimizer"):
            raise TypeError(
                f"{name}: the scheduler at index {i} ({type(s).__name__}) has no `optimizer`"
            )
        if getattr(s, "_steps_on_a_metric", False):  # ReduceLROnPlateau
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
