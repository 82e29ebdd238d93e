"""``scalargrad.device``: where a tensor's numbers live, as PyTorch's ``torch.device``.

``device("cpu")``, ``device("cuda")``, ``device("cuda", 0)`` or ``device("cuda:0")``. It prints
as PyTorch's (``device(type='cpu')``) and compares equal to its name, so ``t.device == "cpu"``
and ``t.to(device)`` work with either.
"""


class device:  # noqa: N801 - PyTorch's name
    """A device type (``"cpu"`` or ``"cuda"``) and, for cuda, an optional index."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        name = str(type)
        if ":" in name:
            name, _, number = name.partition(":")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        if name not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", None if index is None else int(index))

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash(str(self))

    def __reduce__(self):
        return (device, (self.type, self.index))
