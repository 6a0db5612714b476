"""The child side of a gradient check: replay the traced run in float64, perturbed, many times.

Reads one job from stdin (u32 length, JSON header, raw arrays), writes JSON lines to stdout. The
program's own output goes to /dev/null. Run as ``python -m visgrad.runner.gradcheck_child``.
"""

from __future__ import annotations

import io
import json
import os
import runpy
import sys
import traceback
from typing import Any, BinaryIO

import numpy as np

from visgrad import events
from visgrad.runner import torch_alias
from visgrad.tensor import Tensor
from visgrad.trace.codec import read_arrays

_FRAMES = 8  # how far up from the sink the tensor that an event describes is looked for


class _Reached(BaseException):
    """The program reached its first backward(); BaseException so user code cannot swallow it."""


def _find_tensor(tid: int) -> Any:
    f = sys._getframe(2)
    for _ in range(_FRAMES):
        if f is None:
            break
        for v in f.f_locals.values():
            if isinstance(v, Tensor) and v._id == tid:
                return v
        f = f.f_back
    return None


class Replay:
    """A sink that replays traced leaf values (float64), perturbs one entry, records the loss."""

    def __init__(
        self,
        created: list[np.ndarray | None],
        updates: list[np.ndarray | None],
        target: int,
        entry: int,
        delta: float,
        backward_index: int = 1,
    ) -> None:
        self.created, self.updates = created, updates
        self.target, self.entry, self.delta = target, entry, delta
        self.n_created = self.n_updates = 0
        self.target_id: int | None = None
        self.values: dict[int, np.ndarray] = {}
        self.loss: float | None = None
        self.backward_index, self.calls = backward_index, 0

    def _set(self, t: Any, value: np.ndarray | None) -> None:
        base = t._data if value is None else value
        arr = np.array(base, dtype=np.float64) if base.dtype.kind == "f" else np.array(base)
        if t._id == self.target_id and arr.dtype.kind == "f":
            arr.reshape(-1)[self.entry] += self.delta
        t._data = arr
        self.values[t._id] = arr

    def __call__(self, ev: events.Event) -> None:
        # Aliases share their base's storage: replacing their array would cut them off from it.
        if isinstance(ev, events.TensorCreated) and ev.base is None:
            k = self.n_created
            self.n_created += 1
            t = _find_tensor(ev.tensor)
            if t is None:
                return
            if k == self.target:
                self.target_id = t._id
            self._set(t, self.created[k] if k < len(self.created) else None)
        elif isinstance(ev, events.InplaceUpdate) and not ev.recorded and ev.grad_of is None:
            k = self.n_updates
            self.n_updates += 1
            t = _find_tensor(ev.tensor)
            if t is not None and k < len(self.updates) and self.updates[k] is not None:
                self._set(t, self.updates[k])
        elif isinstance(ev, events.ForwardOp):
            for tid, v in zip(ev.outputs, ev.values, strict=False):
                self.values[tid] = v
        elif isinstance(ev, events.BackwardBegin) and ev.api == "backward":
            self.calls += 1
            if self.calls < self.backward_index:
                return
            total = 0.0
            for tid, seed in zip(ev.roots, ev.seeds, strict=False):
                v = self.values.get(tid)
                if v is None:
                    raise _Reached("the loss's value was not seen")
                total += float(np.sum(np.asarray(seed, np.float64) * np.asarray(v, np.float64)))
            self.loss = total
            raise _Reached


def run_once(script: str, sink: Replay) -> float:
    events.reset_seq()
    events.SINKS.append(sink)
    try:
        runpy.run_path(script, run_name="__main__")
    except _Reached:
        pass  # the chosen backward() was reached: the program stops there on purpose
    finally:
        if sink in events.SINKS:
            events.SINKS.remove(sink)
    if sink.loss is None:
        raise RuntimeError("the program finished before the backward() being checked")
    return sink.loss


def _read_job(stream: BinaryIO) -> tuple[dict, list[np.ndarray]]:
    data = stream.read()
    hlen = int.from_bytes(data[:4], "little")
    header = json.loads(data[4 : 4 + hlen])
    arrays = read_arrays(header.pop("$arrays"), memoryview(data), 4 + hlen)
    return header, arrays


def main() -> int:
    out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = io.TextIOWrapper(open(os.devnull, "wb"), write_through=True)  # noqa: SIM115

    def say(**msg: Any) -> None:
        out.write(json.dumps(msg) + "\n")

    try:
        job, arrays = _read_job(sys.stdin.buffer)
        torch_alias.install()
        script = job["script"]
        sys.argv = list(job["argv"])
        sys.path.insert(0, os.path.dirname(script))
        created = [None if r is None else arrays[r] for r in job["created"]]
        updates = [None if r is None else arrays[r] for r in job["updates"]]
        eps = float(job["eps"])
        bi = int(job.get("backward_index", 1))
        total = sum(2 * len(entries) for _, entries in job["targets"])
        done = 0
        for k, (target, entries) in enumerate(job["targets"]):
            for e in entries:
                up = run_once(script, Replay(created, updates, target, e, eps, bi))
                down = run_once(script, Replay(created, updates, target, e, -eps, bi))
                done += 2
                say(type="numeric", target=k, entry=e, value=(up - down) / (2 * eps))
                say(type="progress", done=done, total=total)
    except Exception as e:
        say(type="error", message=f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
