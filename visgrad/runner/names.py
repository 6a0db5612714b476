"""The program's own names for its tensors, read cheaply from the user's frame.

An op's result has no name when its event is published (``z = matmul(x, w) + b`` assigns ``z``
after the op ran), so names are found later: on an event from a new line, the user frame's locals
are searched for tensors that were created recently and have no name yet. A Module found there
names its parameters the way ``named_parameters()`` does (``fc1.weight``). The search runs at most
once per line and only while unnamed tensors are waiting, so a free run stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import FrameType
from typing import Any

from visgrad import events
from visgrad.tensor import Tensor

# A result still unnamed after this many searches is an intermediate nobody named; stop looking.
# Leaves (factories, parameters) may be assigned long after they are made (a Module's parameters
# are named once the Module itself appears in a frame), so they are looked for longer.
MAX_AGE = 3
MAX_AGE_LEAF = 64


class Namer:
    """Tracks unnamed tensors and names them from the user's variables."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self._pending: dict[int, int] = {}  # tensor id -> search count after which to give up
        self._searches = 0
        self._last: tuple[int, int] | None = None  # (id(frame), line) of the last search
        self._leaves = 0  # leaves created so far; a Module is searched again only when it changed
        self._modules: dict[int, int] = {}  # id(module) -> self._leaves when last searched

    def note(self, ev: events.Event) -> None:
        """Remember the tensors an event created (to be named once assigned) or named."""
        if isinstance(ev, events.ForwardOp):
            for t in ev.outputs:
                if t not in self.names:
                    self._pending[t] = self._searches + MAX_AGE
        elif (
            isinstance(ev, events.TensorCreated)
            and ev.tensor not in self.names
            and ev.op != "data"  # ``w.data`` is a throwaway alias, shown as ``w`` itself
        ):
            self._pending[ev.tensor] = self._searches + MAX_AGE_LEAF
            self._leaves += 1
        elif isinstance(ev, events.TensorNamed):  # named by the library (nn.Module registration)
            self.names[ev.tensor] = ev.name
            self._pending.pop(ev.tensor, None)

    def search_frame(self, frame: FrameType) -> list[tuple[int, str]]:
        """New (tensor id, name) pairs found in ``frame``; at most one search per line."""
        if not self._pending:
            return []
        where = (id(frame), frame.f_lineno)
        if where == self._last:
            return []
        self._last = where
        return self.search(frame.f_locals)

    def search(self, variables: Mapping[str, Any]) -> list[tuple[int, str]]:
        """New (tensor id, name) pairs among ``variables`` (a frame's locals or a module's globals)."""
        found: list[tuple[int, str]] = []
        pending = self._pending
        for name, v in list(variables.items()):
            if isinstance(v, Tensor):
                tid = v._id
                if tid in pending and not name.startswith("__"):
                    self._name(tid, name, found)
            elif not isinstance(v, type) and hasattr(type(v), "named_parameters"):
                self._name_module(v, found)
        self._searches += 1
        stale = [t for t, last in pending.items() if self._searches > last]
        for t in stale:
            del pending[t]
        return found

    def _name(self, tid: int, name: str, found: list[tuple[int, str]]) -> None:
        self.names[tid] = name
        self._pending.pop(tid, None)
        found.append((tid, name))

    def _name_module(self, module: Any, found: list[tuple[int, str]]) -> None:
        if self._modules.get(id(module)) == self._leaves:
            return
        self._modules[id(module)] = self._leaves
        try:
            params = list(module.named_parameters())
        except Exception:  # a user object that only looks like a Module
            return
        for name, p in params:
            if isinstance(p, Tensor) and p._id not in self.names:
                self._name(p._id, name, found)
