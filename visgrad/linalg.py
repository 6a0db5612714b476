"""``torch.linalg``: norms, inverses, determinants, solves and decompositions.

The functions come from the op registry (each op declares ``linalg=`` with the names it has in
``torch.linalg``; ``torch.inverse`` is ``torch.linalg.inv``); the stub lists them for IDEs and
type checkers.
"""

import typing as _typing

from visgrad.ops import registry as _registry
from visgrad.ops.linalg_common import LinAlgError as LinAlgError

if _typing.TYPE_CHECKING:
    from visgrad._linalg_api import *  # noqa: F403
    from visgrad._linalg_api import __all__ as __all__
else:
    __all__ = _registry.export(globals(), "linalg")
