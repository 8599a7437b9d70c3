"""Which IMU placements matter: every subset of placements trained and scored the same way.

Each combination is an experiment of its own under `<out>/combos/<name>/` (`.../seed-K/` for each
of several seeds), its runs jobs of one grid (grid.py: finished ones are not recomputed, and they
run in local processes or on Ray), then ranked overall and per joint; with several seeds every
figure is a mean over seeds and its sd is the seed noise. The seed paper found femur + calcaneus
the best pair.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

from .data.atomic import write_text_atomic

PLACEMENTS = ("pelvis", "femur", "tibia", "calcn")


def combinations(placements=PLACEMENTS, smallest: int = 1, largest: int = 4) -> list[tuple]:
    return [c for k in range(smallest, min(largest, len(placements)) + 1)
            for c in itertools.combinations(placements, k)]


def available_placements(dataset: Path, side: str) -> tuple:
    """Placements whose IMU (on `side`) every recording of the data set has: a study that wore
    only some sensors is analysed over those."""
    from .data.store import Dataset
    from .windows import placement_segments

    entries = Dataset(dataset).entries
    return tuple(p for p in PLACEMENTS
                 if all(set(placement_segments((p,), side)) <= set(e["segments"]) for e in entries))


def combo_name(combo) -> str:
    return "+".join(combo)


def run_combos(dataset: Path, out: Path, base_config, approach: str = "single-user", subjects=(),
               smallest: int = 1, largest: int = 4, seeds=None, runner=None) -> tuple[dict, dict]:
    """Every IMU subset as jobs of one grid (grid.py), then the ranking; returns (ranking, grid report).
    `runner(dataset, grid)` runs the grid (default: grid.run_grid on 2 local processes).
    A subset with a failed job is left out of the ranking (the report names the job and its error)."""
    from .data.store import Dataset
    from .grid import combo_grid, run_grid

    out = Path(out)
    placements = available_placements(dataset, base_config.side)
    if not placements:
        raise ValueError(f"{dataset}: no IMU placement is present in every recording (side {base_config.side})")
    todo = combinations(placements, smallest, largest)
    seeds = list(seeds or [base_config.fit.seed])
    subjects = list(subjects) or Dataset(dataset).subjects
    grid = combo_grid(out, approach, subjects, todo, base_config, seeds)
    report = (runner or run_grid)(dataset, grid)
    results = {}
    incomplete = {job["id"].split("/")[1] for job in report["jobs"] if job["status"] != "done"}
    for combo in todo:
        summary = _summary(out / "combos" / combo_name(combo))
        if approach in summary and combo_name(combo) not in incomplete:
            s = summary[approach]
            results[combo_name(combo)] = {
                "placements": list(combo), "approach": approach, "subjects": s["subjects"],
                "seeds": s.get("seeds", seeds), "mean_rmse_deg": s["mean_rmse_deg"],
                "joints": {j: v["rmse_deg"] for j, v in s["joints"].items()}}
    ranking = rank(results)
    write_text_atomic(out / "combos.json", json.dumps(ranking, indent=1))
    write_text_atomic(out / "combos.md", ranking_table(ranking))
    return ranking, report


def _summary(folder: Path) -> dict:
    path = folder / "results.json"
    return json.loads(path.read_text())["summary"] if path.exists() else {}


def rank(results: dict) -> dict:
    overall = sorted(results, key=lambda name: results[name]["mean_rmse_deg"]["mean"])
    joints = next(iter(results.values()))["joints"].keys() if results else []
    per_joint = {j: sorted(results, key=lambda name: results[name]["joints"][j]["mean"]) for j in joints}
    pairs = [name for name in overall if len(results[name]["placements"]) == 2]
    return {"results": results, "overall": overall, "per_joint": per_joint, "best_pair": pairs[0] if pairs else None}


def ranking_table(ranking: dict) -> str:
    results = ranking["results"]
    joints = list(ranking["per_joint"])
    seeds = max((len(r.get("seeds", [0])) for r in results.values()), default=1)
    spread = f"sd over {seeds} seeds" if seeds > 1 else "sd over subjects"
    lines = ["| rank | IMUs | n | mean RMSE (deg) | " + " | ".join(joints) + " |",
             "|" + "---|" * (4 + len(joints))]
    for i, name in enumerate(ranking["overall"], start=1):
        r = results[name]
        cells = [f"{r['joints'][j]['mean']:.2f} ± {r['joints'][j]['sd']:.2f}" for j in joints]
        mean = r["mean_rmse_deg"]
        lines.append(f"| {i} | {name} | {len(r['placements'])} | {mean['mean']:.2f} ± {mean['sd']:.2f} | "
                     + " | ".join(cells) + " |")
    lines.append(f"\nRMSE in degrees, mean ± {spread}.")
    if ranking.get("best_pair"):
        lines.append(f"\nBest pair: {ranking['best_pair']} (the seed paper: femur+calcn).")
    return "\n".join(lines) + "\n"

