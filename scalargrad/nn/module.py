"""``Module`` and ``Parameter``: the base of every layer and model of the matrix engine.

A Module holds Parameters (tensors the optimizer trains) and other Modules (its layers). Setting
an attribute registers it, in order, as PyTorch does::

    class TwoLayer(Module):
        def __init__(self):
            super().__init__()
            self.hidden = Linear(2, 16)     # a submodule: its parameters are ours too
            self.out = Linear(16, 1)

        def forward(self, x):
            return self.out(self.hidden(x).relu())

    model = TwoLayer()
    model(x)                      # calls forward
    list(model.parameters())      # hidden.weight, hidden.bias, out.weight, out.bias
    model.state_dict()            # {"hidden.weight": tensor (16, 2), ...}

A list or tuple holding Modules is refused with a ``TypeError``: wrap it in ``ModuleList(...)``
(or ``Sequential(...)``), which registers its layers as ``layers.0``, ``layers.1``, ... PyTorch
accepts the plain list silently and leaves those layers out of ``parameters()``, so the optimizer
never trains them (micrograd's ``self.layers = [...]`` is fine in the scalar engine, whose
``MLP`` lists its layers itself).

``state_dict()`` returns, as PyTorch, detached tensors sharing the parameters' storage (writing
into one changes the model), keyed by dotted names; the scalar engine's modules use the same keys,
so a model moves between engines with ``load_state_dict`` (which takes tensors or NumPy arrays).
"""

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from scalargrad.autograd_mode import no_grad
from scalargrad.matrix.creation import tensor
from scalargrad.matrix.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a trainable parameter: ``requires_grad=True`` and registered by Modules.

    ``Parameter(data)`` takes a Tensor (its array is shared, as ``torch.nn.Parameter``) or a
    NumPy array / nested list (dtype as ``sg.tensor`` infers it, but a float64 array stays float64).
    """

    def __init__(self, data, requires_grad=True):
        if not isinstance(data, Tensor):
            keep64 = isinstance(data, np.ndarray) and data.dtype == np.float64
            data = tensor(data, dtype=np.float64 if keep64 else None)
        self._array = data._array  # shared storage (and version counter), as torch.nn.Parameter
        self._backend = data._backend
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._vc = data._vc
        self._base = None
        self._acc = None
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        # pickle and copy.deepcopy: the numbers (as a host copy), requires_grad and the device
        host = np.array(self._backend.to_numpy(self._array), copy=True)
        return _rebuild_parameter, (host, self._requires_grad, self.device)


def _rebuild_parameter(array, requires_grad, device):
    """A Parameter from the parts ``Parameter.__reduce_ex__`` saved (for pickle and deepcopy)."""
    return Parameter(tensor(array, dtype=array.dtype, device=device), requires_grad)


def _assign(p, value):
    """Copy the NumPy array ``value`` into tensor ``p``'s storage, in place (no graph recorded)."""
    be = p._backend
    be.setitem(p._array, Ellipsis, be.from_numpy(np.ascontiguousarray(value, dtype=p.dtype)))
    p._vc[0] += 1  # an in-place change: backward through an old graph would now be wrong


def _count(params):
    return sum(int(np.prod(p.shape)) for p in params)


def _plain_list_message(owner, name, value):
    """Why a list of Modules set as an attribute is refused, and PyTorch's answer."""
    kind = type(value).__name__
    return (
        f"cannot assign a {kind} of Modules as {name!r} of {type(owner).__name__}: their "
        f"parameters would not be registered (PyTorch accepts it silently, and the optimizer "
        f"never trains those layers). Wrap it in nn.ModuleList(...): "
        f"self.{name} = nn.ModuleList(layers), or nn.Sequential(*layers) to run them in order"
    )


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the ones it did not know
    (``<All keys matched successfully>`` when there are none, as PyTorch prints it)."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class Module:
    """Base class of layers and models: subclasses set attributes in ``__init__`` and define
    ``forward``; calling the module calls ``forward``.

    ``training`` is True after construction; ``eval()`` sets it False in every submodule (Dropout
    reads it) and ``train()`` sets it back.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------ registration

    def _registry(self):
        if "_parameters" not in self.__dict__:  # a subclass that forgot super().__init__()
            Module.__init__(self)
        return self.__dict__["_parameters"], self.__dict__["_modules"]

    def __setattr__(self, name, value):
        params, modules = self._registry()
        if isinstance(value, (list, tuple)) and any(isinstance(v, Module) for v in value):
            raise TypeError(_plain_list_message(self, name, value))
        if name in params and value is not None and not isinstance(value, Parameter):
            raise TypeError(
                f"cannot assign {type(value).__name__} as parameter {name!r} of "
                f"{type(self).__name__} (nn.Parameter or None expected): the model would lose "
                f"the parameter and an optimizer would stop training it. Wrap the value, "
                f"self.{name} = nn.Parameter(value), or change the numbers in place: "
                f"with sg.no_grad(): self.{name}.copy_(value)"
            )
        params.pop(name, None)
        modules.pop(name, None)
        if isinstance(value, Parameter):
            params[name] = value
            self.__dict__.pop(name, None)
        elif isinstance(value, Module):
            modules[name] = value
            self.__dict__.pop(name, None)
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # only called when normal lookup fails: parameters and submodules live in the registries
        d = self.__dict__
        if name in d.get("_parameters", ()):
            return d["_parameters"][name]
        if name in d.get("_modules", ()):
            return d["_modules"][name]
        if name == "training":
            return True
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")

    def __delattr__(self, name):
        params, modules = self._registry()
        if name in params:
            del params[name]
        elif name in modules:
            del modules[name]
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter, or None for an absent one such as ``bias=False``)."""
        params, _ = self._registry()
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: {name!r} must be a Parameter or None, got "
                f"{type(param).__name__}"
            )
        params[name] = param

    def add_module(self, name, module):
        """Register ``module`` as the submodule ``name``."""
        _, modules = self._registry()
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        modules[str(name)] = module

    # ------------------------------------------------------------ calling

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ walking the tree

    def named_children(self):
        """(name, module) for each direct submodule, in registration order."""
        _, modules = self._registry()
        for name, m in modules.items():
            if m is not None:
                yield name, m

    def children(self):
        """The direct submodules, in registration order."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix=""):
        """(dotted name, module) for this module ("") and every module below it, depth first."""
        stack = [(prefix, self)]
        seen = set()
        while stack:  # iterative: no recursion limit however deep the model
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            kids = [(f"{name}.{k}" if name else k, m) for k, m in module.named_children()]
            stack.extend(reversed(kids))

    def modules(self):
        """This module and every module below it."""
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, Parameter) for every parameter, each shared Parameter once."""
        seen = set()
        walk = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, module in walk:
            for name, p in module._registry()[0].items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self, recurse=True):
        """Every Parameter of this module and its submodules (what an optimizer is given)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def num_parameters(self):
        """How many numbers the model trains (sum of the parameters' sizes)."""
        return _count(self.parameters())

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule and then on this module (children first, as
        PyTorch), e.g. ``model.apply(init_weights)``; returns self."""
        stack = [(self, False)]
        while stack:  # post-order without recursion: a module after all of its children
            module, children_done = stack.pop()
            if children_done:
                fn(module)
                continue
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())))
        return self

    # ------------------------------------------------------------ training state

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of every parameter (``None``, as PyTorch; or zeros)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad._backend.fill(p.grad._array, 0)

    def train(self, mode=True):
        """Set training mode (``mode=True``) or evaluation mode in this module and all below it."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self):
        """Evaluation mode: ``train(False)`` (Dropout passes inputs through unchanged)."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Turn gradient tracking of every parameter on or off (freezing layers)."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    # ------------------------------------------------------------ saving and loading

    def state_dict(self, keep_vars=False):
        """An ordered dict of dotted parameter names -> the parameters' values, as detached tensors
        sharing their storage (the Parameters themselves with ``keep_vars=True``)."""
        return OrderedDict(
            (name, p if keep_vars else p.detach()) for name, p in self.named_parameters()
        )

    def load_state_dict(self, state_dict, strict=True):
        """Copy values into the parameters in place (the Parameter objects, and so an optimizer's
        references to them, stay the same). Values may be NumPy arrays, Tensors or nested lists.

        With ``strict`` (default) the keys must match ``state_dict()``'s exactly; shapes must always
        match. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                "load_state_dict: expected a dict {name: array} (what state_dict() returns), got "
                f"{type(state_dict).__name__}"
            )
        own = OrderedDict(self.named_parameters())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(
                f"load_state_dict: keys do not match {type(self).__name__}: missing {missing}, "
                f"unexpected {unexpected}"
            )
        staged = []
        for name, p in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = (
                value._backend.to_numpy(value._array)
                if isinstance(value, Tensor)
                else np.asarray(value)
            )
            if tuple(value.shape) != tuple(p.shape):
                raise ValueError(
                    f"load_state_dict: {name!r} has shape {tuple(p.shape)} in the model but "
                    f"{tuple(value.shape)} in the state dict"
                )
            if value.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: {name!r} holds non-numeric dtype {value.dtype}")
            staged.append((p, value))
        for p, value in staged:  # check everything first, then copy: no half-loaded model
            _assign(p, value)
        return IncompatibleKeys(missing, unexpected)

    def to(self, device=None, dtype=None):
        """Move every parameter (and its gradient) to ``device`` and/or convert it to ``dtype``,
        in place: the Parameter objects stay the same, so an optimizer built before still holds
        them. Its state (momentum buffers) is not moved: move the model before training starts."""
        with no_grad():
            for p in self.parameters():
                p.data = p.detach().to(device=device, dtype=dtype)
                if p.grad is not None:
                    p.grad = p.grad.to(device=device, dtype=dtype)
        return self

    def double(self):
        """Convert every parameter to float64 (gradient checks use this)."""
        return self.to(dtype=np.float64)

    def float(self):
        """Convert every parameter to float32."""
        return self.to(dtype=np.float32)

    def cpu(self):
        return self.to("cpu")

    def cuda(self):
        return self.to("cuda")

    # ------------------------------------------------------------ printing

    def extra_repr(self):
        """The text inside this module's parentheses (e.g. ``in_features=2, out_features=3``)."""
        return ""

    def __repr__(self):
        """PyTorch's layout: ``Name(extra)``, or ``Name(`` then one line per submodule ``(name):
        ...`` indented by two spaces, then ``)``. ``summary()`` adds the parameter count."""
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        children = [
            f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self.named_children()
        ]
        head = f"{type(self).__name__}("
        if len(lines) == 1 and not children:
            return head + lines[0] + ")"
        if not lines and not children:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines + children) + "\n)"

    def summary(self):
        """The model as ``print(model)`` shows it, then how many numbers it trains."""
        params = list(self.parameters())
        trainable = _count(p for p in params if p.requires_grad)
        return (
            f"{self!r}\n{_count(params):,} parameters ({trainable:,} trainable) in "
            f"{len(params)} tensors"
        )
