"""Numerical gradient check of a traced run, by re-running the program in a child process.

The app never runs user code itself. For each checked entry of a leaf the child executes the script
again with every traced leaf value replayed (so random initialisations match the trace), all in
float64, the one entry moved by ±eps, and stops at the first ``backward()``: the loss there is
Σ seed·root. Central differences are compared with the analytic ``.grad`` the trace recorded for
that backward. Parent and child talk JSON plus raw array bytes over pipes; nothing is pickled.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from visgrad import events
from visgrad.trace.codec import SAFE_DTYPES

_U32 = struct.Struct("<I")
DEFAULT_EPS = 1e-6
DEFAULT_TOL = 1e-3
# Relative errors are taken against max(|analytic|, |numeric|, FLOOR): tiny gradients are not noise.
FLOOR = 1e-6


class GradcheckError(RuntimeError):
    """The check could not run (no backward, a leaf too large, the child failed)."""


class GradcheckCancelled(GradcheckError):
    """The user cancelled the check."""


@dataclass(frozen=True, slots=True)
class EntryResult:
    index: tuple[int, ...]
    analytic: float
    numeric: float
    rel_error: float


@dataclass(slots=True)
class LeafResult:
    """How one leaf's analytic gradient compares with finite differences."""

    tensor: int
    name: str
    shape: tuple[int, ...]
    checked: int
    max_rel_error: float
    ok: bool
    worst: list[EntryResult] = field(default_factory=list)
    note: str = ""


@dataclass(slots=True)
class Plan:
    """What the child needs to replay the traced run, read from the event log."""

    created: list[tuple[int, np.ndarray | None]]  # (tensor id, value) in creation order
    updates: list[tuple[int, np.ndarray | None]]  # plain data writes to leaves, in order
    analytic: dict[int, np.ndarray]  # tensor id -> .grad contributions of the first backward
    leaves: list[int]  # tensors that received a gradient in the first backward, in creation order
    names: dict[int, str]
    backward_index: int = 1


def make_plan(
    log: Sequence[events.Event], names: dict[int, str] | None = None, backward_index: int = 1
) -> Plan:
    """The replay plan and the analytic gradients of the ``backward_index``-th ``backward()``."""
    created: list[tuple[int, np.ndarray | None]] = []
    updates: list[tuple[int, np.ndarray | None]] = []
    analytic: dict[int, np.ndarray] = {}
    in_backward = seen = False
    calls = 0
    known = dict(names or {})
    for ev in log:
        if isinstance(ev, events.TensorNamed):
            known.setdefault(ev.tensor, ev.name)
        if seen:
            continue
        # An alias (``detach()``, ``.data``) gets its values through its base: never replaced.
        if isinstance(ev, events.TensorCreated) and ev.base is None:
            created.append((ev.tensor, _dense(ev.value)))
        elif isinstance(ev, events.InplaceUpdate) and not ev.recorded and ev.grad_of is None:
            updates.append((ev.tensor, _dense(ev.value)))
        elif isinstance(ev, events.BackwardBegin):
            if ev.api == "backward":
                calls += 1
                in_backward = calls == backward_index
        elif isinstance(ev, events.GradAccumulated) and in_backward:
            c = _dense(ev.contribution)
            if c is not None:
                prev = analytic.get(ev.tensor)
                analytic[ev.tensor] = c.astype(np.float64) + (0 if prev is None else prev)
        elif isinstance(ev, events.BackwardEnd) and in_backward:
            seen = True
    order = [t for t, _ in created]
    leaves = [t for t in order if t in analytic]
    return Plan(created, updates, analytic, leaves, known, backward_index)


def _dense(a: object) -> np.ndarray | None:
    return a if isinstance(a, np.ndarray) else None


def _entries(size: int, limit: int) -> np.ndarray:
    if size <= limit:
        return np.arange(size)
    # A fixed sample: the same entries every time, so reruns are comparable.
    return np.sort(np.random.default_rng(0).choice(size, limit, replace=False))


class GradcheckJob:
    """One gradient check; ``run`` blocks (call it off the GUI thread), ``cancel`` kills the child."""

    def __init__(
        self,
        script: str,
        log: Sequence[events.Event],
        tensors: Sequence[int] | None = None,
        *,
        names: dict[int, str] | None = None,
        eps: float = DEFAULT_EPS,
        tol: float = DEFAULT_TOL,
        max_entries: int = 64,
        cwd: str | None = None,
        argv: Sequence[str] | None = None,
        backward_index: int = 1,
    ) -> None:
        self.script = os.path.abspath(script)
        self.plan = make_plan(log, names, backward_index)
        self.tensors = list(self.plan.leaves if tensors is None else tensors)
        self.eps, self.tol, self.max_entries = eps, tol, max_entries
        self.cwd = cwd or os.getcwd()
        self.argv = list(argv) if argv is not None else [self.script]
        self._proc: subprocess.Popen[bytes] | None = None
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()
        p = self._proc
        if p is not None and p.poll() is None:
            p.kill()

    def _header(self) -> tuple[dict, list[np.ndarray], list[np.ndarray]]:
        order = [t for t, _ in self.plan.created]
        targets, picks = [], []
        for t in self.tensors:
            if t not in order:
                raise GradcheckError(
                    f"tensor t{t} is not a leaf created before the chosen backward()"
                )
            value = self.plan.created[order.index(t)][1]
            if value is None:
                raise GradcheckError(
                    f"{self._name(t)} is too large to replay; check a smaller leaf"
                )
            if t not in self.plan.analytic:
                raise GradcheckError(f"{self._name(t)} got no gradient from the chosen backward()")
            e = _entries(value.size, self.max_entries)
            targets.append([order.index(t), [int(i) for i in e]])
            picks.append(e)
        arrays: list[np.ndarray] = []
        created_refs = [_ref(v, arrays) for _, v in self.plan.created]
        update_refs = [_ref(v, arrays) for _, v in self.plan.updates]
        header = {
            "script": self.script,
            "argv": self.argv,
            "cwd": self.cwd,
            "eps": self.eps,
            "targets": targets,
            "created": created_refs,
            "updates": update_refs,
            "backward_index": self.plan.backward_index,
        }
        return header, arrays, picks

    def _name(self, t: int) -> str:
        return self.plan.names.get(t, f"t{t}")

    def run(
        self, progress: Callable[[int, int], None] | None = None, timeout: float = 300.0
    ) -> list[LeafResult]:
        """Run the child; ``progress(done, total)`` after each evaluation of the program."""
        header, arrays, picks = self._header()
        header["$arrays"] = [
            {"dtype": str(a.dtype), "shape": list(a.shape), "nbytes": int(a.nbytes)} for a in arrays
        ]
        hb = json.dumps(header).encode()
        payload = (
            _U32.pack(len(hb)) + hb + b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)
        )
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "visgrad.runner.gradcheck_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.cwd,
            env=env,
        )
        timer = threading.Timer(timeout, self.cancel)
        timer.start()
        numeric: dict[int, dict[int, float]] = {}
        error = ""
        try:
            writer = threading.Thread(target=_feed, args=(self._proc, payload), daemon=True)
            writer.start()
            assert self._proc.stdout is not None
            for line in self._proc.stdout:
                msg = json.loads(line)
                if msg["type"] == "progress" and progress is not None:
                    progress(msg["done"], msg["total"])
                elif msg["type"] == "numeric":
                    numeric.setdefault(msg["target"], {})[msg["entry"]] = float(msg["value"])
                elif msg["type"] == "error":
                    error = msg["message"]
            self._proc.wait()
        finally:
            timer.cancel()
        if self._cancelled.is_set():
            raise GradcheckCancelled("gradient check cancelled")
        if error:
            raise GradcheckError(error)
        if self._proc.returncode:
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
            raise GradcheckError(f"the gradient-check child failed:\n{err[-2000:]}")
        return [
            self._compare(t, i, picks[i], numeric.get(i, {})) for i, t in enumerate(self.tensors)
        ]

    def _compare(self, t: int, k: int, entries: np.ndarray, num: dict[int, float]) -> LeafResult:
        a = self.plan.analytic[t]
        rows = []
        for e in entries:
            an, nu = float(a.reshape(-1)[e]), num.get(int(e), float("nan"))
            rel = abs(an - nu) / max(abs(an), abs(nu), FLOOR)
            if rel != rel:
                rel = float("inf")
            rows.append(
                EntryResult(tuple(int(i) for i in np.unravel_index(e, a.shape)), an, nu, rel)
            )
        rows.sort(key=lambda r: -r.rel_error)
        worst = rows[0].rel_error if rows else 0.0
        note = "" if len(entries) == a.size else f"{len(entries)} of {a.size} entries sampled"
        return LeafResult(
            t, self._name(t), a.shape, len(rows), worst, worst <= self.tol, rows[:10], note
        )


def _ref(v: np.ndarray | None, arrays: list[np.ndarray]) -> int | None:
    if v is None or v.dtype.name not in SAFE_DTYPES:
        return None
    arrays.append(v)
    return len(arrays) - 1


def _feed(proc: subprocess.Popen[bytes], payload: bytes) -> None:
    try:
        assert proc.stdin is not None
        proc.stdin.write(payload)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the child died early; its exit code and stderr report why
