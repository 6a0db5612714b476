"""The keyframes' persistent chunk map: every version keeps its contents; updates share nodes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from visgrad.trace.chunk_map import WIDTH, ChunkMap

keys = st.integers(min_value=-(10**6), max_value=10**6)
batches = st.lists(st.dictionaries(keys, st.integers(), max_size=40), max_size=12)


@settings(max_examples=200, deadline=None)
@given(batches)
def test_every_version_keeps_what_it_held(batches: list[dict[int, int]]) -> None:
    """A sequence of updates: each version reads as the dict it models, before and after the
    later updates (nothing is changed in place)."""
    versions: list[tuple[ChunkMap[int], dict[int, int]]] = [(ChunkMap(), {})]
    for changes in batches:
        m, d = versions[-1]
        versions.append((m.updated(changes), {**d, **changes}))
    for m, d in versions:
        assert len(m) == len(d)
        assert m.sorted_items() == sorted(d.items())
        for k, v in d.items():
            assert m.get(k) == v
        for k in (min(d, default=0) - 1, max(d, default=0) + 1, 10**9, -(10**9)):
            if k not in d:
                assert m.get(k) is None
                assert m.get(k, -7) == -7


def test_an_update_copies_only_the_path_it_changes() -> None:
    """Setting one key of a map of 4,096 shares every other leaf node with the old map."""
    big = ChunkMap[int]().updated({i: i for i in range(4096)})
    small = big.updated({5: -5})
    assert small.get(5) == -5 and big.get(5) == 5 and len(small) == len(big) == 4096

    def leaves(m: ChunkMap[int]) -> list[list[object]]:
        out: list[list[object]] = []
        stack = [(m._root, m._depth)]
        while stack:
            node, depth = stack.pop()
            assert isinstance(node, list)
            if depth == 1:
                out.append(node)
            else:
                stack.extend((c, depth - 1) for c in node if c is not None)
        return out

    old, new = leaves(big), leaves(small)
    assert len(old) == len(new) == 2 * 4096 // WIDTH  # zigzag: keys 0..4095 -> 0..8190
    shared = {id(n) for n in old} & {id(n) for n in new}
    assert len(shared) == len(old) - 1
