"""Summaries of a results folder: per approach, subject and joint, then mean ± sd over subjects."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .data.atomic import write_text_atomic

# Order in every table: learned approaches from most to least personal data, then the baseline.
APPROACH_ORDER = ("single-user", "transfer-full", "transfer-head", "multi-user", "baseline-offset", "baseline")
# The sagittal mean (hip flexion, knee, ankle) is the project's headline figure.
SAGITTAL = ("hip_flexion", "knee_angle", "ankle_angle")


def load_runs(out: Path) -> pd.DataFrame:
    rows = []
    for path in sorted(Path(out).glob("runs/*/*.json")):
        run = json.loads(path.read_text())
        for joint, m in run["metrics"].items():
            rows.append({"approach": run["approach"], "subject": run["subject"], "joint": joint, **m})
    return pd.DataFrame(rows, columns=["approach", "subject", "joint", "rmse_deg", "nrmse_pct", "r"])


def _order(approaches) -> list:
    known = [a for a in APPROACH_ORDER if a in set(approaches)]
    return known + sorted(set(approaches) - set(known))


def summarise(runs: pd.DataFrame) -> dict:
    summary = {}
    for approach in _order(runs["approach"].unique()):
        rows = runs[runs["approach"] == approach]
        per_joint = {}
        for joint, g in rows.groupby("joint", sort=False):
            per_joint[joint] = {k: {"mean": float(g[k].mean()), "sd": float(g[k].std(ddof=0))}
                                for k in ("rmse_deg", "nrmse_pct", "r")}
        per_subject = rows.groupby("subject")["rmse_deg"].mean()
        sagittal = rows[rows["joint"].str.rsplit("_", n=1).str[0].isin(SAGITTAL)].groupby("subject")["rmse_deg"].mean()
        summary[approach] = {"subjects": sorted(rows["subject"].unique()), "joints": per_joint,
                             "mean_rmse_deg": {"mean": float(per_subject.mean()), "sd": float(per_subject.std(ddof=0))},
                             "sagittal_rmse_deg": {"mean": float(sagittal.mean()), "sd": float(sagittal.std(ddof=0))}}
    return summary


def markdown_table(summary: dict) -> str:
    joints = list(next(iter(summary.values()))["joints"]) if summary else []
    header = "| approach | subjects | sagittal RMSE (deg) | mean RMSE (deg) | " + " | ".join(joints) + " |"
    lines = [header, "|" + "---|" * (4 + len(joints))]
    for approach, s in summary.items():
        cells = [f"{s['joints'][j]['rmse_deg']['mean']:.2f} ± {s['joints'][j]['rmse_deg']['sd']:.2f}"
                 if j in s["joints"] else "–" for j in joints]
        mean, sagittal = s["mean_rmse_deg"], s["sagittal_rmse_deg"]
        lines.append(f"| {approach} | {len(s['subjects'])} | {sagittal['mean']:.2f} ± {sagittal['sd']:.2f} | "
                     f"{mean['mean']:.2f} ± {mean['sd']:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def collect(out: Path) -> dict:
    """Rebuild results.json, results.csv and results.md from the runs present in `out`."""
    out = Path(out)
    runs = load_runs(out)
    if runs.empty:
        raise FileNotFoundError(f"{out} has no results yet (runs/*/*.json)")
    summary = summarise(runs)
    write_text_atomic(out / "results.json", json.dumps({"summary": summary, "runs": runs.to_dict("records")}, indent=1))
    write_text_atomic(out / "results.csv", runs.to_csv(index=False))
    write_text_atomic(out / "results.md", "RMSE in degrees, mean ± sd over subjects (each subject scored on the "
                                          "last part of each of their trials).\n\n" + markdown_table(summary) + "\n")
    return summary


def over_seeds(per_seed: dict) -> dict:
    """One summary from several seeds' (`{seed: summarise(...)}`): every figure is the mean over
    seeds of that seed's mean over subjects, and its sd is the spread over seeds — the seed noise a
    ranking's margins must exceed. Same shape as `summarise`, so `markdown_table` prints it."""
    import numpy as np

    def stat(values):
        return {"mean": float(np.mean(values)), "sd": float(np.std(values))}

    seeds = sorted(per_seed)
    approaches = _order({a for s in per_seed.values() for a in s})
    out = {}
    for approach in approaches:
        runs = [per_seed[s][approach] for s in seeds if approach in per_seed[s]]
        joints = list(runs[0]["joints"])
        out[approach] = {
            "subjects": sorted({x for r in runs for x in r["subjects"]}),
            "seeds": [s for s in seeds if approach in per_seed[s]],
            "joints": {j: {k: stat([r["joints"][j][k]["mean"] for r in runs]) for k in ("rmse_deg", "nrmse_pct", "r")}
                       for j in joints},
            "mean_rmse_deg": stat([r["mean_rmse_deg"]["mean"] for r in runs]),
            "sagittal_rmse_deg": stat([r["sagittal_rmse_deg"]["mean"] for r in runs])}
    return out


def collect_seeds(out: Path, folders: dict) -> dict:
    """results.{json,csv,md} in `out` over the seed folders `{seed: folder}`, each already collected."""
    out = Path(out)
    per_seed, rows = {}, []
    for seed, folder in sorted(folders.items()):
        per_seed[seed] = json.loads((Path(folder) / "results.json").read_text())["summary"]
        rows.append(load_runs(folder).assign(seed=seed))
    summary = over_seeds(per_seed)
    runs = pd.concat(rows, ignore_index=True)
    write_text_atomic(out / "results.json", json.dumps({"summary": summary, "per_seed": {str(s): v for s, v in per_seed.items()}},
                                                       indent=1))
    write_text_atomic(out / "results.csv", runs.to_csv(index=False))
    write_text_atomic(out / "results.md", f"RMSE in degrees, mean ± sd over {len(per_seed)} seeds "
                                          f"({', '.join(map(str, sorted(per_seed)))}) of each seed's mean over "
                                          "subjects; each seed's own table is in its seed-K folder.\n\n"
                      + markdown_table(summary) + "\n")
    return summary
