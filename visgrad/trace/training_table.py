"""Training statistics as a table: one row per training iteration, for CSV, JSON and notebooks."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from visgrad.trace.training import TrainingStats


def parameter_names(stats: TrainingStats, names: dict[int, str]) -> dict[int, str]:
    """Each parameter's display name: the program's name, made unique, else ``t<id>``."""
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    for tid in stats.parameters():
        name = names.get(tid) or f"t{tid}"
        seen[name] = seen.get(name, 0) + 1
        out[tid] = name
    for tid, name in out.items():
        if seen[name] > 1:
            out[tid] = f"{name} (t{tid})"
    return out


def lr_names(stats: TrainingStats) -> dict[tuple[int, int], str]:
    """``lr`` for one optimizer with one group, else ``Adam 1 lr[0]`` per optimizer and group."""
    keys = sorted(stats.lr)
    if len(keys) == 1:
        return {keys[0]: "lr"}
    return {
        (inst, g): f"{stats.optimizers.get(inst, 'optimizer')} {inst} lr[{g}]" for inst, g in keys
    }


def training_table(
    stats: TrainingStats, names: dict[int, str]
) -> tuple[list[str], list[list[float]]]:
    """(columns, rows): ``iteration``, ``loss``, learning rates, then per parameter
    ``<name> grad_norm`` and ``<name> update_ratio``; one row per iteration that ran a backward.
    Numbers are floats (NaN where unknown)."""
    stats.settle()
    pnames = parameter_names(stats, names)
    lrs = lr_names(stats)
    columns = ["iteration", "loss", *lrs.values()]
    cols = [stats.column(stats.lr[k]) for k in lrs]
    for tid, name in pnames.items():
        columns += [f"{name} grad_norm", f"{name} update_ratio"]
        cols += [stats.column(stats.grad_norm[tid]), stats.column(stats.update_ratio[tid])]
    rows: list[list[float]] = []
    for it in stats.iterations:
        if not it.backward:
            continue
        i = it.number - 1
        rows.append([it.number, it.loss, *(float(c[i]) for c in cols)])
    return columns, rows


def _cell(v: Any) -> str:
    # repr: the exact float as Python prints it (``nan`` where unknown or not a number).
    return repr(v) if isinstance(v, float) else str(v)


def to_csv(columns: list[str], rows: list[list[float]]) -> str:
    """CSV text; numbers as Python prints them, ``nan`` where unknown."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue()


def to_json(columns: list[str], rows: list[list[float]]) -> str:
    """A JSON list of one object per row; an unknown number (NaN) is ``null``, Inf a string."""

    def num(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
        return v

    return json.dumps([dict(zip(columns, map(num, r), strict=True)) for r in rows], indent=1)
