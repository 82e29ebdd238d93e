"""Optimizers: SGD (momentum, dampening, Nesterov, weight decay) and Adam, as torch.optim.

The same classes update both engines' parameters:

* a scalar ``Value``: its ``data`` is updated in Python, one ``calculus.sgd_update`` /
  ``calculus.adam_update`` call per parameter;
* a matrix-engine ``Tensor`` (anything that is not a Value): its backend array ``p._array`` is
  updated in place by one kernel, ``p._backend.sgd_step`` / ``adam_step``, built on the same
  calculus functions. Tensors whose ``grad`` is None are skipped.

``zero_grad()`` sets Value grads to 0.0 and Tensor grads to None (PyTorch's ``set_to_none=True``).
``state_dict()`` has PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [{..., "params":
[indices]}]}``; per-parameter state is a float (Value) or a numpy array (Tensor).
"""

import numpy as np

from scalargrad import calculus
from scalargrad.scalar.value import Value


class Optimizer:
    """Holds parameter groups (lists of parameters with their hyperparameters) and their state."""

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, Value) or hasattr(params, "_array"):
            raise TypeError(
                f"{name}: params must be an iterable of parameters, "
                f"got a single {type(params).__name__}"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}  # id(param) -> dict of that parameter's state
        for group in groups:
            group = {**self.defaults, **group, "params": list(group["params"])}
            self._check_hyperparameters(group)
            self.param_groups.append(group)

    def __repr__(self):
        """PyTorch's layout: the class name, then each group's settings in name order."""
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])

    def _check_hyperparameters(self, group):
        name = type(self).__name__
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
                self._step_value(group, p, self.state.setdefault(id(p), {}))
            elif p.grad is not None:
                self._step_tensor(group, p, self.state.setdefault(id(p), {}))

    # ------------------------------------------------------------ saving and loading

    def state_dict(self):
        """``{"state": {i: {...}}, "param_groups": [{hyperparameters..., "params": [i, ...]}]}``."""
        index = 0
        groups = []
        state = {}
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                if self.state.get(id(p)):
                    state[index] = {k: _export(p, v) for k, v in self.state[id(p)].items()}
                ids.append(index)
                index += 1
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and state saved by ``state_dict()`` of a matching optimizer."""
        name = type(self).__name__
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
                self.state[id(p)] = {k: _import(name, p, k, v) for k, v in saved.items()}


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
            f"{name}.load_state_dict: state {key!r} has shape {array.shape}, "
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
            buf = state.setdefault("momentum_buffer", backend.full(tuple(p.shape), 0.0, p.dtype))
        else:  # the kernel needs a buffer; with momentum 0 it is never read
            buf = backend.full(tuple(p.shape), 0.0, p.dtype)
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
        _only_defaults(
            "Adam",
            amsgrad=amsgrad,
            maximize=maximize,
            differentiable=differentiable,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        beta1, beta2 = betas
        for i, beta in enumerate((beta1, beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(
                    f"Adam: invalid beta parameter at index {i}: {beta!r} (must be in [0, 1))"
                )
        if not eps >= 0.0:
            raise ValueError(f"Adam: invalid epsilon value eps={eps!r} (must be >= 0)")
        defaults = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
        defaults.update(  # PyTorch's switches, kept so state_dict() and print() read as PyTorch's
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _step_value(self, group, p, state):
        step = state.get("step", 0) + 1
        beta1, beta2 = group["betas"]
        p.data, state["exp_avg"], state["exp_avg_sq"] = calculus.adam_update(
            p.data,
            p.grad,
            state.get("exp_avg", 0.0),
            state.get("exp_avg_sq", 0.0),
            group["lr"],
            beta1,
            beta2,
            group["eps"],
            group["weight_decay"],
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
        backend.adam_step(
            p._array,
            p.grad._array,
            state["exp_avg"],
            state["exp_avg_sq"],
            group["lr"],
            beta1,
            beta2,
            group["eps"],
            group["weight_decay"],
            state["step"],
        )
