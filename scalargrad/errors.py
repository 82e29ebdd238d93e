"""The exception classes scalargrad adds to Python's own (both engines use them).

``InputValueError``: a value that an operation cannot take (a target outside [0, 1], a number
that does not fit the dtype asked for). PyTorch raises RuntimeError for these and Python code
usually ValueError, so it is both: ``except RuntimeError`` and ``except ValueError`` both catch it.
``InputTypeError``: the same for a dtype an operation cannot take (RuntimeError and TypeError).
``ShapeError``: shapes that do not fit an op (RuntimeError and ValueError).
"""


class InputValueError(RuntimeError, ValueError):
    """A value outside what the operation accepts (RuntimeError as PyTorch, ValueError as NumPy)."""


class InputTypeError(RuntimeError, TypeError):
    """A tensor of a dtype the operation cannot take (RuntimeError as PyTorch, TypeError as
    Python)."""


class ShapeError(RuntimeError, ValueError):
    """Shapes that do not fit an op. A RuntimeError as in PyTorch, and a ValueError as in NumPy."""
