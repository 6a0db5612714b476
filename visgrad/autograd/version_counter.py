"""The version counter in-place ops bump, so backward can tell a saved tensor was changed."""

from __future__ import annotations


class VersionCounter:
    """Shared by a tensor, its views and its ``detach()``-ed aliases."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    # ``t._version`` is this shared counter, yet users read it as PyTorch's int.
    def __int__(self) -> int:
        return self.value

    __index__ = __int__

    def __repr__(self) -> str:
        return repr(self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, VersionCounter):
            return self is other
        return self.value == other

    def __hash__(self) -> int:
        return id(self)

    def __lt__(self, other: int) -> bool:
        return self.value < int(other)

    def __gt__(self, other: int) -> bool:
        return self.value > int(other)

    def __add__(self, other: int) -> int:
        return self.value + other

    def __sub__(self, other: int) -> int:
        return self.value - other
