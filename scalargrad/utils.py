"""PyTorch's path to the data tools: ``sg.utils.data`` is ``sg.data`` (``torch.utils.data``)."""

from scalargrad import data  # noqa: F401
