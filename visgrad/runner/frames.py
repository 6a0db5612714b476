"""The program's frames as the child sees them while it runs: whose they are, and stepping by line.

A frame is the program's when its file is neither visgrad's own nor the standard library's nor
an installed package's (those are folded away in the Call Stack panel, and the debugger never
stops inside them).
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Callable
from typing import Any

from visgrad import call_site

_LIB_DIRS = tuple(
    p + os.sep
    for p in {
        sysconfig.get_path("stdlib"),
        sysconfig.get_path("platstdlib"),
        sysconfig.get_path("purelib"),
        sysconfig.get_path("platlib"),
    }
    if p
)


def is_user_file(filename: str) -> bool:
    """True for a file of the program's (not visgrad's, the standard library's or a package's)."""
    return not (
        filename.startswith(call_site.PKG_DIR)
        or filename.startswith("<")  # <frozen ...>, <string>: code made at run time
        or filename.startswith(_LIB_DIRS)
    )


def program_frame() -> Any:
    """The innermost frame of the program's own files on the calling thread, or None."""
    f = sys._getframe(1)
    while f is not None and not is_user_file(f.f_code.co_filename):
        f = f.f_back
    return f


class LineStepper:
    """Step over with the interpreter's own line events, as pdb's "next" does.

    From a pause in ``origin`` (the program's innermost frame, or None before the program
    began), the first line the program starts in that frame or in a frame it returns to stops
    it, with ``on_line(frame)``, before that line runs: lines without any op (a ``print``, a
    ``for``) are stops too, and so is the caller's line when the function returns. Frames the line calls are not traced (the global trace function
    returns None for them), so what it calls runs at nearly full speed; nothing is traced
    once the step ends.
    """

    def __init__(
        self, origin: Any, on_line: Callable[[Any], None], first_file: str | None = None
    ) -> None:
        self.origin = origin
        self.first_file = first_file  # with no origin: the script whose first line stops
        self.on_line = on_line
        self._traced: list[Any] = []
        self._previous: Any = None
        self.active = False

    def install(self) -> None:
        """Start tracing (on the program's thread, which runs on from here)."""
        self._previous = sys.gettrace()
        f = self.origin
        while f is not None:
            if is_user_file(f.f_code.co_filename):
                f.f_trace_lines = True
                f.f_trace = self._local
                self._traced.append(f)
            f = f.f_back
        self.active = True
        sys.settrace(self._global)

    def uninstall(self) -> None:
        """Stop tracing (on the program's thread)."""
        if not self.active:
            return
        self.active = False
        sys.settrace(self._previous)
        for f in self._traced:
            f.f_trace = None
        self._traced.clear()

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        # Before the program began, its first frame is the one to stop in.
        name = frame.f_code.co_filename
        if (
            self.origin is None
            and self.active
            and (name == self.first_file if self.first_file else is_user_file(name))
        ):
            self._traced.append(frame)
            return self._local
        return None

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        if not self.active:
            return None
        if event == "line":
            self.on_line(frame)
            # The pause may have ended this step and begun another: whatever now traces the
            # frame (or nothing) goes on tracing it.
            return frame.f_trace
        if event == "return" and frame is self.origin and frame.f_back in self._traced:
            # Off the end of the function: back on the caller's line, as a debugger shows it.
            self.on_line(frame.f_back)
            return None
        return self._local


def is_instance_of(x: Any, module: str, name: str) -> bool:
    """``isinstance(x, module.name)`` without importing ``module``.

    The child must not import ``nn`` or ``optim`` before the program does (it may never need
    them), so their classes are known by name and place.
    """
    return any(k.__module__ == module and k.__name__ == name for k in type(x).__mro__)
