"""Optimizers: SGD (momentum, dampening, Nesterov, weight decay), Adam, AdamW, RMSprop and Adagrad,
as torch.optim.

The same classes update both engines' parameters:

* a scalar ``Value``: its ``data`` is updated in Python, one ``calculus.sgd_update`` /
  ``calculus.adam_update`` call per parameter;
* a matrix-engine ``Tensor`` (anything that is not a Value): its backend array ``p._array`` is
  updated in place by one kernel, ``p._backend.sgd_step`` / ``adam_step`` / ..., built on the same
  calculus functions. Tensors whose ``grad`` is None are skipped.

``zero_grad()`` sets Value grads to 0.0 and Tensor grads to None (PyTorch's ``set_to_none=True``).
``state_dict()`` has PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [{..., "params":
[indices]}]}``; per-parameter state is a float (Value) or a numpy array (Tensor).
"""

import warnings

import numpy as np

from scalargrad import calculus
from scalargrad.autograd_mode import no_grad
from scalargrad.scalar.value import Value


class Optimizer:
    """Holds parameter groups (lists of parameters with their hyperparameters) and their state."""

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, Value) or hasattr(params, "_array"):
            raise TypeError(
                f"{name}: params must be an iterable of parameters, "
                f"got a single {type(params).__name__}; wrap it in a list: [w]"
            )
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(
                f"{name}: params must be an iterable of parameters, got the model "
                f"{type(params).__name__} itself; pass model.parameters()"
            )
        if isinstance(params, (str, bytes)) or not hasattr(params, "__iter__"):
            raise TypeError(
                f"{name}: params must be an iterable of parameters, got {type(params).__name__} "
                f"{params!r}; pass model.parameters()"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}  # parameter -> dict of its state (PyTorch: optimizer.state[p])
        seen = set()
        for group in groups:
            group = {**self.defaults, **group, "params": _group_params(name, group)}
            self._check_hyperparameters(group)
            group["params"] = _checked_params(name, group["params"], seen)
            self.param_groups.append(group)

    def __getstate__(self):
        """Pickling and deepcopy leave out the ``step`` wrapper an lr scheduler installs (it points
        at this optimizer, not at the copy) and its flag, as PyTorch's optimizers do."""
        return {k: v for k, v in self.__dict__.items() if k not in ("step", "_opt_called")}

    def __repr__(self):
        """PyTorch's layout: the class name, then each group's settings in name order."""
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])

    def _check_hyperparameters(self, group):
        name = type(self).__name__
        _check_numbers(name, **{k: v for k, v in group.items() if k in _NUMBERS})
        if not group["lr"] >= 0.0:
            raise ValueError(f"{name}: invalid learning rate lr={group['lr']!r} (must be >= 0)")
        if not group["weight_decay"] >= 0.0:
            raise ValueError(
                f"{name}: invalid weight_decay={group['weight_decay']!r} (must be >= 0)"
            )

    def _params(self):
        for group in self.param_groups:
            for p in group["params"]:
                yield group, p

    def zero_grad(self):
        """Reset gradients: Value grads to 0.0, Tensor grads to None."""
        for _, p in self._params():
            if isinstance(p, Value):
                p.grad = 0.0
            else:
                p.grad = None

    def step(self):
        """Update every parameter once from its current gradient."""
        for group, p in self._params():
            if isinstance(p, Value):
                self._step_value(group, p, self.state.setdefault(p, {}))
            elif p.grad is not None:
                _check_grad(type(self).__name__, p)
                self._step_tensor(group, p, self.state.setdefault(p, {}))

    # ------------------------------------------------------------ saving and loading

    def state_dict(self):
        """``{"state": {i: {...}}, "param_groups": [{hyperparameters..., "params": [i, ...]}]}``."""
        index = 0
        groups = []
        state = {}
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                if self.state.get(p):
                    state[index] = {k: _export(p, v) for k, v in self.state[p].items()}
                ids.append(index)
                index += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and state saved by ``state_dict()`` of a matching optimizer."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= set(state_dict):
            raise TypeError(
                f"{name}.load_state_dict: expected the dict an optimizer's state_dict() returns "
                f"(keys 'state' and 'param_groups'), got {type(state_dict).__name__}"
            )
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the state_dict has {len(groups)} parameter groups, "
                f"this optimizer {len(self.param_groups)}"
            )
        params = []
        for saved, group in zip(groups, self.param_groups, strict=True):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: a group has {len(saved['params'])} parameters in the "
                    f"state_dict but {len(group['params'])} here"
                )
            params.extend(zip(saved["params"], group["params"], strict=True))
        for saved, group in zip(groups, self.param_groups, strict=True):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {}
        for index, p in params:
            saved = state_dict["state"].get(index)
            if saved:
                self.state[p] = {k: _import(name, p, k, v) for k, v in saved.items()}


# ------------------------------------------------------------ what a parameter may be


_NUMBERS = ("lr", "momentum", "dampening", "weight_decay", "eps", "alpha", "lr_decay")


def _is_real(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _check_numbers(name, **values):
    for key, value in values.items():
        if not _is_real(value):
            raise TypeError(
                f"{name}: {key} must be a number, got {type(value).__name__} ({value!r})"
            )


def _group_params(name, group):
    """The ``params`` of one group (a dict) as a list; a lone tensor is a list of one."""
    if "params" not in group:
        raise ValueError(f"{name}: a parameter group (dict) must have a 'params' key, got {group}")
    params = group["params"]
    if isinstance(params, Value) or hasattr(params, "_array"):
        return [params]
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{name}: parameters need an order, so give a list, not a {type(params).__name__}"
        )
    return list(params)


def _checked_params(name, params, seen):
    """``params`` without repeats, after checking each is a leaf of floats no other group has.

    As ``torch.optim``: a non-parameter is a TypeError, a non-leaf a ValueError, a parameter in
    two groups a ValueError, a repeat inside a group a warning (we then keep it once, so it is not
    updated twice per step)."""
    unique, mine = [], set()
    for i, p in enumerate(params):
        if isinstance(p, Value):
            if not p.is_leaf:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Value (parameter {i}, made by op "
                    f"{p.op!r}); optimize the Value you created, e.g. w = Value(0.5)"
                )
        elif hasattr(p, "_array"):
            if getattr(p, "grad_fn", None) is not None:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Tensor (parameter {i}, shape "
                    f"{tuple(p.shape)}, made by {p.grad_fn.name()}). The usual cause: "
                    "w = sg.randn(3, requires_grad=True) * 0.01 is the result of a multiplication, "
                    "not a leaf; scale first and then ask for gradients: "
                    "w = (sg.randn(3) * 0.01).requires_grad_()"
                )
            if p._array.dtype.kind != "f":
                raise TypeError(
                    f"{name}: parameter {i} has dtype {p.dtype} (shape {tuple(p.shape)}); "
                    "only floating point tensors can be optimized (make it with "
                    "dtype=sg.float32, or call .float())"
                )
        else:
            raise TypeError(
                f"{name}: optimizer can only optimize Tensors or Values, but parameter {i} is a "
                f"{type(p).__name__} ({p!r}); pass model.parameters() or a list of tensors "
                "made with requires_grad=True"
            )
        if id(p) in seen:
            if id(p) in mine:
                warnings.warn(
                    f"{name}: a parameter group contains parameter {i} more than once; it is "
                    "kept once (PyTorch warns here too: duplicate parameters)",
                    UserWarning,
                    stacklevel=4,
                )
                continue
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        seen.add(id(p))
        mine.add(id(p))
        unique.append(p)
    return unique


def _check_grad(name, p):
    """A Tensor parameter's ``.grad`` must match it in shape, dtype and device before a step."""
    g = p.grad
    if not hasattr(g, "_array"):
        raise TypeError(
            f"{name}.step: a parameter's .grad must be a Tensor or None, got {type(g).__name__}"
        )
    a, b = p._array, g._array
    if (
        tuple(a.shape) != tuple(b.shape)
        or a.dtype != b.dtype
        or getattr(g, "_backend", p._backend) is not p._backend
    ):
        raise RuntimeError(
            f"{name}.step: a parameter of shape {tuple(a.shape)} ({a.dtype}, "
            f"{p._backend.name}) has a .grad of shape {tuple(b.shape)} ({b.dtype}, "
            f"{getattr(g, '_backend', p._backend).name}); a gradient must match its parameter "
            "(was .grad assigned by hand?)"
        )


def _only_defaults(name, **switches):
    """PyTorch's switches scalargrad accepts only at their default (False) value."""
    for key, value in switches.items():
        if value:
            raise NotImplementedError(f"{name}: {key}=True is not supported by scalargrad")


def _export(p, item):
    if isinstance(p, Value) or not hasattr(item, "shape"):
        return item
    return np.array(p._backend.to_numpy(item), copy=True)


def _import(name, p, key, item):
    if isinstance(p, Value) or key == "step":
        return item
    array = np.array(item, dtype=p.dtype)
    if array.shape != tuple(p.shape):
        raise ValueError(
            f"{name}.load_state_dict: state {key!r} has shape {tuple(array.shape)}, "
            f"the parameter {tuple(p.shape)}"
        )
    return p._backend.from_numpy(array)


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``. Per element (calculus.sgd_update):

    g <- grad + weight_decay * p
    buf <- g (first step), else momentum * buf + (1 - dampening) * g
    p <- p - lr * (g + momentum * buf if nesterov else buf)     (p - lr * g if momentum = 0)
    """

    def __init__(
        self,
        params,
        lr=0.001,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
        foreach=None,
        differentiable=False,
        fused=None,
    ):
        _only_defaults("SGD", maximize=maximize, differentiable=differentiable)
        _check_numbers(
            "SGD", lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay
        )
        if not momentum >= 0.0:
            raise ValueError(f"SGD: invalid momentum={momentum!r} (must be >= 0)")
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError(
                "SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                f"got momentum={momentum!r}, "
                f"dampening={dampening!r}"
            )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            # PyTorch's switches, kept so state_dict() and print() read as PyTorch's
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def _step_value(self, group, p, state):
        first = "momentum_buffer" not in state
        p.data, buf = calculus.sgd_update(
            p.data,
            p.grad,
            state.get("momentum_buffer", 0.0),
            group["lr"],
            group["momentum"],
            group["dampening"],
            group["weight_decay"],
            group["nesterov"],
            first,
        )
        if group["momentum"] != 0.0:
            state["momentum_buffer"] = buf

    def _step_tensor(self, group, p, state):
        backend = p._backend
        first = "momentum_buffer" not in state
        if group["momentum"] != 0.0:
            if first:  # as PyTorch: the buffer is born a copy of the gradient (the kernel then
                # adds weight decay), once; later steps update it in place, allocating nothing
                state["momentum_buffer"] = backend.astype(p.grad._array, p.dtype)
            buf = state["momentum_buffer"]
        else:
            # momentum 0 keeps no buffer: sgd_update hands the buffer back as given, so the
            # gradient stands in for it (read, and written back unchanged) and nothing is made
            buf = p.grad._array
        backend.sgd_step(
            p._array,
            p.grad._array,
            buf,
            group["lr"],
            group["momentum"],
            group["dampening"],
            group["weight_decay"],
            group["nesterov"],
            first,
        )


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``. Per element (calculus.adam_update), t the 1-based step:

    g <- grad + weight_decay * p
    m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
    p <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    With ``decoupled_weight_decay=True`` (that is ``AdamW``) the decay leaves the gradient:
    first p <- p (1 - lr * weight_decay), then the steps above with g = grad.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        name = type(self).__name__
        _only_defaults(name, amsgrad=amsgrad, maximize=maximize, differentiable=differentiable)
        _check_numbers(name, lr=lr, eps=eps, weight_decay=weight_decay)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        _check_numbers(name, beta1=betas[0], beta2=betas[1])
        beta1, beta2 = betas
        for i, beta in enumerate((beta1, beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(
                    f"{name}: invalid beta parameter at index {i}: {beta!r} (must be in [0, 1))"
                )
        if not eps >= 0.0:
            raise ValueError(f"{name}: invalid epsilon value eps={eps!r} (must be >= 0)")
        defaults = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
        defaults.update(  # PyTorch's switches, kept so state_dict() and print() read as PyTorch's
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=bool(decoupled_weight_decay),
        )
        super().__init__(params, defaults)

    @staticmethod
    def _coupled_decay(group):
        """The weight_decay the Adam update adds to the gradient: none when it is decoupled."""
        return 0.0 if group["decoupled_weight_decay"] else group["weight_decay"]

    def _step_value(self, group, p, state):
        step = state.get("step", 0) + 1
        beta1, beta2 = group["betas"]
        if group["decoupled_weight_decay"]:  # AdamW: p <- p (1 - lr wd), outside the moments
            p.data = p.data * (1.0 - group["lr"] * group["weight_decay"])
        p.data, state["exp_avg"], state["exp_avg_sq"] = calculus.adam_update(
            p.data,
            p.grad,
            state.get("exp_avg", 0.0),
            state.get("exp_avg_sq", 0.0),
            group["lr"],
            beta1,
            beta2,
            group["eps"],
            self._coupled_decay(group),
            step,
        )
        state["step"] = step

    def _step_tensor(self, group, p, state):
        backend = p._backend
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = backend.full(tuple(p.shape), 0.0, p.dtype)
            state["exp_avg_sq"] = backend.full(tuple(p.shape), 0.0, p.dtype)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        if group["decoupled_weight_decay"]:  # AdamW: p <- p (1 - lr wd), outside the moments
            with no_grad():
                p.mul_(1.0 - group["lr"] * group["weight_decay"])
        backend.adam_step(
            p._array,
            p.grad._array,
            state["exp_avg"],
            state["exp_avg_sq"],
            group["lr"],
            beta1,
            beta2,
            group["eps"],
            self._coupled_decay(group),
            state["step"],
        )


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam with decoupled weight decay (Loshchilov and Hutter).
    Per element, t the 1-based step (docs: derivations/weight_decay):

    p <- p (1 - lr * weight_decay)
    m <- beta1 m + (1 - beta1) grad;   v <- beta2 v + (1 - beta2) grad^2
    p <- p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
        foreach=None,
        capturable=False,
        differentiable=False,
        fused=None,
    ):
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``. Per element (calculus.rmsprop_update):

    g <- grad + weight_decay * p
    v <- alpha v + (1 - alpha) g^2                      (state "square_avg")
    centered: a <- alpha a + (1 - alpha) g, d = sqrt(v - a^2) + eps     ("grad_avg")
    otherwise d = sqrt(v) + eps
    momentum > 0: b <- momentum b + g / d, p <- p - lr * b             ("momentum_buffer")
    otherwise p <- p - lr * g / d
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _only_defaults("RMSprop", maximize=maximize, differentiable=differentiable)
        _check_numbers(
            "RMSprop", lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum
        )
        for key, value in (("eps", eps), ("momentum", momentum), ("alpha", alpha)):
            if not value >= 0.0:
                raise ValueError(f"RMSprop: invalid {key}={value!r} (must be >= 0)")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            # PyTorch's switches, kept so state_dict() and print() read as PyTorch's
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _step_value(self, group, p, state):
        state["step"] = state.get("step", 0) + 1
        p.data, state["square_avg"], g_avg, buf = calculus.rmsprop_update(
            p.data,
            p.grad,
            state.get("square_avg", 0.0),
            state.get("grad_avg", 0.0),
            state.get("momentum_buffer", 0.0),
            *self._hyperparameters(group),
        )
        if group["momentum"] > 0:  # the buffers exist only when used, as PyTorch's
            state["momentum_buffer"] = buf
        if group["centered"]:
            state["grad_avg"] = g_avg

    def _step_tensor(self, group, p, state):
        backend = p._backend
        if "step" not in state:
            state["step"] = 0
            state["square_avg"] = backend.full(tuple(p.shape), 0.0, p.dtype)
        # a buffer is made (zeros) when first used: at the first step, or later when a scheduler
        # (OneCycleLR, CyclicLR) turns the momentum on
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = backend.full(tuple(p.shape), 0.0, p.dtype)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = backend.full(tuple(p.shape), 0.0, p.dtype)
        state["step"] += 1
        # a buffer not in use is handed back unchanged by the update, so the gradient stands in
        # for it (read, and written back as it was) and nothing is allocated for it
        backend.rmsprop_step(
            p._array,
            p.grad._array,
            state["square_avg"],
            state.get("grad_avg", p.grad._array),
            state.get("momentum_buffer", p.grad._array),
            *self._hyperparameters(group),
        )

    @staticmethod
    def _hyperparameters(group):
        keys = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")
        return [group[k] for k in keys]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``. Per element (calculus.adagrad_update), t the 1-based
    step and the sum s starting at ``initial_accumulator_value``:

    clr = lr / (1 + (t - 1) * lr_decay)
    g <- grad + weight_decay * p
    s <- s + g^2                                         (state "sum")
    p <- p - clr * g / (sqrt(s) + eps)

    As PyTorch's, the state ("step" 0 and "sum") exists from construction on.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        fused=None,
    ):
        _only_defaults("Adagrad", maximize=maximize, differentiable=differentiable)
        start = initial_accumulator_value
        _check_numbers(
            "Adagrad", lr=lr, lr_decay=lr_decay, initial_accumulator_value=start, eps=eps
        )
        for key, value in (("lr_decay", lr_decay), ("initial_accumulator_value", start)):
            if not value >= 0.0:
                raise ValueError(f"Adagrad: invalid {key}={value!r} (must be >= 0)")
        if not eps >= 0.0:
            raise ValueError(f"Adagrad: invalid epsilon value eps={eps!r} (must be >= 0)")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=start,
            # PyTorch's switches, kept so state_dict() and print() read as PyTorch's
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        for group, p in self._params():
            total = group["initial_accumulator_value"]
            if not isinstance(p, Value):
                total = p._backend.full(tuple(p.shape), total, p.dtype)
            self.state[p] = {"step": 0, "sum": total}

    @staticmethod
    def _clr(group, step):
        return group["lr"] / (1 + (step - 1) * group["lr_decay"])

    def _step_value(self, group, p, state):
        state["step"] += 1
        p.data, state["sum"] = calculus.adagrad_update(
            p.data,
            p.grad,
            state["sum"],
            self._clr(group, state["step"]),
            group["eps"],
            group["weight_decay"],
        )

    def _step_tensor(self, group, p, state):
        state["step"] += 1
        p._backend.adagrad_step(
            p._array,
            p.grad._array,
            state["sum"],
            self._clr(group, state["step"]),
            group["eps"],
            group["weight_decay"],
        )


# sg.optim.lr_scheduler, as torch.optim.lr_scheduler (it does not import this module)
from scalargrad import lr_scheduler  # noqa: E402, F401
