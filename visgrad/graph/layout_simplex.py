"""Layers of near-minimum total edge span, in rounds of linear work.

Fewer layers skipped means fewer dummy nodes, and dummies are where crossings come from. The exact
answer is Gansner et al.'s ranking LP, solved by network simplex; but its pivots are sequential
and each renumbers a subtree, so in Python it grows quadratically (10 s at 20,000 nodes through
networkx). This module keeps the idea and drops the pivots:

Each round takes a spanning forest of *tight* edges (span = minimum) and, for every subtree
``T`` of it, the net weight ``S(T)`` of the edges leaving minus entering it. Moving ``T`` by one
layer away from its tree parent changes the total span by ``-|S(T)|`` when the sign is right, and
it may move as far as the tightest non-tree edge in its way (``delta``). For all subtrees at once,
``delta`` comes from "painting" tree paths with a union-find, edges in order of slack, so a
round is a few passes over the graph. The best disjoint moves are applied, each exact and
feasible; the next round builds a new tight forest. It stops when no subtree can move: a
fixed point of single-cut moves, which on the benchmark graphs is within a few percent of the
LP's crossings (network simplex would go on through degenerate pivots).

Everything is iterative and deterministic (ties by node index).
"""

from __future__ import annotations

import numpy as np


class _Marks:
    """Fenwick tree over postorder positions: which nodes this round already moved or touched."""

    def __init__(self, n: int) -> None:
        self.t = [0] * (n + 1)
        self.n = n

    def mark(self, i: int) -> None:
        i += 1
        t, n = self.t, self.n
        while i <= n:
            t[i] += 1
            i += i & -i

    def _prefix(self, i: int) -> int:
        s, t = 0, self.t
        while i > 0:
            s += t[i]
            i -= i & -i
        return s

    def any_in(self, lo: int, hi: int) -> bool:
        return self._prefix(hi + 1) - self._prefix(lo) > 0


def _tight_forest(
    n: int,
    adj: list[list[int]],
    other: list[int],
    tight: np.ndarray,
    reverse: bool,
) -> tuple[list[int], list[int], list[int], list[int]]:
    """DFS over tight edges: ``(par_edge, low, lim, post)``; ``post[lim[v]] == v`` and the
    subtree of ``v`` is ``post[low[v] : lim[v] + 1]``."""
    tight_l = tight.tolist()
    par = [-1] * n
    low = [0] * n
    lim = [0] * n
    seen = bytearray(n)
    post: list[int] = []
    roots = range(n - 1, -1, -1) if reverse else range(n)
    for r in roots:
        if seen[r]:
            continue
        seen[r] = 1
        low[r] = len(post)
        stack = [(r, 0)]
        while stack:
            v, i = stack[-1]
            a = adj[v]
            while i < len(a):
                e2 = a[i]  # 2 * edge + (1 if v is its head)
                i += 1
                e = e2 >> 1
                if tight_l[e]:
                    w = other[e2]
                    if not seen[w]:
                        seen[w] = 1
                        par[w] = e2
                        low[w] = len(post)
                        stack[-1] = (v, i)
                        stack.append((w, 0))
                        break
            else:
                stack.pop()
                lim[v] = len(post)
                post.append(v)
    return par, low, lim, post


def _paint(
    order: np.ndarray,
    start: list[int],
    stop: list[int],
    slack: list[int],
    parent: list[int],
    low: list[int],
    lim: list[int],
    n: int,
) -> list[float]:
    """For every node ``c``: the least slack of the listed edges whose ``start`` end is in the
    subtree of ``c`` and whose ``stop`` end is not (inf if none). Edges are taken in order of
    slack and each paints the tree path up from its start end until the subtree holds its stop
    end; a union-find skips nodes already painted, so every node is painted once."""
    best = [float("inf")] * n
    up = list(range(n + 1))  # union-find: nearest unpainted ancestor-or-self; n = above a root

    def find(x: int) -> int:
        root = x
        while up[root] != root:
            root = up[root]
        while up[x] != root:
            up[x], x = root, up[x]
        return root

    for e in order.tolist():
        b = stop[e]
        lb = lim[b]
        s = slack[e]
        x = find(start[e])
        while x != n and not (low[x] <= lb <= lim[x]):
            best[x] = s
            p = parent[x]
            up[x] = p if p >= 0 else n
            x = find(up[x])
    return best


def refine_layers(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    layer: np.ndarray,
    max_rounds: int = 40,
) -> np.ndarray:
    """Improve a feasible layering (every ``layer[dst] > layer[src]``) towards minimum total span
    by subtree moves; see the module docstring. Returns a layering without empty layers."""
    m = int(src.shape[0])
    rank = np.asarray(layer, dtype=np.int64).copy()
    if n == 0 or m == 0:
        return rank
    src_l, dst_l = src.tolist(), dst.tolist()
    # adj[v]: 2e for an out-edge, 2e + 1 for an in-edge; other[2e] = dst, other[2e + 1] = src.
    adj: list[list[int]] = [[] for _ in range(n)]
    other = [0] * (2 * m)
    for e in range(m):
        u, v = src_l[e], dst_l[e]
        adj[u].append(2 * e)
        adj[v].append(2 * e + 1)
        other[2 * e] = v
        other[2 * e + 1] = u
    net = (np.bincount(src, minlength=n) - np.bincount(dst, minlength=n)).tolist()
    for rnd in range(max_rounds):
        slack_a = rank[dst] - rank[src] - 1
        par, low, lim, post = _tight_forest(n, adj, other, slack_a == 0, reverse=rnd % 2 == 1)
        parent = [-1 if par[v] < 0 else other[par[v] ^ 1] for v in range(n)]
        s_sum = net[:]
        for v in post:
            p = parent[v]
            if p >= 0:
                s_sum[p] += s_sum[v]
        span = int(slack_a.sum())
        gain = _round(
            n, rank, slack_a, par, parent, low, lim, post, s_sum, adj, other, src_l, dst_l
        )
        # The last rounds of a long descent each move a handful of subtrees: stop once a round
        # saves less than 1 % of the dummies left.
        if gain == 0 or gain * 100 < span:
            break
    _, rank = np.unique(rank, return_inverse=True)
    return rank.reshape(-1).astype(np.int64)


def _round(
    n: int,
    rank: np.ndarray,
    slack_a: np.ndarray,
    par: list[int],
    parent: list[int],
    low: list[int],
    lim: list[int],
    post: list[int],
    s_sum: list[int],
    adj: list[list[int]],
    other: list[int],
    src_l: list[int],
    dst_l: list[int],
) -> int:
    """Apply the best disjoint subtree moves of one tight forest; returns the dummies saved."""
    in_tree = np.zeros(slack_a.shape[0], dtype=bool)
    tree_edges = [e2 >> 1 for e2 in par if e2 >= 0]
    in_tree[tree_edges] = True
    free = np.flatnonzero(~in_tree)
    order = free[np.argsort(slack_a[free], kind="stable")]
    slack = slack_a.tolist()
    # Down moves are blocked by edges leaving the subtree, up moves by edges entering it.
    down = _paint(order, src_l, dst_l, slack, parent, low, lim, n)
    upw = _paint(order, dst_l, src_l, slack, parent, low, lim, n)
    # Best gain first, but a move of a big subtree (it blocks every move inside it this round)
    # only after the small ones.
    big = max(n // 8, 1)
    cands: list[tuple[bool, int, int, int]] = []  # (big, minus the gain, root, move)
    for c in range(n):
        s = s_sum[c]
        if s == 0:
            continue
        e2 = par[c]
        # A subtree moves away from its tree parent: down if the parent is above (the tree
        # edge is the parent's out-edge, an even code), up if below; a whole tree either way.
        if s > 0 and (e2 < 0 or not e2 & 1):
            d = down[c]
            if 0 < d < float("inf"):
                cands.append((lim[c] - low[c] >= big, -s * int(d), c, int(d)))
        elif s < 0 and (e2 < 0 or e2 & 1):
            d = upw[c]
            if 0 < d < float("inf"):
                cands.append((lim[c] - low[c] >= big, s * int(d), c, -int(d)))
    if not cands:
        return 0
    cands.sort()
    marks = _Marks(n)
    rank_l = rank.tolist()
    saved = 0
    for _, key, c, d in cands:
        lo, hi = low[c], lim[c]
        if marks.any_in(lo, hi):
            continue
        saved -= key
        for v in post[lo : hi + 1]:
            rank_l[v] += d
            marks.mark(lim[v])
            for e2 in adj[v]:
                # The far end of an edge whose slack this move used up: its own subtree's
                # precomputed room is no longer exact.
                w = other[e2]
                if not lo <= lim[w] <= hi and (e2 & 1) == (d < 0):
                    marks.mark(lim[w])
    rank[:] = rank_l
    return saved
