"""``Module``'s state-dict hooks: before and after ``state_dict``, before and after loading.

The tables are made on first use (modules pickled before they existed still load). Where each
runs follows PyTorch: the ``state_dict`` pre-hooks before a module saves anything, its post-hooks
after its children saved theirs (they may add to the module's ``_metadata``); the load pre-hooks
at the start of the default ``_load_from_state_dict`` (they may rewrite the checkpoint's keys, as
weight norm's does for old checkpoints), the load post-hooks once the module and its children
are loaded.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from visgrad.autograd.hooks import RemovableHandle

__all__ = ["StateDictHooks", "hooks_of"]

_TABLES = (
    "_state_dict_hooks",
    "_state_dict_pre_hooks",
    "_load_state_dict_pre_hooks",
    "_load_state_dict_post_hooks",
)


def hooks_of(module: Any, table: str) -> OrderedDict[int, Callable[..., Any]]:
    """``module``'s hooks of one kind (an empty table until one is registered)."""
    d = module.__dict__
    if table not in d:
        d[table] = OrderedDict()
    return d[table]


class StateDictHooks:
    """The state-dict hook registration API of ``Module``."""

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` before ``state_dict`` saves this module."""
        return RemovableHandle(hooks_of(self, "_state_dict_pre_hooks"), hook)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` once this module is saved."""
        hook._from_public_api = True  # type: ignore[attr-defined]
        return RemovableHandle(hooks_of(self, "_state_dict_hooks"), hook)

    def _register_state_dict_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError(
                "Cannot register the same function as the state dict post hook that was "
                "previously registered via register_state_dict_post_hook"
            )
        return RemovableHandle(hooks_of(self, "_state_dict_hooks"), hook)

    def _register_load_state_dict_pre_hook(
        self, hook: Callable[..., Any], with_module: bool = False
    ) -> RemovableHandle:
        if with_module:
            hook = functools.partial(hook, self)
        return RemovableHandle(hooks_of(self, "_load_state_dict_pre_hooks"), hook)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before this module loads its tensors."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` once this module and its children are loaded."""
        return RemovableHandle(hooks_of(self, "_load_state_dict_post_hooks"), hook)


def run_save_hooks(module: Any, destination: Any, prefix: str, local_metadata: Any) -> Any:
    """The post-hooks of ``state_dict``: a private one may hand back a new destination."""
    for hook in hooks_of(module, "_state_dict_hooks").values():
        result = hook(module, destination, prefix, local_metadata)
        if getattr(hook, "_from_public_api", False):
            if result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        elif result is not None:
            destination = result
    return destination


def run_load_post_hooks(module: Any, incompatible: Any) -> None:
    for hook in hooks_of(module, "_load_state_dict_post_hooks").values():
        out = hook(module, incompatible)
        if out is not None:
            raise AssertionError(
                "Hooks registered with ``register_load_state_dict_post_hook`` are not expected "
                "to return new values, if incompatible_keys need to be modified, it should be "
                "done inplace."
            )
