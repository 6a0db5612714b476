"""Graph keys: how the trace model, the graph and every view name a node.

A tensor is ``"t<id>"``, a function (a grad_fn's node id; constant ops have negative ids)
``"f<id>"``, a module call's group ``"g:<path>"``. Keys are made and read here, so no module
slices them by hand; they stay plain strings so networkx, Qt and JSON exports carry them as they
are.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

GraphKey: TypeAlias = str
KeyKind: TypeAlias = Literal["tensor", "function", "group"]

GROUP_PREFIX = "g:"


def tkey(tensor_id: int) -> GraphKey:
    """The key of the tensor ``tensor_id``."""
    return f"t{tensor_id}"


def fkey(node_id: int) -> GraphKey:
    """The key of the function node ``node_id``."""
    return f"f{node_id}"


def is_group(key: GraphKey) -> bool:
    """True for a group's key (``g:...``), False for a tensor's or function's."""
    return key.startswith(GROUP_PREFIX)


def key_kind(key: GraphKey) -> KeyKind:
    """What ``key`` names."""
    if is_group(key):
        return "group"
    return "function" if key.startswith("f") else "tensor"


def _id(key: GraphKey, prefix: str) -> int | None:
    if not key.startswith(prefix):
        return None
    try:
        return int(key[len(prefix) :])
    except ValueError:
        return None


def node_id(key: GraphKey) -> int:
    """The id in a tensor's or function's key (ValueError for any other key)."""
    if key[:1] not in ("t", "f"):
        raise ValueError(f"not a tensor's or function's graph key: {key!r}")
    return int(key[1:])


def tensor_id(key: GraphKey) -> int | None:
    """The id in a tensor's key; None for any other key."""
    return _id(key, "t")


def function_id(key: GraphKey) -> int | None:
    """The node id in a function's key; None for any other key."""
    return _id(key, "f")
