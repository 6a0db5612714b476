"""Module groups: the ``nn.Module`` calls a graph's nodes ran under, as a tree to collapse and open.

``build_tree(graph)`` reads the ``module`` / ``module_classes`` attributes ``graph_at`` gives every
node (the path the events carry) and nothing else, so it is a function of the graph alone:

* A **group** is one call of a module. Its key names the call: ``g:GPT/blocks/0/attn`` (the model
  ``GPT``, its ``blocks`` list, block ``0``, its ``attn``); a second call of the same module under
  the same parent call is ``.../cell#2``. A call ends when an op runs outside it, so a module
  called in a loop gives one group per iteration (two calls with no op between them stay one).
  Containers that are never called themselves (``ModuleList``, ``ModuleDict``) are one group per
  parent call however their children are called.
* An op belongs to the innermost call it ran under, a tensor to the op that made it. A leaf made
  inside a call belongs to that call; a parameter (made when the model was built, outside every
  call) to the innermost call holding all its consumers, and so does a tensor no event made
  (the engine's own, known only from its use); any other leaf to no group.
* **Folds**: a run of two or more consecutive sibling groups of the same class and structure (ops,
  shapes and sub-modules alike: ``blocks.0..3``, or a loop's calls) becomes one group marked xN
  whose children are the run. When the run is all a group holds (``blocks`` is just its four
  blocks), the group itself carries the xN instead of a fold inside it.

Every edge is filed under the deepest group holding both its ends, so the graph of a mostly
collapsed view is made from the few edges filed under open groups (:mod:`visgrad.graph.grouped`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from visgrad.trace.keys import GROUP_PREFIX as GROUP_PREFIX  # re-exported for the views
from visgrad.trace.keys import GraphKey
from visgrad.trace.keys import is_group as is_group

# Containers that hold modules but are never called: their children's calls share them.
UNCALLED = frozenset({"ModuleList", "ModuleDict", "ParameterList", "ParameterDict"})
MAX_PERIOD = 4  # the most module calls per loop turn that folding looks for

Edge = tuple[str, str]


@dataclass(slots=True)
class Group:
    """One module call (or a fold of identical sibling calls) and what it holds."""

    key: str
    path: str  # the module path ("blocks.0.attn"; "" for the model); a fold's: "blocks.0–3"
    cls: str  # the module's class name; a fold's: its calls' class
    parent: str | None  # the enclosing group's key (None at the top)
    first: int  # graph index of its first node: siblings are ordered by it
    children: list[str] = field(default_factory=list)  # groups directly inside, in order
    members: list[str] = field(default_factory=list)  # nodes directly inside, in graph order
    fold: bool = False  # made by folding (not a module call of its own)
    repeat: int = 1  # a fold's run length, or a group holding nothing but such a run
    repeat_cls: str = ""  # the class of the repeated children
    size: int = 0  # nodes in it, nested groups included
    params: int = 0  # parameter elements in it
    signature: int = 0  # equal for groups of identical structure (within one process)
    depth: int = 0  # 0 at the top
    chain: tuple[str, ...] = ()  # keys of its ancestors from the top, then its own
    title: str = ""  # a loop turn's name ("MLP + BCEWithLogitsLoss"), instead of path and class

    @property
    def name(self) -> str:
        """The last part of its path (``attn``), or the class for the model itself."""
        if self.title:
            return self.title
        if not self.path:
            return self.cls
        return self.path.rsplit(".", 1)[-1] if not self.fold else self.path

    @property
    def label(self) -> str:
        """``attn · CausalSelfAttention``; ``blocks · Block ×4`` for a repeat."""
        if self.repeat > 1:
            if self.title or not self.path:  # calls of whole models: a training loop's turns
                return f"{self.name} ×{self.repeat}"
            return f"{self.name} · {self.repeat_cls} ×{self.repeat}"
        return self.name if self.title or not self.path else f"{self.name} · {self.cls}"


@dataclass
class ModuleTree:
    """The groups of one graph, which node is in which, and its edges filed by group."""

    groups: dict[str, Group] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)  # node -> innermost group (none: top)
    top: list[str] = field(default_factory=list)  # groups at the top, in order
    top_members: list[str] = field(default_factory=list)  # nodes in no group, in graph order
    index: dict[str, int] = field(default_factory=dict)  # node -> its position in graph order
    # Edges by the deepest group holding both ends (None: the top level).
    edges_at: dict[str | None, list[Edge]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def children_of(self, key: str | None) -> list[str]:
        """The groups directly inside ``key`` (the top level for None)."""
        return self.top if key is None else self.groups[key].children

    def members_of(self, key: str | None) -> list[str]:
        """The nodes directly inside ``key`` (the top level for None)."""
        return self.top_members if key is None else self.groups[key].members

    def chain_of(self, node: str) -> tuple[str, ...]:
        """Keys of the groups holding ``node``, outermost first (empty for a node in none)."""
        owner = self.owner.get(node)
        return self.groups[owner].chain if owner is not None else ()

    def path_of(self, key: str) -> str:
        """The module path of a node or group ("" outside every module)."""
        g = self.groups.get(key) if is_group(key) else None
        if g is None:
            owner = self.owner.get(key)
            g = self.groups.get(owner) if owner is not None else None
        while g is not None and g.fold:
            g = self.groups[g.children[0]]
        return g.path if g is not None else ""


def build_tree(graph: nx.DiGraph[GraphKey]) -> ModuleTree:
    """The module groups of ``graph`` (a ``graph_at`` graph: nodes in the order they were made)."""
    tree = ModuleTree()
    nodes = list(graph.nodes)
    tree.index = {k: i for i, k in enumerate(nodes)}
    _assign_calls(tree, graph, nodes)
    _assign_rest(tree, graph, nodes)
    for key in nodes:
        owner = tree.owner.get(key)
        (tree.top_members if owner is None else tree.groups[owner].members).append(key)
    _measure(tree, graph)
    tree.top = _fold(tree, None, tree.top)
    for g in list(tree.groups.values()):
        if not g.fold:
            g.children = _fold(tree, g.key, g.children)
    _set_depths(tree)
    _file_edges(tree, graph)
    return tree


def _call_chain(classes: tuple[str, ...], path: str) -> list[tuple[str, str, str]]:
    """(path, segment, class) of each module call along ``path``, outermost (the model) first."""
    segs = path.split(".") if path else []
    n = min(len(classes), len(segs) + 1)  # a malformed pair gives the part both agree on
    out = [("", classes[0], classes[0])] if n else []
    for d in range(1, n):
        out.append((".".join(segs[:d]), segs[d - 1], classes[d]))
    return out


def _assign_calls(tree: ModuleTree, graph: nx.DiGraph[GraphKey], nodes: list[str]) -> None:
    """Groups for every module call, and the owner of every node that names its module."""
    attrs = graph.nodes
    groups = tree.groups
    open_chain: list[str] = []  # the calls the latest op ran under, outermost first
    calls: dict[tuple[str | None, str, str], int] = {}  # (parent, path, class) -> calls so far
    latest: dict[tuple[str | None, str], str] = {}  # (parent call, path) -> its latest call
    for i, key in enumerate(nodes):
        a = attrs[key]
        classes = a.get("module_classes") or ()
        if not classes:
            if key[0] == "f":
                open_chain = []  # an op outside every module: every call has returned
            continue
        if key[0] == "t" and graph.pred[key]:
            continue  # an op's output: its producer decides
        chain: list[str] = []
        parent: str | None = None
        for d, (path, seg, cls) in enumerate(_call_chain(tuple(classes), a.get("module") or "")):
            still = groups[open_chain[d]] if d < len(open_chain) else None
            if still is not None and still.path == path and still.cls == cls:
                k = still.key  # still inside that call
            elif cls in UNCALLED and (parent, path) in latest:
                k = latest[(parent, path)]
            else:
                n = calls.get((parent, path, cls), 0) + 1
                calls[(parent, path, cls)] = n
                name = seg if n == 1 else f"{seg}#{n}"
                k = f"{GROUP_PREFIX}{name}" if parent is None else f"{parent}/{name}"
                groups[k] = Group(k, path, cls, parent, i)
                tree.children_of(parent).append(k)
                latest[(parent, path)] = k
            chain.append(k)
            parent = k
        open_chain = chain
        tree.owner[key] = chain[-1]


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> str | None:
    """The deepest key two ancestor chains share (None: only the top level)."""
    last = None
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        last = x
    return last


def _assign_rest(tree: ModuleTree, graph: nx.DiGraph[GraphKey], nodes: list[str]) -> None:
    """Owners of op outputs (their producer's) and of parameters (their consumers' common call)."""
    owner, attrs = tree.owner, graph.nodes
    chains: dict[str, tuple[str, ...]] = {}

    def chain(k: str) -> tuple[str, ...]:
        c = chains.get(k)
        if c is None:
            parent = tree.groups[k].parent
            c = chains[k] = (*chain(parent), k) if parent else (k,)
        return c

    for key in nodes:
        if key[0] != "t" or key in owner:
            continue
        pred = graph.pred[key]
        if pred:
            producer = next(iter(pred))
            if producer in owner:
                owner[key] = owner[producer]
        elif attrs[key].get("role") == "parameter" or not attrs[key].get("file"):
            # A parameter, or a tensor no event made (the engine's own, like attention's mask):
            # it goes with the ops that read it. A tensor the program made stays out.
            consumers = graph.succ[key]
            owners = [owner[c] for c in consumers if c in owner]
            if consumers and len(owners) == len(consumers):
                common: tuple[str, ...] = chain(owners[0])
                for c in owners[1:]:
                    k = _common(common, chain(c))
                    common = chain(k) if k is not None else ()
                if common:
                    owner[key] = common[-1]


def _node_signature(a: dict[str, Any]) -> tuple[Any, ...]:
    if a.get("kind") == "function":
        return ("f", a.get("grad_fn") or a.get("op") or a.get("name"), a.get("role"))
    return ("t", a.get("role"), tuple(a.get("shape") or ()))


def _measure(tree: ModuleTree, graph: nx.DiGraph[GraphKey]) -> None:
    """Sizes, parameter counts and structure signatures, innermost groups first."""
    attrs = graph.nodes
    for g in reversed(list(tree.groups.values())):  # children were made after their parents
        g.size += len(g.members)
        for k in g.members:
            a = attrs[k]
            if a.get("role") == "parameter":
                g.params += math.prod(a.get("shape") or ())
        members = tuple(_node_signature(attrs[k]) for k in g.members)
        kids = tuple(tree.groups[c].signature for c in g.children)
        g.signature = hash((g.cls, members, kids))
        if g.parent is not None:
            p = tree.groups[g.parent]
            p.size += g.size
            p.params += g.params


def _fold(tree: ModuleTree, parent: str | None, children: list[str]) -> list[str]:
    """``children`` with each run of identical siblings replaced by a fold (see the docstring)."""
    groups = tree.groups
    sigs = [(groups[c].cls, groups[c].signature) for c in children]
    n = len(children)
    out: list[str] = []
    i = 0
    while i < n:
        period, times = _repeat_at(sigs, i)
        if times < 2:
            out.append(children[i])
            i += 1
            continue
        run = children[i : i + period * times]
        i += period * times
        if period == 1 and parent is not None and len(run) == n and not groups[parent].members:
            holder = groups[parent]
            holder.repeat, holder.repeat_cls = times, groups[run[0]].cls
            out.extend(run)
        elif period == 1:
            out.append(_make_fold(tree, parent, run))
        else:  # a loop calling several modules: one step group per turn, then their fold
            steps = [
                _make_step(tree, run[j : j + period], j // period + 1)
                for j in range(0, len(run), period)
            ]
            out.append(_make_fold(tree, parent, steps))
            groups[out[-1]].title = groups[steps[0]].cls
    return out


def _repeat_at(sigs: list[tuple[str, int]], i: int) -> tuple[int, int]:
    """(period, times) of the longest run of a repeated sequence of siblings starting at ``i``."""
    best = (1, 1)
    for p in range(1, min(MAX_PERIOD, (len(sigs) - i) // 2) + 1):
        k = 1
        while sigs[i + k * p : i + (k + 1) * p] == sigs[i : i + p]:
            k += 1
        if k >= 2 and k * p > best[0] * best[1]:
            best = (p, k)
    return best


def _make_step(tree: ModuleTree, calls: list[str], turn: int) -> str:
    """A group for one turn of a loop that calls several modules (``model`` then ``loss_fn``)."""
    groups = tree.groups
    first = groups[calls[0]]
    cls = " + ".join(groups[c].cls for c in calls)
    key = first.key + "+"
    step = Group(key, first.path, cls, first.parent, first.first, children=list(calls), fold=True)
    step.title = f"{cls} · {turn}"
    step.signature = hash(tuple(groups[c].signature for c in calls))
    for k in calls:
        groups[k].parent = key
        step.size += groups[k].size
        step.params += groups[k].params
    groups[key] = step
    return key


def _make_fold(tree: ModuleTree, parent: str | None, run: list[str]) -> str:
    groups = tree.groups
    first, last = groups[run[0]], groups[run[-1]]
    if first.path == last.path:
        path = first.path  # calls of one module in a loop
    else:
        path = f"{first.path}–{last.path.rsplit('.', 1)[-1]}"
    key = first.key + "×"
    fold = Group(key, path, first.cls, parent, first.first, children=list(run), fold=True)
    fold.repeat, fold.repeat_cls = len(run), first.cls
    fold.title = first.title
    fold.signature = first.signature
    for k in run:
        groups[k].parent = key
        fold.size += groups[k].size
        fold.params += groups[k].params
    groups[key] = fold
    return key


def _set_depths(tree: ModuleTree) -> None:
    todo: list[tuple[str, int, tuple[str, ...]]] = [(k, 0, ()) for k in reversed(tree.top)]
    while todo:
        key, depth, above = todo.pop()
        g = tree.groups[key]
        g.depth, g.chain = depth, (*above, key)
        todo.extend((c, depth + 1, g.chain) for c in reversed(g.children))


def _file_edges(tree: ModuleTree, graph: nx.DiGraph[GraphKey]) -> None:
    owner, groups = tree.owner, tree.groups
    edges_at: dict[str | None, list[Edge]] = {}
    for u, v in graph.edges:
        ou, ov = owner.get(u), owner.get(v)
        if ou == ov:
            at = ou
        elif ou is None or ov is None:
            at = None
        else:
            at = _common(groups[ou].chain, groups[ov].chain)
        edges_at.setdefault(at, []).append((u, v))
    tree.edges_at = edges_at


def auto_expanded(tree: ModuleTree, budget: int) -> set[str]:
    """The groups to open so the view shows at most about ``budget`` nodes.

    Opens whole levels, outermost first, while the count stays within ``budget``; the model
    itself and its top-level modules always show (so a huge graph opens on its top-level
    modules). A repeat (xN) opens only when everything fits: its copies add nothing to read.
    """
    total = len(tree.top_members) + sum(tree.groups[k].size for k in tree.top)
    if total <= budget:
        return set(tree.groups)
    opened: set[str] = set()
    frontier = list(tree.top)
    count = len(tree.top_members) + len(frontier)
    depth = 0
    while frontier:
        openable = [k for k in frontier if tree.groups[k].repeat == 1]
        grown = count + sum(
            len(tree.groups[k].members) + len(tree.groups[k].children) - 1 for k in openable
        )
        if depth >= 1 and grown > budget:
            break
        opened.update(openable)
        count = grown
        frontier = [c for k in openable for c in tree.groups[k].children]
        depth += 1
    return opened
