"""Which of PyTorch's ops have several signatures, and how many arguments each signature takes.

PyTorch's argument parser tries an op's signatures in turn. When none fits the call, and not
exactly one of them takes as many arguments as were given, it says "received an invalid
combination of arguments" instead of naming the argument that failed. ``ops/parser_errors.py``
does the same from the table this script writes, ``visgrad/ops/overload_table.py``: for each
``torch.`` function and Tensor method of PyTorch's with several (visible) signatures, the least
and the most arguments each signature takes (``self`` not counted for a method), and the names
of those PyTorch writes in Python, whose argument errors are Python's.

The signatures are read from PyTorch's own error: a call that fits none of them, with more
arguments than any takes, lists them all.

Run with ``/work/torchenv/bin/python scripts/torch_fixtures/overloads.py``.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's own alias

ROOT = Path(__file__).resolve().parents[2]
NAMES = ROOT / "tests" / "fixtures" / "torch" / "api_names.json"
OUT = ROOT / "visgrad" / "ops" / "overload_table.py"
TOO_MANY = 40  # more arguments than any signature takes


class _Unmatched:
    """An argument no parameter type accepts."""


def counts(fn: Any) -> tuple[list[tuple[int, int]], str] | None:
    """(fewest, most) arguments of each of ``fn``'s visible signatures, and the one signature
    PyTorch's message shows where only one is visible (the others deprecated); None for an op
    with one signature."""
    try:
        fn(*[_Unmatched()] * TOO_MANY)
    except TypeError as e:
        lines = str(e).splitlines()
    except Exception:  # noqa: BLE001 - not a parsed op
        return None
    else:
        return None
    if not lines or "received an invalid combination of arguments" not in lines[0]:
        return None
    shown = lines[0].split("but expected ", 1)[1]
    found = [line.strip()[2:] for line in lines[1:] if line.strip().startswith("* (")]
    out = []
    for sig in found or [shown]:
        body = sig[1 : sig.rindex(")")]
        params = [p.strip() for p in re.split(r",(?![^(]*\))", body) if p.strip() not in ("", "*")]
        out.append((sum(" = " not in p for p in params), len(params)))
    return (out, "" if found else shown) if out else None


def _no_arguments(fn: Any) -> bool:
    """Whether ``fn`` is a C method that takes no arguments at all."""
    try:
        fn(_Unmatched())
    except TypeError as e:
        return str(e).endswith("() takes no arguments (1 given)")
    except Exception:  # noqa: BLE001 - some other refusal
        return False
    return False


def _rows(items: list[str]) -> list[str]:
    """``items`` packed into lines of at most 99 characters."""
    rows, row = [], "   "
    for item in items:
        if len(row) + len(item) + 2 > 99:
            rows.append(row)
            row = "   "
        row += f" {item},"
    return [*rows, row]


def main() -> None:
    warnings.simplefilter("ignore")
    names = json.loads(NAMES.read_text())
    forms = {"torch": torch, "tensor": torch.ones(2, 3), "functional": F}
    table: dict[str, dict[str, tuple[list[tuple[int, int]], str]]] = {f: {} for f in forms}
    python: dict[str, list[str]] = {f: [] for f in forms}
    builtin: dict[str, str] = {}  # functional name -> the name PyTorch's parser says
    noargs: list[str] = []  # Tensor methods of no arguments (CPython refuses any itself)
    for form, owner in forms.items():
        for n in names[form]:
            if n.startswith("__"):
                continue
            try:
                fn = getattr(owner, n)
            except Exception:  # noqa: BLE001 - an attribute this tensor does not have (imag)
                continue
            if not callable(fn):
                continue
            found = counts(fn)
            if found:
                table[form][n] = found
            if form == "tensor" and _no_arguments(fn):
                noargs.append(n)
            code = fn.__func__ if inspect.ismethod(fn) else fn
            if inspect.isfunction(code):
                python[form].append(n)
            elif form == "functional":
                builtin[n] = fn.__name__
    lines = [
        '"""How many arguments each signature of PyTorch\'s ops with several signatures takes:',
        "(fewest, most) per visible signature, ``self`` not counted for a Tensor method, and where",
        "only one is visible (the others deprecated) the signature PyTorch's message shows; the",
        "functions and methods PyTorch writes in Python (their errors are Python's own); and the",
        "name PyTorch's parser gives each ``torch.nn.functional`` function it parses itself; and the",
        "Tensor methods of no arguments, which CPython refuses any argument to in its own words.",
        "",
        f"Written by ``scripts/torch_fixtures/overloads.py`` from PyTorch {torch.__version__}; do not",
        'edit by hand."""',
        "",
        "# fmt: off",
    ]
    for form, const in (("torch", "TORCH"), ("tensor", "TENSOR"), ("functional", "FUNCTIONAL")):
        lines.append(f"{const}: dict[str, tuple[tuple[tuple[int, int], ...], str]] = {{")
        entries = []
        for n in sorted(table[form]):
            pairs, shown = table[form][n]
            listed = "".join(f"({lo}, {hi}), " for lo, hi in pairs)
            entries.append(f"{n!r}: (({listed.rstrip()}), {shown!r})")
        lines += [*_rows(entries), "}"]
    for form, const in (("torch", "PYTHON_TORCH"), ("tensor", "PYTHON_TENSOR")):
        lines += [f"{const} = frozenset({{", *_rows([repr(n) for n in sorted(python[form])]), "})"]
    lines += ["NO_ARGUMENTS = frozenset({", *_rows([repr(n) for n in sorted(noargs)]), "})"]
    lines.append("PARSED_FUNCTIONAL = {")
    lines += [*_rows([f"{n!r}: {builtin[n]!r}" for n in sorted(builtin)]), "}"]
    lines.append("# fmt: on")
    OUT.write_text("\n".join(lines) + "\n")
    print(
        f"wrote {OUT}: {len(table['torch'])} functions, {len(table['tensor'])} methods, "
        f"{len(builtin)} parsed functionals",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
