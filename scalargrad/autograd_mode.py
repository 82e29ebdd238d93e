"""Whether operations record the graph: ``no_grad`` and friends, shared by both engines.

Inside ``with scalargrad.no_grad():`` new results are plain numbers/arrays with no parents, as in
PyTorch. ``backward()`` itself may still be called inside ``no_grad`` on a graph that was built
outside it (training loops written that way work).
"""

import contextlib
import threading

_state = threading.local()


def is_grad_enabled():
    """True when new operations record their parents for backward."""
    return getattr(_state, "enabled", True)


def set_grad_enabled(mode):
    """Turn graph recording on or off for this thread; returns the previous setting."""
    previous = is_grad_enabled()
    _state.enabled = bool(mode)
    return previous


class no_grad(contextlib.ContextDecorator):
    """Context manager and decorator: operations inside record no graph (as ``torch.no_grad``)."""

    def __enter__(self):
        self._previous = set_grad_enabled(False)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self._previous)
        return False


class enable_grad(contextlib.ContextDecorator):
    """Context manager and decorator: turn graph recording back on inside a ``no_grad`` block."""

    def __enter__(self):
        self._previous = set_grad_enabled(True)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self._previous)
        return False


class inference_mode(no_grad):  # noqa: N801 - PyTorch's name
    """PyTorch's ``inference_mode``: here ``no_grad`` (``mode=False`` leaves recording as it is)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self._previous = set_grad_enabled(is_grad_enabled() and not self.mode)
        return self
