"""Text the views show is bounded: long strings are cut with an ellipsis, the whole kept aside.

A trace is untrusted, and a program may name a tensor with 5 MB of text or print 20 MB at once.
Every view, the graph's layout and the PNG/SVG renders work from the trace model's events, so the
model caps each event once, as it arrives (``capped``): names, ops, grad_fn labels, module paths and
file names at ``NAME`` characters, printed text and tracebacks at ``TEXT``, messages at ``MESSAGE``.
A cut string ends in ``… (+N characters)``; ``FullTexts`` maps it back to the whole text, which the
inspector and the console show on demand and which saving writes back.

Which fields hold text is read from the event annotations, as the validator does: a new ``str``
field is capped without a line here (at ``NAME``, unless ``LONG_FIELDS`` gives it more room).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from visgrad import events as ev_
from visgrad.trace.field_checks import field_hints

NAME = 200  # one-line texts: names, ops, grad_fn, modules, files, functions
MESSAGE = 2_000  # an exception's or an anomaly's message
TEXT = 64 * 1024  # one print's text, a traceback
IN_JSON = 1_000  # a string inside op attributes or run details
LONG_FIELDS: dict[tuple[type[ev_.Event], str], int] = {
    (ev_.Output, "text"): TEXT,
    (ev_.ProgramError, "traceback"): TEXT,
    (ev_.ProgramError, "message"): MESSAGE,
    (ev_.Anomaly, "message"): MESSAGE,
}
MARK = "…"


def was_cut(text: str) -> bool:
    """True when ``text`` holds a string ``clip`` or ``clip_middle`` cut."""
    return f"{MARK} (+" in text or f" characters cut) {MARK}" in text


def clip(text: str, limit: int = NAME) -> str:
    """``text`` when it has at most ``limit`` characters, else its start, an ellipsis and how
    much was cut (the result is a little longer than ``limit``)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}{MARK} (+{len(text) - limit:,} characters)"


def clip_middle(text: str, limit: int = TEXT) -> str:
    """Like ``clip``, keeping the start and the end (a traceback's last lines say what failed)."""
    if len(text) <= limit:
        return text
    head = limit // 4
    tail = limit - head
    cut = len(text) - limit
    return f"{text[:head]}\n{MARK} ({cut:,} characters cut) {MARK}\n{text[-tail:]}"


def clip_lines(text: str, limit: int = 1_000) -> str:
    """Every line of ``text`` clipped to ``limit`` characters (line numbers stay)."""
    if len(text) <= limit or max(map(len, text.split("\n"))) <= limit:
        return text
    return "\n".join(clip(line, limit) for line in text.split("\n"))


def _mentions_text(hint: Any) -> bool:
    if hint is str or hint is Any:
        return True
    return any(_mentions_text(a) for a in typing.get_args(hint))


def _cap_value(v: Any, limit: int) -> Any:
    """``v`` with every string in it clipped; the same object when nothing is too long."""
    t = type(v)
    if t is str:
        return v if len(v) <= limit else clip(v, limit)
    if t is tuple:
        got = tuple(_cap_value(x, limit) for x in v)
        return v if all(a is b for a, b in zip(got, v, strict=True)) else got
    if t is list:
        got_l = [_cap_value(x, limit) for x in v]
        return v if all(a is b for a, b in zip(got_l, v, strict=True)) else got_l
    if t is dict:
        got_d = {_cap_value(k, limit): _cap_value(x, limit) for k, x in v.items()}
        same = len(got_d) == len(v) and all(
            a is b and got_d[a] is x for (a, x), b in zip(v.items(), got_d, strict=True)
        )
        return v if same else got_d
    return v


_PLANS: dict[type, tuple[tuple[str, int, bool], ...]] = {}


def _plan(cls: type[ev_.Event]) -> tuple[tuple[str, int, bool], ...]:
    """(field, limit, plain) of each field of ``cls`` that can hold text; plain: a bare ``str``."""
    plan = _PLANS.get(cls)
    if plan is None:
        rows = []
        for name, hint in field_hints(cls):
            if not _mentions_text(hint):
                continue
            bare = typing.get_origin(hint) is typing.Annotated and typing.get_args(hint)[0] is str
            plain = hint is str or bare
            json = typing.get_origin(hint) is dict
            limit = LONG_FIELDS.get((cls, name), IN_JSON if json else NAME)
            rows.append((name, limit, plain))
        plan = _PLANS[cls] = tuple(rows)
    return plan


def _too_long(v: Any, limit: int) -> bool:
    """True when some string in ``v`` has more than ``limit`` characters."""
    t = type(v)
    if t is str:
        return len(v) > limit
    if t is tuple or t is list:
        for x in v:
            if type(x) is str:
                if len(x) > limit:
                    return True
            elif type(x) in (tuple, list, dict) and _too_long(x, limit):
                return True
        return False
    if t is dict:
        return any(_too_long(k, limit) or _too_long(x, limit) for k, x in v.items())
    return False


def capped(ev: ev_.Event) -> ev_.Event:
    """``ev`` itself when none of its text is too long for the views, else a copy with it cut."""
    changes: dict[str, Any] = {}
    for name, limit, plain in _plan(type(ev)):
        v = getattr(ev, name)
        if plain:
            if len(v) > limit:
                changes[name] = clip_middle(v, limit) if limit == TEXT else clip(v, limit)
        elif v and _too_long(v, limit):
            changes[name] = _cap_value(v, limit)
    return dataclasses.replace(ev, **changes) if changes else ev


class FullTexts:
    """The whole text of each string ``capped`` cut, by the cut form the views show."""

    def __init__(self) -> None:
        self._full: dict[str, str] = {}
        self._fields: dict[int, dict[str, Any]] = {}  # tick -> the cut fields as they came

    def record(self, tick: int, original: ev_.Event, shown: ev_.Event) -> None:
        """Remember what ``capped`` cut from ``original`` (the model's event ``tick``)."""
        cut = {}
        for name, _limit, _plain in _plan(type(original)):
            was, now = getattr(original, name), getattr(shown, name)
            if was is not now:
                cut[name] = was
                _pairs(now, was, self._full)
        self._fields[tick] = cut

    def forget(self, tick: int, shown: ev_.Event) -> None:
        """Let go of the whole texts of the model's event ``tick`` (``shown``, as the views have
        it): the memory budget dropped it."""
        for name, was in (self._fields.pop(tick, None) or {}).items():
            now = getattr(shown, name, None)
            if type(now) is str and self._full.get(now) is was:
                del self._full[now]

    def full(self, text: str) -> str:
        """The whole text ``text`` was cut from (``text`` itself when it was never cut)."""
        if not was_cut(text):
            return text
        got = self._full.get(text)
        if got is not None:
            return got
        # A view may add to a cut string (a title, a prefix): find the cut forms inside it.
        for cut, whole in self._full.items():
            if cut in text:
                text = text.replace(cut, whole)
        return text

    def original(self, tick: int, ev: ev_.Event) -> ev_.Event:
        """The model's event ``tick`` (``ev``) with its text as it came."""
        cut = self._fields.get(tick)
        return dataclasses.replace(ev, **cut) if cut else ev

    def chars(self) -> int:
        """Characters of whole text kept (for the memory budget)."""
        return sum(map(len, self._full.values()))

    def __bool__(self) -> bool:
        return bool(self._fields)


def _pairs(shown: Any, original: Any, out: dict[str, str]) -> None:
    if shown is original:
        return
    if type(shown) is str and type(original) is str:
        out[shown] = original  # the newest: ``forget`` of an older one keeps it
    elif type(shown) in (tuple, list) and type(original) in (tuple, list):
        for a, b in zip(shown, original, strict=False):
            _pairs(a, b, out)
    elif type(shown) is dict and type(original) is dict:
        for (ka, va), (kb, vb) in zip(shown.items(), original.items(), strict=False):
            _pairs(ka, kb, out)
            _pairs(va, vb, out)
