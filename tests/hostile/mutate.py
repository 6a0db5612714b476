"""Hostile edits of real events, at the level an attacker writes them: JSON headers and bytes.

Each function takes a ``random.Random`` (hypothesis supplies it) so a failure replays exactly.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from visgrad import events

INF, NAN = float("inf"), float("nan")


def _deep(n: int) -> Any:
    v: Any = 0
    for _ in range(n):
        v = [v]
    return v


HOSTILE_VALUES: list[Any] = [
    5,
    -1,
    0,
    1,
    2**31,
    2**53 + 1,
    2**63,
    2**64,
    -(2**63) - 1,
    10**30,
    1.5,
    -0.0,
    NAN,
    INF,
    -INF,
    True,
    False,
    None,
    "",
    "abc",
    "x" * 100_000,
    "\ud800",
    "\x00\n\r\t\u202e",
    "t1",
    "f4,(",
    "O",
    "<f8",
    ">f4",
    "complex64",
    "float32",
    "int64",
    "bool",
    "stdout",
    "backward",
    "paused",
    [],
    [INF],
    [NAN],
    [-1],
    [2**40, 2**40],
    [0],
    [1, 2],
    [[1]],
    [None],
    ["a"],
    [True],
    {},
    {"$a": 0},
    {"$a": 99},
    {"$a": -1},
    {"$a": "0"},
    {"$s": {}},
    {
        "$s": {
            "shape": [INF],
            "dtype": "float32",
            "min": 0,
            "max": 0,
            "mean": 0,
            "norm": 0,
            "nan": 0,
            "inf": 0,
            "preview": [],
        }
    },
    {
        "$s": {
            "shape": [2, 3],
            "dtype": "f4,(",
            "min": NAN,
            "max": INF,
            "mean": 0,
            "norm": 0,
            "nan": -5,
            "inf": 0,
            "preview": [1.0] * 100,
        }
    },
    {"a": {"b": {"c": 1}}},
    _deep(40),
    "__DEEP__",
]
# Nesting too deep for Python's JSON encoder: spliced into the text by ``to_text``.
DEEP = "[" * 100_000 + "]" * 100_000


def to_text(h: Any) -> str:
    """The JSON line an attacker writes for ``h`` (``"__DEEP__"`` becomes very deep nesting)."""
    return json.dumps(h, separators=(",", ":")).replace('"__DEEP__"', DEEP)


def _paths(v: Any, prefix: tuple = (), depth: int = 0) -> list[tuple]:
    out = [prefix]
    if depth > 6:
        return out
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(x, (*prefix, k), depth + 1)
    elif isinstance(v, list):
        for i, x in enumerate(v[:8]):
            out += _paths(x, (*prefix, i), depth + 1)
    return out


def _set(root: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = root
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return root


def _get(root: Any, path: tuple) -> Any:
    for p in path:
        root = root[p]
    return root


def ids_of(headers: list[dict]) -> list[int]:
    """Every int found in the headers' id-like fields: material for dangling and reused ids."""
    out: set[int] = set()
    for h in headers:
        for k in ("tensor", "node", "inputs", "outputs", "next_nodes", "roots", "grad_of", "seq"):
            v = h.get(k)
            for x in v if isinstance(v, list) else [v]:
                if type(x) is int:
                    out.add(x)
    return sorted(out) or [1]


def mutate_header(h: dict, rng: random.Random, ids: list[int]) -> dict:
    """One hostile edit of one event header (a deep copy; the original is kept)."""
    h = copy.deepcopy(h)
    op = rng.randrange(7)
    paths = [p for p in _paths(h) if p and p[0] != "kind"] or [("seq",)]
    path = rng.choice(paths)
    if op == 0:  # drop a field or an item
        parent = _get(h, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, list) and parent:
            parent.pop(min(path[-1], len(parent) - 1))
    elif op == 1:  # an unknown field, or another kind
        if rng.random() < 0.5:
            h[rng.choice(["zzz", "$arrays", "Seq", ""])] = rng.choice(HOSTILE_VALUES)
        else:
            h["kind"] = rng.choice([*events.EVENT_TYPES, "nope", 5, None])
    elif op == 2:  # a dangling or reused id, or a seq from elsewhere
        _set(h, path, rng.choice(ids) + rng.choice([0, 0, 1, -1, 1000]))
    elif op == 3:  # a list grows (a repeated item) or becomes enormous
        v = _get(h, path)
        if isinstance(v, list):
            v.extend(v[: rng.randrange(1, 3)] if v and rng.random() < 0.7 else [0] * 5000)
        else:
            _set(h, path, [v] * rng.choice([2, 3]))
    else:  # a hostile value in place of any value
        _set(h, path, copy.deepcopy(rng.choice(HOSTILE_VALUES)))
    return h


def mutate_text(h: dict, rng: random.Random) -> dict:
    """An edit a validator should let through: an odd but valid string somewhere."""
    h = copy.deepcopy(h)
    spots = [p for p in _paths(h) if p and p[0] != "kind" and isinstance(_get(h, p), str)]
    if spots:
        _set(h, rng.choice(spots), rng.choice(ODD_TEXTS))
    return h


ODD_TEXTS = [
    "x" * 100_000,
    "AddBackward0" * 20_000,
    "\n" * 5000,
    "\x00\x01\x7f",
    "\u202e\u0301\ufeff",
    "<b>&amp;</b>\"'",
    "\U0001f600" * 50,
    "a\r\nb\rc",
    " ",
    "",
]


def mutate_log(
    items: list[tuple[dict, list]], rng: random.Random, edits: int
) -> list[tuple[dict, list]]:
    """A run's (header, arrays) records with ``edits`` hostile edits: values and event order."""
    out = list(items)
    ids = ids_of([h for h, _ in items])
    for _ in range(edits):
        if not out:
            break
        i = rng.randrange(len(out))
        h, arrays = out[i]
        r = rng.random()
        if r < 0.55:
            out[i] = (mutate_header(h, rng, ids), arrays)
        elif r < 0.7:
            out[i] = (mutate_text(h, rng), arrays)
        elif r < 0.8:
            out.insert(rng.randrange(len(out) + 1), (copy.deepcopy(h), arrays))  # repeated
        elif r < 0.95:
            j = rng.randrange(len(out))
            out[i], out[j] = out[j], out[i]  # events out of order
        else:
            del out[i]
    return out


def mutate_bytes(data: bytes, rng: random.Random, edits: int) -> bytes:
    """Flipped, cut, inserted and repeated bytes."""
    b = bytearray(data)
    for _ in range(edits):
        if not b:
            b += bytes(rng.randrange(256) for _ in range(8))
            continue
        i = rng.randrange(len(b))
        r = rng.random()
        if r < 0.4:
            b[i] = rng.randrange(256)
        elif r < 0.55:
            del b[i : i + rng.randrange(1, 64)]
        elif r < 0.7:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        elif r < 0.85:
            b[i:i] = b[i : i + rng.randrange(1, 256)]
        else:
            b[i : i + 4] = rng.choice(
                [b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x00\x00\x00\x80"]
            )
    return bytes(b)
