"""Where every activation lives in the one static buffer, decided at generation time.

Each activation tensor is live from the op that writes it to the last op that reads it (graph
inputs from the start, graph outputs to the end). RESHAPE / EXPAND_DIMS / SQUEEZE move no bytes,
so their output is the same buffer as their input (one lifetime for both). Buffers are placed
largest first at the lowest offset that does not collide with any already placed buffer whose
lifetime overlaps (the greedy strategy TFLM's own planner uses); buffers that are never live
together share bytes.
"""
from __future__ import annotations

from dataclasses import dataclass

from .graph import Graph

ALIAS_OPS = ("RESHAPE", "EXPAND_DIMS", "SQUEEZE")
ALIGN = 8


@dataclass
class Buffer:
    tensors: list[int]      # tensors sharing these bytes (a tensor and its reshapes)
    size: int
    first: int              # first op index at which it is live (-1: before the first op)
    last: int               # last op index at which it is read (len(ops): after the last op)
    offset: int = -1


@dataclass
class Plan:
    buffers: list[Buffer]
    offset_of: dict[int, int]   # tensor index -> byte offset in the arena
    arena_bytes: int

    def naive_bytes(self) -> int:
        """What one buffer per activation (no sharing) would take: the plan's saving is against this."""
        return sum(_aligned(b.size) for b in self.buffers)


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def is_activation(graph: Graph, index: int) -> bool:
    return index >= 0 and graph.tensors[index].data is None


def plan_memory(graph: Graph) -> Plan:
    # Union tensors that are the same bytes (aliasing ops).
    root = {}

    def find(t):
        while root.get(t, t) != t:
            t = root[t]
        return t

    for op in graph.ops:
        if op.kind in ALIAS_OPS:
            root[find(op.outputs[0])] = find(op.inputs[0])

    end = len(graph.ops)
    spans: dict[int, list] = {}

    def touch(tensor: int, at: int):
        r = find(tensor)
        span = spans.setdefault(r, [at, at, set()])
        span[0], span[1] = min(span[0], at), max(span[1], at)
        span[2].add(tensor)

    for t in graph.inputs:
        touch(t, -1)
    for op in graph.ops:
        for t in op.inputs + op.outputs:
            if is_activation(graph, t):
                touch(t, op.index)
    for t in graph.outputs:
        touch(t, end)

    buffers = [Buffer(sorted(members), max(graph.tensors[m].nbytes for m in members), first, last)
               for first, last, members in spans.values()]
    placed: list[Buffer] = []
    for buf in sorted(buffers, key=lambda b: (-b.size, b.first, b.tensors[0])):
        offset = 0
        clashes = sorted((p for p in placed if p.first <= buf.last and buf.first <= p.last), key=lambda p: p.offset)
        for other in clashes:
            if offset + buf.size <= other.offset:
                break
            offset = max(offset, _aligned(other.offset + other.size))
        buf.offset = offset
        placed.append(buf)
    offset_of = {t: b.offset for b in buffers for t in b.tensors}
    arena = _aligned(max((b.offset + b.size for b in buffers), default=0))
    return Plan(sorted(buffers, key=lambda b: b.offset), offset_of, arena)
