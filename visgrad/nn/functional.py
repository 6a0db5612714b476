"""``torch.nn.functional``: the ops layers are made of, as plain functions.

The functions come from the op registry (each op declares ``functional=True`` where PyTorch has it
in ``torch.nn.functional``); the stub lists them for IDEs and type checkers.
"""

import typing as _typing

from visgrad.ops import registry as _registry

if _typing.TYPE_CHECKING:
    from visgrad.nn._functional_api import *  # noqa: F403
    from visgrad.nn._functional_api import __all__ as __all__
else:
    __all__ = _registry.export(globals(), "functional")
