"""The exception classes scalargrad adds to Python's own (both engines use them).

``InputValueError``: a value that an operation cannot take (a target outside [0, 1], a number
that does not fit the dtype asked for). PyTorch raises RuntimeError for these and Python code
usually ValueError, so it is both: ``except RuntimeError`` and ``except ValueError`` both catch it.
"""


class InputValueError(RuntimeError, ValueError):
    """A value outside what the operation accepts (RuntimeError as PyTorch, ValueError as NumPy)."""
