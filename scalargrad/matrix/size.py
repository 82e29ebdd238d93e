"""``Size``: a tensor's shape, a tuple that prints as PyTorch's ``torch.Size``.

``sg.zeros(3, 4).shape`` is ``scalargrad.Size([3, 4])``; it is a tuple (``rows, cols = x.shape``,
``x.shape == (3, 4)``), its slices are Sizes, and ``numel()`` is the product of its entries.
"""


class Size(tuple):
    """The size of each axis of a tensor (a tuple of ints)."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        return super().__new__(cls, (int(s) for s in sizes))

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def numel(self):
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"scalargrad.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return (Size, (tuple(self),))
