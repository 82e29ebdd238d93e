"""Transforms: small callables applied to one sample, chained with ``Compose`` (torchvision names).

    >>> tf = Compose([ToTensor(), Normalize(mean=[0.5], std=[0.5]), Flatten()])
    >>> x = tf(image)            # uint8 H x W image -> float32 Tensor of H*W values in [-1, 1]

Images are ``H x W`` (one channel) or channel-first ``C x H x W`` once they are Tensors, as in
PyTorch; ``ToTensor`` turns a NumPy image (``H x W`` or, like PIL / ``imread``, ``H x W x C``)
into a channel-first float32 Tensor with ``uint8`` values scaled to [0, 1].
Every transform except ``ToTensor`` works on NumPy arrays and on Tensors alike.
"""

import numbers

import numpy as np


def _shape(x):
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"expected a Tensor or a NumPy array, got {type(x).__name__}")
    return tuple(shape)


class Compose:
    """Apply ``transforms`` one after the other: ``Compose([f, g])(x) == g(f(x))``."""

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for i, t in enumerate(self.transforms):
            if not callable(t):
                raise TypeError(f"Compose: transform {i} ({t!r}) is not callable")

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self):
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class Lambda:
    """Use any function as a transform: ``Lambda(lambda x: x * 2)``."""

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError(f"Lambda: expected a callable, got {type(fn).__name__}")
        self.fn = fn

    def __call__(self, x):
        return self.fn(x)

    def __repr__(self):
        return f"Lambda({getattr(self.fn, '__name__', repr(self.fn))})"


class ToTensor:
    """A NumPy image (or number array) -> float32 Tensor, channel-first, ``uint8`` scaled to [0, 1].

    ``H x W`` becomes ``1 x H x W``; a 3-d array is read as ``H x W x C`` (PIL's and ``imread``'s
    layout, as torchvision) and becomes ``C x H x W``, unless ``channels_last=False`` says it is
    already ``C x H x W``. ``uint8`` values are divided by 255 (as torchvision); with
    ``max_value=m`` every value is divided by ``m`` instead (e.g. 16 for scikit-learn's digits).
    A Tensor passes through with only the dtype and scaling applied.
    """

    def __init__(self, channels_last=True, max_value=None):
        if max_value is not None and not max_value > 0:
            raise ValueError(f"ToTensor: max_value must be positive, got {max_value!r}")
        self.channels_last = bool(channels_last)
        self.max_value = max_value

    def __call__(self, x):
        from scalargrad.matrix.creation import from_numpy
        from scalargrad.matrix.tensor import Tensor

        if isinstance(x, Tensor):
            array = x.numpy()
        else:
            array = np.asarray(x)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"ToTensor: expected an array of numbers, got dtype {array.dtype}")
        if not isinstance(x, Tensor):
            if array.ndim == 2:
                array = array[None, :, :]
            elif array.ndim == 3 and self.channels_last:
                array = np.transpose(array, (2, 0, 1))
            elif array.ndim != 3:
                raise ValueError(
                    "ToTensor: expected an image of shape H x W or "
                    f"{'H x W x C' if self.channels_last else 'C x H x W'}, "
                    f"got shape {tuple(array.shape)}"
                )
        scale = (
            self.max_value
            if self.max_value is not None
            else (255.0 if array.dtype == np.uint8 else None)
        )
        out = array.astype(np.float32)
        if scale is not None:
            out = out / np.float32(scale)
        tensor = from_numpy(np.ascontiguousarray(out, dtype=np.float32))
        return tensor.to(x.device) if isinstance(x, Tensor) and x.device != "cpu" else tensor

    def __repr__(self):
        return f"ToTensor(channels_last={self.channels_last}, max_value={self.max_value})"


class Normalize:
    """``(x - mean) / std`` per channel: channel axis -3 of a ``C x H x W`` image.

    ``mean`` and ``std`` are numbers (one for all values) or sequences with one entry per channel.
    For a 1-d sample (a feature vector) the sequences have one entry per feature, which standardises
    tabular data. ``std`` must be non-zero.
    """

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.std = np.asarray(std, dtype=np.float64)
        if self.mean.ndim > 1 or self.std.ndim > 1:
            raise ValueError(
                f"Normalize: mean and std must be numbers or 1-d sequences, got {mean!r}, {std!r}"
            )
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {std!r}")
        if self.mean.ndim == 1 and self.std.ndim == 1 and self.mean.size != self.std.size:
            raise ValueError(
                f"Normalize: mean has {self.mean.size} entries but std has {self.std.size}"
            )

    def _stat(self, stat, shape):
        if stat.ndim == 0:
            return stat
        n = stat.size
        if len(shape) == 1:
            axis_len, view = shape[0], stat
        elif len(shape) == 2:
            axis_len, view = 1, stat.reshape(n, 1)
        else:
            axis_len, view = shape[-3], stat.reshape(n, 1, 1)
        if n not in (1, axis_len):
            raise ValueError(
                f"Normalize: {n} mean/std values do not match {axis_len} channel(s) of a sample "
                f"of shape {shape}"
            )
        return view

    def __call__(self, x):
        shape = _shape(x)
        if len(shape) == 0:
            raise ValueError(
                "Normalize: expected a sample with at least one dimension, got a 0-d value"
            )
        mean, std = self._stat(self.mean, shape), self._stat(self.std, shape)
        if isinstance(x, np.ndarray):
            if x.dtype.kind != "f":
                raise TypeError(
                    f"Normalize: expected a float array, got dtype {x.dtype}; use ToTensor first"
                )
            return ((x - mean) / std).astype(x.dtype)
        from scalargrad.matrix.creation import tensor

        if x.dtype.kind != "f":
            raise TypeError(
                f"Normalize: expected a float Tensor, got dtype {x.dtype}; use ToTensor first"
            )
        m = tensor(np.asarray(mean), dtype=x.dtype, device=x.device)
        s = tensor(np.asarray(std), dtype=x.dtype, device=x.device)
        return (x - m) / s

    def __repr__(self):
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class Flatten:
    """Flatten a sample's dimensions from ``start_dim`` on into one (default: all, giving 1-d)."""

    def __init__(self, start_dim=0):
        self.start_dim = int(start_dim)

    def __call__(self, x):
        shape = _shape(x)
        start = self.start_dim + len(shape) if self.start_dim < 0 else self.start_dim
        if not 0 <= start <= max(len(shape) - 1, 0):
            raise ValueError(
                f"Flatten: start_dim {self.start_dim} is out of range for a sample of shape {shape}"
            )
        return x.reshape(shape[:start] + (-1,))

    def __repr__(self):
        return f"Flatten(start_dim={self.start_dim})"


def _size_pair(name, size):
    if isinstance(size, numbers.Integral):
        size = (int(size), int(size))
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"{name}: size must be a positive int or (height, width), got {size!r}")
    return size


class Crop:
    """The ``height x width`` window at (``top``, ``left``) of the last two axes (torchvision)."""

    def __init__(self, top, left, height, width):
        self.top, self.left = int(top), int(left)
        self.height, self.width = _size_pair("Crop", (height, width))
        if self.top < 0 or self.left < 0:
            raise ValueError(f"Crop: top and left must be non-negative, got top={top}, left={left}")

    def __call__(self, x):
        shape = _shape(x)
        if len(shape) < 2:
            raise ValueError(f"Crop: expected an image of shape (..., H, W), got shape {shape}")
        h, w = shape[-2:]
        if self.top + self.height > h or self.left + self.width > w:
            raise ValueError(
                f"Crop: the window top={self.top}, left={self.left}, height={self.height}, "
                f"width={self.width} "
                f"does not fit in an image of shape {shape}"
            )
        return x[..., self.top : self.top + self.height, self.left : self.left + self.width]

    def __repr__(self):
        return f"Crop(top={self.top}, left={self.left}, height={self.height}, width={self.width})"


class CenterCrop:
    """The central ``size`` window of the last two axes (``size``: int or (height, width))."""

    def __init__(self, size):
        self.size = _size_pair("CenterCrop", size)

    def __call__(self, x):
        shape = _shape(x)
        if len(shape) < 2:
            raise ValueError(
                f"CenterCrop: expected an image of shape (..., H, W), got shape {shape}"
            )
        (h, w), (ch, cw) = shape[-2:], self.size
        if ch > h or cw > w:
            raise ValueError(
                f"CenterCrop: size {self.size} is larger than the image, shape {shape}"
            )
        top, left = int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0))
        return x[..., top : top + ch, left : left + cw]

    def __repr__(self):
        return f"CenterCrop(size={self.size})"
