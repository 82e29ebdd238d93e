"""Containers: ``Sequential`` runs layers in order; ``ModuleList`` holds layers in a list.

    model = Sequential(Linear(2, 16), ReLU(), Linear(16, 1))
    model(x)          # = model[2](model[1](model[0](x)))
    model[0]          # the first Linear; model[1:] is a Sequential of the rest
    model.state_dict().keys()   # "0.weight", "0.bias", "2.weight", "2.bias"

A ``ModuleList`` registers its modules under "0", "1", ... like Sequential, but has no forward:
the owner decides how to call them (``MLP`` keeps its Linear layers in one).
"""

from collections import OrderedDict

from scalargrad.nn.module import Module


def _index(name, idx, n):
    try:
        i = int(idx)
    except TypeError:
        raise TypeError(
            f"{name}: indices must be integers or slices, got {type(idx).__name__}"
        ) from None
    if not -n <= i < n:
        raise IndexError(f"{name}: index {i} is out of range for {n} modules")
    return i + n if i < 0 else i


class ModuleList(Module):
    """A list of Modules, registered as submodules "0", "1", ... (indexable, len, iterable)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None and not hasattr(modules, "__iter__"):
            raise TypeError(
                f"ModuleList: expected an iterable of Modules, got {type(modules).__name__}"
            )
        for m in modules or ():
            self.append(m)

    def _list(self):
        return list(self._modules.values())

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}: expected a Module, got {type(module).__name__}"
            )
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def __getitem__(self, idx):
        mods = self._list()
        if isinstance(idx, slice):
            return type(self)(mods[idx])
        return mods[_index(type(self).__name__, idx, len(mods))]

    def __setitem__(self, idx, module):
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}: expected a Module, got {type(module).__name__}"
            )
        key = list(self._modules)[_index(type(self).__name__, idx, len(self._modules))]
        self._modules[key] = module

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._list())


class Sequential(ModuleList):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Give the modules as arguments, or one ``OrderedDict`` of name -> module for named layers.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                if not isinstance(m, Module):
                    raise TypeError(f"Sequential: {name!r} is not a Module ({type(m).__name__})")
                self.add_module(name, m)
        else:
            if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
                modules = tuple(modules[0])
            for m in modules:
                self.append(m)

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(
                f"Sequential: expected a Module, got {type(module).__name__} ({module!r})"
            )
        return super().append(module)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x
