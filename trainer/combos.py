"""Which IMU placements matter: every subset of placements trained and scored the same way.

Each combination is an experiment of its own under `<out>/combos/<name>/` (so finished ones are
not recomputed when the analysis is run again), run in parallel worker processes, then ranked
overall and per joint. The seed paper found femur + calcaneus the best pair.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
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


def _worker_init():
    # One TensorFlow thread per worker: `--jobs` processes then share the cores without fighting.
    os.environ["KINEDGE_TF_THREADS"] = "1"


def _run_one(dataset: str, out: str, config_json: dict, approach: str, subjects: list) -> dict:
    from .approaches import ExperimentConfig
    from .experiment import Experiment
    from .results import collect

    config = ExperimentConfig.from_json(config_json)
    experiment = Experiment(Path(dataset), Path(out), config)
    experiment.run([approach], subjects or experiment.dataset.subjects)
    summary = collect(Path(out))[approach]
    return {"placements": list(config.placements), "approach": approach, "subjects": summary["subjects"],
            "mean_rmse_deg": summary["mean_rmse_deg"],
            "joints": {j: v["rmse_deg"] for j, v in summary["joints"].items()}}


def run_combos(dataset: Path, out: Path, base_config, approach: str = "single-user", subjects=(),
               smallest: int = 1, largest: int = 4, jobs: int = 1, on_done=None) -> dict:
    out = Path(out)
    placements = available_placements(dataset, base_config.side)
    if not placements:
        raise ValueError(f"{dataset}: no IMU placement is present in every recording (side {base_config.side})")
    todo = combinations(placements, smallest, largest)
    results = {}
    args = [(str(dataset), str(out / "combos" / combo_name(c)),
             dataclasses.replace(base_config, placements=tuple(c)).to_json(), approach, list(subjects))
            for c in todo]
    if jobs > 1:
        context = multiprocessing.get_context("spawn")  # TensorFlow does not survive fork
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init) as pool:
            futures = {pool.submit(_run_one, *a): combo_name(c) for a, c in zip(args, todo)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if on_done:
                    on_done(futures[future])
    else:
        for a, c in zip(args, todo):
            results[combo_name(c)] = _run_one(*a)
            if on_done:
                on_done(combo_name(c))
    ranking = rank(results)
    write_text_atomic(out / "combos.json", json.dumps(ranking, indent=1))
    write_text_atomic(out / "combos.md", ranking_table(ranking))
    return ranking


def rank(results: dict) -> dict:
    overall = sorted(results, key=lambda name: results[name]["mean_rmse_deg"]["mean"])
    joints = next(iter(results.values()))["joints"].keys() if results else []
    per_joint = {j: sorted(results, key=lambda name: results[name]["joints"][j]["mean"]) for j in joints}
    pairs = [name for name in overall if len(results[name]["placements"]) == 2]
    return {"results": results, "overall": overall, "per_joint": per_joint, "best_pair": pairs[0] if pairs else None}


def ranking_table(ranking: dict) -> str:
    results = ranking["results"]
    joints = list(ranking["per_joint"])
    lines = ["| rank | IMUs | n | mean RMSE (deg) | " + " | ".join(joints) + " |",
             "|" + "---|" * (4 + len(joints))]
    for i, name in enumerate(ranking["overall"], start=1):
        r = results[name]
        cells = [f"{r['joints'][j]['mean']:.2f}" for j in joints]
        lines.append(f"| {i} | {name} | {len(r['placements'])} | {r['mean_rmse_deg']['mean']:.2f} | " + " | ".join(cells) + " |")
    if ranking.get("best_pair"):
        lines.append(f"\nBest pair: {ranking['best_pair']} (the seed paper: femur+calcn).")
    return "\n".join(lines) + "\n"

