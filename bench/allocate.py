"""Time a province's allocation against evaluating its communes' cheapest paths, in one run.

    .venv/bin/python bench/allocate.py [--communes 150] [--seed 1] [--repeat 5]

No database: a synthetic province of N communes in 10 districts, each with 19 criteria of which
8–18 are met; every open criterion has 1–3 open indicators, each with 0–2 ways to close it
(50 triệu – 3 tỷ; 3% of indicators have no known cost, so some communes cannot reach the
standard). It times, as the median of ``--repeat`` runs:

  (a) evaluation: ``cheapest_path`` to 19/19 for every commune (what ``allocation_for`` solves
      per commune once the five queries have read the results and costs);
  (b) allocation: ``allocate`` over those paths with a budget of a third of what funding every
      reachable commune would cost, most communes at the standard, then again with a floor of
      2 communes per district;

and prints (b) against (a) as a ratio, with the communes chosen.
"""

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ntm.decisions.optimise import Candidate, Gap, allocate, cheapest_path

CRITERIA = 19


def province(n: int, rng: random.Random) -> list[tuple[str, str, int, list[Gap]]]:
    communes = []
    for k in range(n):
        met = rng.randint(8, 18)
        gaps = []
        for number in rng.sample(range(1, CRITERIA + 1), CRITERIA - met):
            for i in range(rng.randint(1, 3)):
                code = f"{number}.{i + 1}"
                ways = 0 if rng.random() < 0.03 else rng.randint(1, 2)
                if ways == 0:
                    gaps.append(Gap(code, number, Decimal(0), closes=False))
                for _ in range(ways):
                    cost = Decimal(rng.randint(50, 3000)) * 10**6
                    gaps.append(Gap(code, number, cost))
        communes.append((f"{k:05d}", f"D{k % 10}", met, gaps))
    return communes


def timed(call, repeat: int):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    communes = province(args.communes, random.Random(args.seed))
    cheapest_path([Gap("1.1", 1, Decimal(1))], 1)  # HiGHS loaded before timing

    def evaluate() -> list[Candidate]:
        found = []
        for code, group, met, gaps in communes:
            path = cheapest_path(gaps, CRITERIA, met=met)
            cost = path.cost if path.feasible else None
            found.append(Candidate(code, met, CRITERIA, cost, group))
        return found

    evaluation, candidates = timed(evaluate, args.repeat)
    reachable = [c for c in candidates if c.cost is not None]
    budget = sum((c.cost for c in reachable), Decimal(0)) / 3
    budget = budget.quantize(Decimal(1))
    solve, plain = timed(lambda: allocate(candidates, budget), args.repeat)
    floors = {f"D{d}": 2 for d in range(10)}
    floored_time, floored = timed(lambda: allocate(candidates, budget, floors=floors), args.repeat)
    gaps = sum(len(g) for *_rest, g in communes)
    print(f"communes: {len(communes)} ({gaps} gaps), reachable: {len(reachable)}")
    print(f"budget: {budget} VND (a third of funding every reachable commune)")
    print(f"(a) evaluation, cheapest path of every commune: {evaluation * 1000:.1f} ms")
    print(
        f"(b) allocation: {solve * 1000:.1f} ms = {solve / evaluation:.3f}× (a); "
        f"{len(plain.chosen)} communes funded, {plain.cost} VND"
    )
    print(
        f"    with 2 per district: {floored_time * 1000:.1f} ms = "
        f"{floored_time / evaluation:.3f}× (a); {len(floored.chosen)} funded, "
        f"feasible: {floored.feasible}"
    )


if __name__ == "__main__":
    main()
