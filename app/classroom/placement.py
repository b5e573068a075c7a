"""Where the step-through puts each connection's value box: somewhere along its own line, clear of
the neurons, of the neurons' boxes and of the boxes placed before it. A small greedy search: the
connections with the fewest free spots go first, each takes the free spot nearest the point the
canvas would label it at. Plain tuples (x1, y1, x2, y2), so a stage's layout costs milliseconds."""
from __future__ import annotations

import random
from dataclasses import dataclass

Rect = tuple[float, float, float, float]

# fractions along the line; the two ends are inside the neurons
T_STEPS = [0.06 + 0.02 * k for k in range(45)]
# the box may slide across its line by up to this share of its height: the line still runs through it
SHIFTS = [0.0, -0.2, 0.2, -0.4, 0.4]
GAP = 1.5  # boxes closer than this read as one
RETRIES = 40


@dataclass
class Wanted:
    key: object
    p1: tuple[float, float]
    p2: tuple[float, float]
    width: float
    height: float
    t_pref: float


def overlap(a: Rect, b: Rect) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _box_at(w: Wanted, t: float, shift: float) -> Rect:
    x = w.p1[0] + (w.p2[0] - w.p1[0]) * t
    y = w.p1[1] + (w.p2[1] - w.p1[1]) * t + shift * w.height
    return (x - w.width / 2, y - w.height / 2, x + w.width / 2, y + w.height / 2)


def _candidates(w: Wanted) -> list[Rect]:
    spots = sorted(((abs(t - w.t_pref) + 0.05 * abs(s), t, s) for t in T_STEPS for s in SHIFTS))
    return [_box_at(w, t, s) for _, t, s in spots]


def _grown(r: Rect) -> Rect:
    return (r[0] - GAP, r[1] - GAP, r[2] + GAP, r[3] + GAP)


def _greedy(order: list[Wanted], pools) -> tuple[float, dict[object, Rect]]:
    taken: list[Rect] = []
    out: dict[object, Rect] = {}
    total = 0.0
    for w in order:
        best, best_cost = None, None
        for c, fixed_cost in pools[id(w)]:
            cost = fixed_cost + sum(overlap(c, o) for o in taken)
            if cost == 0.0:
                best, best_cost = c, 0.0
                break
            if best_cost is None or cost < best_cost:
                best, best_cost = c, cost
        out[w.key] = best
        total += best_cost
        taken.append(_grown(best))
    return total, out


def place(wanted: list[Wanted], obstacles: list[Rect]) -> dict[object, Rect]:
    """A box per wanted connection; free of every obstacle and of each other where the room allows,
    else the spots overlapping least. The connections with the fewest free spots go first; if
    that order leaves an overlap, a few other orders are tried (seeded: the same every time)."""
    fixed = [_grown(o) for o in obstacles]
    pools = {}
    for w in wanted:
        scored = [(c, sum(overlap(c, o) for o in fixed)) for c in _candidates(w)]
        free = [(c, cost) for c, cost in scored if cost == 0.0]
        # spots clear of neurons and their boxes; only if there is none, the least covering ones
        pools[id(w)] = free or sorted(scored, key=lambda cc: cc[1])[:12]
    order = sorted(wanted, key=lambda w: len(pools[id(w)]))
    best_total, best = _greedy(order, pools)
    rng = random.Random(0)
    for _ in range(RETRIES if best_total > 0 else 0):
        rng.shuffle(order)
        total, out = _greedy(order, pools)
        if total < best_total:
            best_total, best = total, out
            if total == 0:
                break
    return best
