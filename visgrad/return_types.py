"""``torch.return_types``: the named tuples ``max(dim)``, ``sort``, ``topk`` and friends return.

``values, indices = x.max(1)`` unpacks them; ``isinstance(r, torch.return_types.max)`` holds;
they print as PyTorch prints them.
"""

from visgrad.ops.counting import _HistogramResult as histogram
from visgrad.ops.minmax import MaxResult as max  # noqa: A004 - PyTorch's names
from visgrad.ops.minmax import MinResult as min  # noqa: A004
from visgrad.ops.scan import SortResult as sort
from visgrad.ops.scan import TopkResult as topk
from visgrad.ops.special_fns import FrexpResult as frexp

__all__ = ["frexp", "histogram", "max", "min", "sort", "topk"]
