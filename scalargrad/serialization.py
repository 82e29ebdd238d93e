"""``sg.save(obj, path)`` and ``sg.load(path)``: PyTorch's names for saving a model's
``state_dict`` (or any object holding tensors) to a file, with Python's pickle.

Tensors are saved as host copies of their numbers (with requires_grad and the device), so a loaded
``state_dict`` holds new tensors. The files are pickles: load only files you trust (PyTorch's
``weights_only=True`` restriction is not implemented; the argument is accepted and ignored).
"""

import pickle


def save(obj, f):
    """Write ``obj`` (e.g. ``model.state_dict()``) to the path or binary file ``f``."""
    if hasattr(f, "write"):
        pickle.dump(obj, f)
        return
    with open(f, "wb") as out:
        pickle.dump(obj, out)


def load(f, map_location=None, weights_only=None):
    """Read back what ``save`` wrote (``map_location="cpu"`` moves tensors to the CPU)."""
    if hasattr(f, "read"):
        obj = pickle.load(f)
    else:
        with open(f, "rb") as src:
            obj = pickle.load(src)
    if map_location is not None:
        obj = _to(obj, map_location)
    return obj


def _to(obj, device):
    if hasattr(obj, "_array"):
        return obj.to(str(device))
    if isinstance(obj, dict):
        return type(obj)((k, _to(v, device)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(v, device) for v in obj)
    return obj
