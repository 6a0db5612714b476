"""Stepping by source line through a recorded run (the child steps a live one by its frames).

Qt-free. Events carry the file, line and function of the program's frame that made them, not the
frame itself, so in the recorded past "the next line" is found from those: the next event on
another line of the same function, or back at a script's top level (the function returned).
Events of functions the line called are stepped over.
"""

from __future__ import annotations

from typing import Any


def _source(ev: Any) -> tuple[str, int, str] | None:
    src = getattr(ev, "source", None)
    return src if src else None


def next_line_tick(model: Any, tick: int) -> int | None:
    """The tick a step over from ``tick`` lands on in ``model``'s log, or None past its end."""
    evs = model.events
    here = None
    if tick >= 0 and len(evs):
        at = model.source_tick(tick)
        here = _source(evs[at]) if at >= 0 else None
    for i in range(max(tick + 1, 0), len(evs)):
        src = _source(evs[i])
        if src is None:
            continue
        if here is None:
            return i
        if src[0] == here[0] and src[2] == here[2]:
            if src[1] != here[1]:
                return i
        elif src[2] == "<module>" and here[2] != "<module>":
            return i
    return None
