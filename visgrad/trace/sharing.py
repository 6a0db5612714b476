"""One kept copy of the strings and tuples that repeat from event to event.

Decoded JSON gives every event fresh strings and tuples, though most repeat from event to event
(op names, dtypes, shapes, the source line, module paths): a long run keeps one copy of each
instead (values only, so nothing downstream can tell). Bounded: the table starts over when
full, which costs sharing, never correctness.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

SHARED_TEXT = 200  # longer strings are rarely repeated
_SHARED_MAX = 1 << 16
_SHARED: dict[Any, Any] = {}
# Tuple fields whose values repeat (ids, which do not, are left alone).
SHARED_FIELDS = frozenset(
    {"shape", "shapes", "dtypes", "source", "saved", "names", "module_classes", "bases"}
)


_JSON: dict[str, Any] = {}  # small JSON values (op attributes) by their exact JSON text


def share_json(raw: Any, make: Callable[[], Any]) -> Any:
    """The kept decoding (``make()``) of the small JSON value ``raw`` (op attributes such as
    ``{"constants": [2.0]}`` repeat every step). Keyed by its JSON text, so ``1``, ``1.0`` and
    ``true`` stay apart; values holding arrays are never shared. Readers never change them."""
    key = json.dumps(raw) if type(raw) is dict and len(raw) <= 8 else ""
    if not key or len(key) > SHARED_TEXT or '"$a"' in key or '"$s"' in key:
        return make()
    got = _JSON.get(key)
    if got is None:
        if len(_JSON) >= _SHARED_MAX:
            _JSON.clear()
        _JSON[key] = got = make()
    return got


def shared(v: Any) -> Any:
    """The one kept copy of the string or tuple ``v`` (``v`` itself the first time)."""
    got = _SHARED.get(v)
    if got is None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[v] = got = v
    return got


def _plain(x: Any) -> bool:
    # ``1 == 1.0 == True``: only exact ints and strings are shared, so equal means the same.
    t = type(x)
    return t is str or t is int or (t is tuple and all(type(y) is int for y in x))


def share_tuple(v: tuple[Any, ...]) -> tuple[Any, ...]:
    if not v or not all(_plain(x) for x in v):
        return v
    if any(type(x) is str and len(x) > SHARED_TEXT for x in v):
        return v
    return shared(tuple(shared(x) if type(x) is not int else x for x in v))


def share_text(v: str) -> str:
    """The kept copy of a decoded string (long ones are left alone: they rarely repeat)."""
    return shared(v) if len(v) <= SHARED_TEXT else v


def share_field(name: str, v: tuple[Any, ...]) -> tuple[Any, ...]:
    """The kept copy of a decoded tuple field's value where values of that field repeat."""
    return share_tuple(v) if name in SHARED_FIELDS else v
