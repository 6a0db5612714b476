"""``torch.return_types``: the named tuples ``max(dim)``, ``sort``, ``topk`` and friends return.

``values, indices = x.max(1)`` unpacks them; ``isinstance(r, torch.return_types.max)`` holds;
they print as PyTorch prints them.
"""

from visgrad.ops.counting import _HistogramResult as histogram
from visgrad.ops.cumulative import CummaxResult as cummax
from visgrad.ops.cumulative import CumminResult as cummin
from visgrad.ops.minmax import MaxResult as max  # noqa: A004 - PyTorch's names
from visgrad.ops.minmax import MinResult as min  # noqa: A004
from visgrad.ops.order_stats import KthvalueResult as kthvalue
from visgrad.ops.order_stats import MedianResult as median
from visgrad.ops.order_stats import ModeResult as mode
from visgrad.ops.order_stats import NanmedianResult as nanmedian
from visgrad.ops.scan import SortResult as sort
from visgrad.ops.scan import TopkResult as topk
from visgrad.ops.special_fns import FrexpResult as frexp

__all__ = [
    "cummax",
    "cummin",
    "frexp",
    "histogram",
    "kthvalue",
    "max",
    "median",
    "min",
    "mode",
    "nanmedian",
    "sort",
    "topk",
]
