"""The program's printed text as a trace keeps it: its start, then its newest part (no Qt).

A program may print hundreds of megabytes. The trace model keeps the first ``OUTPUT_HEAD``
characters and, after them, the newest prints within ``limit`` characters in all (the text the
views show and any whole text kept aside for a cut print both count). Prints in between are
dropped, oldest first, and the output at a tick says how many characters were dropped there.
Reading the output at a tick costs what is kept, never what was printed.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right

OUTPUT_HEAD = 64 * 1024  # characters of the first output always kept
OUTPUT_LIMIT = 4 << 20  # characters kept at most without a memory budget


def note(dropped: int) -> str:
    """The line standing for ``dropped`` characters of output that were let go."""
    return f"\n… {dropped:,} characters of output dropped (memory budget) …\n"


class PrintedText:
    """Prints by tick: ``[0, head)`` are the head, ``[head, next)`` were dropped, then the tail."""

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        self.limit = max(limit, OUTPUT_HEAD)
        self.ticks: list[int] = []
        self.texts: list[str] = []
        self._held = array("q", [0])  # characters held up to each print
        self._came = array("q", [0])  # characters printed up to each print
        self._head = -1  # -1 while the head still has room
        self._next = 0
        self._head_text = ""
        self.dropped = 0  # characters printed and let go

    @property
    def held(self) -> int:
        """Characters kept (shown text and whole texts kept aside)."""
        return self._held[-1] - self._held[self._next] + self._held[max(self._head, 0)]

    def add(self, tick: int, text: str, whole: int = 0) -> list[int]:
        """Keep the print at ``tick`` (``text`` as shown; ``whole``: the length of the whole
        text kept aside when ``text`` is cut). Returns the ticks of prints dropped for room;
        the newest print always stays."""
        i = len(self.texts)
        self.ticks.append(tick)
        self.texts.append(text)
        self._held.append(self._held[-1] + len(text) + whole)
        self._came.append(self._came[-1] + (whole or len(text)))
        if self._head < 0:
            if self._held[-1] <= OUTPUT_HEAD:
                return []
            self._head = self._next = i
            self._head_text = "".join(self.texts[:i])
        held, room = self._held, self.limit - self._held[self._head]
        gone: list[int] = []
        while self._next < i and held[-1] - held[self._next] > room:
            j = self._next
            self._next += 1
            self.texts[j] = ""
            self.dropped += self._came[j + 1] - self._came[j]
            gone.append(self.ticks[j])
        return gone

    def at(self, tick: int) -> str:
        """Everything printed up to ``tick`` that is kept, with a note where text was dropped."""
        n = bisect_right(self.ticks, tick)
        h, d = self._head, self._next
        if h < 0 or n <= h:
            return "".join(self.texts[:n])
        dropped = self._came[min(n, d)] - self._came[h]
        text = self._head_text + (note(dropped) if dropped else "")
        return text + "".join(self.texts[d:n]) if n > d else text
