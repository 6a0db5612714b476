"""L-BFGS as PyTorch runs it: a closure re-evaluates the loss, optional strong-Wolfe line search.

All parameters are treated as one flat vector. Scalars that PyTorch keeps as 0-d tensors of the
parameters' dtype (dot products, ``ro``, ``H_diag``, the step ``t`` after the first iteration)
are NumPy scalars of that dtype here, so the arithmetic rounds and promotes the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from visgrad import events
from visgrad.autograd.grad_mode import enable_grad
from visgrad.nn._write import publish_update
from visgrad.optim import _kernels as K
from visgrad.optim.optimizer import Optimizer, check_hyper
from visgrad.tensor import Tensor


def _cubic_interpolate(
    x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: Any = None
) -> Any:
    """Minimiser of the cubic through two points with given values and slopes, clamped."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, lo), hi)
    return (lo + hi) / 2.0


class _Bracket:
    """The interval the zoom phase of the line search narrows: steps, losses, grads, slopes."""

    def __init__(self, t: list, f: list, g: list, gtd: list) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd

    def set(self, i: int, t: Any, f: Any, g: np.ndarray, gtd: Any) -> None:
        self.t[i], self.f[i], self.g[i], self.gtd[i] = t, f, g, gtd


def _strong_wolfe(
    obj: Callable, t: Any, d: np.ndarray, f: float, g: np.ndarray, gtd: Any, max_ls: int = 25
) -> tuple[float, np.ndarray, Any, int]:
    """Find a step ``t`` along ``d`` meeting the strong Wolfe conditions (c1=1e-4, c2=0.9)."""
    c1, c2, tolerance_change = 1e-4, 0.9, 1e-9
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj(t)
    evals, ls_iter = 1, 0
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    br: _Bracket | None = None
    while ls_iter < max_ls:  # bracketing phase
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            br = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], [gtd_prev, gtd_new])
            break
        if abs(gtd_new) <= -c2 * gtd:
            br, done = _Bracket([t], [f_new], [g_new], [gtd_new]), True
            break
        if gtd_new >= 0:
            br = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], [gtd_prev, gtd_new])
            break
        bounds = (t + 0.01 * (t - t_prev), t * 10)
        t_prev, t = t, _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds)
        f_prev, g_prev, gtd_prev = f_new, g_new.copy(), gtd_new
        f_new, g_new = obj(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if br is None:  # out of evaluations while still bracketing
        br = _Bracket([0, t], [f, f_new], [g, g_new], [gtd, gtd_new])
    low, high = (0, 1) if br.f[0] <= br.f[-1] else (1, 0)
    insuf_progress = False
    while not done and ls_iter < max_ls:  # zoom phase
        if abs(br.t[1] - br.t[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(br.t[0], br.f[0], br.gtd[0], br.t[1], br.f[1], br.gtd[1])
        top, bottom = max(br.t), min(br.t)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insuf_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= br.f[low]:
            br.set(high, t, f_new, g_new.copy(), gtd_new)
            low, high = (0, 1) if br.f[0] <= br.f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (br.t[high] - br.t[low]) >= 0:
                br.set(high, br.t[low], br.f[low], br.g[low], br.gtd[low])
            br.set(low, t, f_new, g_new.copy(), gtd_new)
    return br.f[low], br.g[low], br.t[low], evals


def _direction(
    al: list[Any],
    flat_grad: np.ndarray,
    old_dirs: list[np.ndarray],
    old_stps: list[np.ndarray],
    ro: list[Any],
    h_diag: Any,
) -> np.ndarray:
    """The two-loop recursion: the inverse-Hessian estimate applied to ``-flat_grad``."""
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        K.add_(q, old_dirs[i], -float(al[i]))
    r = q * h_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        K.add_(r, old_stps[i], float(al[i] - be_i))
    return r


def _remember(
    old_dirs: list[np.ndarray],
    old_stps: list[np.ndarray],
    ro: list[Any],
    y: np.ndarray,
    s: np.ndarray,
    h_diag: Any,
    history_size: int,
) -> Any:
    """Keep the newest curvature pair (gradient change ``y``, step ``s``) where the curvature is
    positive, dropping the oldest once ``history_size`` are kept; returns the new ``H_diag``."""
    ys = y.dot(s)
    if not ys > 1e-10:  # (a NaN curvature is not positive either)
        return h_diag
    if len(old_dirs) == history_size:
        old_dirs.pop(0)
        old_stps.pop(0)
        ro.pop(0)
    old_dirs.append(y)
    old_stps.append(s)
    ro.append(1.0 / ys)
    return ys / y.dot(y)


class LBFGS(Optimizer):
    """Limited-memory BFGS; ``step(closure)`` runs up to ``max_iter`` iterations.

    ``closure`` must clear the gradients, compute the loss, call ``backward()`` and return it.
    """

    step_op = "lbfgs_step"

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_hyper(lr, {})
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    # -- the parameters as one vector -----------------------------------------------------------
    def _flat_grad(self) -> np.ndarray:
        return np.concatenate(
            [
                p._grad._data.reshape(-1)
                if p._grad is not None
                else np.zeros(p.numel(), p._data.dtype)
                for p in self._params
            ]
        )

    def _changed(self, p: Tensor, op: str) -> None:
        p._version.value += 1
        if events.SINKS:
            publish_update(p, op)

    def _add_grad(self, t: Any, d: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p.numel()
            K.add_(p._data, d[offset : offset + n].reshape(p._data.shape), float(t))
            offset += n
            self._changed(p, self.step_op)

    def _set_params(self, values: list[np.ndarray]) -> None:
        for p, v in zip(self._params, values, strict=True):
            np.copyto(p._data, v)
            self._changed(p, "copy_")

    def _evaluate(self, closure: Callable[[], Any]) -> float:
        with enable_grad():
            return float(closure())

    def _move(
        self,
        closure: Callable[[], Any],
        d: np.ndarray,
        t: Any,
        loss: float,
        flat_grad: np.ndarray,
        gtd: Any,
        *,
        line_search: str | None,
        max_ls: int,
        evaluate: bool,
    ) -> tuple[float, np.ndarray, Any, int, bool]:
        """Move the parameters along ``d``, by the line search's step or by ``t``.

        Returns the loss and flat gradient there (the old ones when not ``evaluate``d), the step
        taken, the closure evaluations it cost and whether the gradient is now small enough.
        """
        tol_grad = self.param_groups[0]["tolerance_grad"]
        if line_search is None:
            self._add_grad(t, d)
            if not evaluate:
                return loss, flat_grad, t, 0, False
            loss = self._evaluate(closure)
            flat_grad = self._flat_grad()
            return loss, flat_grad, t, 1, bool(np.abs(flat_grad).max() <= tol_grad)
        if line_search != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")
        x0 = [p._data.copy() for p in self._params]

        def obj(step: Any) -> Any:
            self._add_grad(step, d)
            f = self._evaluate(closure)
            g = self._flat_grad()
            self._set_params(x0)
            return f, g

        loss, flat_grad, t, ls_evals = _strong_wolfe(obj, t, d, loss, flat_grad, gtd, max_ls=max_ls)
        self._add_grad(t, d)
        return loss, flat_grad, t, ls_evals, bool(np.abs(flat_grad).max() <= tol_grad)

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss of the first evaluation."""
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        line_search, history_size = group["line_search_fn"], group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        if events.SINKS:
            self._publish_step()
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tol_grad:
            return orig_loss
        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -flat_grad, [], [], [], 1
            else:
                y, s = flat_grad - prev_flat_grad, d * t
                h_diag = _remember(old_dirs, old_stps, ro, y, s, h_diag, history_size)
                if "al" not in state:
                    state["al"] = [None] * history_size
                d = _direction(state["al"], flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tol_change:
                break
            loss, flat_grad, t, ls_evals, opt_cond = self._move(
                closure,
                d,
                t,
                loss,
                flat_grad,
                gtd,
                line_search=line_search,
                max_ls=max_eval - current_evals,
                evaluate=n_iter != max_iter,
            )
            current_evals += ls_evals
            state["func_evals"] += ls_evals
            if (
                n_iter == max_iter
                or current_evals >= max_eval
                or opt_cond
                or np.abs(d * t).max() <= tol_change
                or abs(loss - prev_loss) < tol_change
            ):
                break
        state.update(
            d=d,
            t=t,
            old_dirs=old_dirs,
            old_stps=old_stps,
            ro=ro,
            H_diag=h_diag,
            prev_flat_grad=prev_flat_grad,
            prev_loss=prev_loss,
        )
        return orig_loss
