"""The experiment grid: every (approach, held-out subject, IMU subset, seed, side) run is one job.

`kinedge train ...` and `kinedge combos` both describe their work as a list of `Job`s made by
`make_jobs`, and differ only in where a job's files go (`train_folder`, `combo_folder`). A job is
done when its run file exists in its folder (experiment.py), so a grid resumes where it stopped.

Jobs that must run in a row on one worker form a unit: a transfer starts from its multi-user
model, and the two baselines share one pass. The driver (`run_grid`) hands units to an executor
(executors.py: local processes or Ray tasks), writes what comes back — atomically, the run file
last — and rebuilds the summaries. A unit that fails is tried once more; one that fails twice is
reported with its error in `grid.json` and the rest still finish.
"""
from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path

from .data.atomic import atomic_dir, atomic_path, write_text_atomic
from .data.store import LoadedDataset

BASELINES = ("baseline", "baseline-offset")
# Every approach, as what one worker runs in a row, in this order (a chain's later jobs read its
# earlier ones' files).
CHAINS = (("single-user",), ("multi-user", "transfer-head", "transfer-full"), BASELINES)
ATTEMPTS = 2


def run_file(folder: Path, approach: str, subject: str) -> Path:
    """A run's metrics file in a results folder: its existence is what marks the run done."""
    return Path(folder) / "runs" / approach / f"{subject}.json"


@dataclass(frozen=True)
class Job:
    approach: str
    subject: str
    placements: tuple
    seed: int
    side: str

    @property
    def id(self) -> str:
        return f"{self.side}/{'+'.join(self.placements)}/seed-{self.seed}/{self.approach}/{self.subject}"

    def config(self, base):
        """`base` (an ExperimentConfig) with this job's IMU subset, side and seed."""
        return dataclasses.replace(base, placements=tuple(self.placements), side=self.side,
                                   fit=dataclasses.replace(base.fit, seed=self.seed))


def with_dependencies(approaches) -> list[str]:
    """The approaches in chain order, with multi-user added where a transfer needs it."""
    wanted = set(approaches)
    known = [a for chain in CHAINS for a in chain]
    unknown = wanted - set(known)
    if unknown:
        raise ValueError(f"unknown approach {sorted(unknown)[0]!r}; expected one of {', '.join(known)}")
    if wanted & {"transfer-head", "transfer-full"}:
        wanted.add("multi-user")
    return [a for chain in CHAINS for a in chain if a in wanted]


def make_jobs(approaches, subjects, subsets, seeds, side) -> list[Job]:
    """Every job of the grid, in a fixed order: IMU subset, seed, subject, approach."""
    ordered = with_dependencies(approaches)
    return [Job(a, s, tuple(p), int(seed), side)
            for p in subsets for seed in seeds for s in subjects for a in ordered]


def train_folder(seeds):
    """`kinedge train`: the results folder itself, or one folder per seed when there are several."""
    return (lambda job: Path()) if len(seeds) == 1 else (lambda job: Path(f"seed-{job.seed}"))


def combo_folder(seeds):
    """`kinedge combos`: one experiment per IMU subset (per seed when there are several)."""
    def folder(job):
        base = Path("combos") / "+".join(job.placements)
        return base if len(seeds) == 1 else base / f"seed-{job.seed}"
    return folder


@dataclass
class Grid:
    out: Path
    jobs: list
    base_config: object       # ExperimentConfig shared by every job but for subset, side, seed
    folder: object            # job -> its results folder, relative to `out`

    def path(self, job) -> Path:
        return self.out / self.folder(job)

    def done(self, job) -> bool:
        return run_file(self.path(job), job.approach, job.subject).exists()

    def folders(self) -> list[Path]:
        return list(dict.fromkeys(self.path(j) for j in self.jobs))


def train_grid(out, approaches, subjects, config, seeds, with_baseline=False) -> Grid:
    """`kinedge train ...` / `kinedge baseline`: the approaches on config's IMU subset."""
    approaches = list(approaches) + (list(BASELINES) if with_baseline else [])
    return Grid(Path(out), make_jobs(approaches, subjects, [config.placements], seeds, config.side), config,
                train_folder(seeds))


def combo_grid(out, approach, subjects, subsets, config, seeds) -> Grid:
    """`kinedge combos`: one approach on every IMU subset."""
    return Grid(Path(out), make_jobs([approach], subjects, subsets, seeds, config.side), config, combo_folder(seeds))


def units(grid: Grid) -> list[dict]:
    """The jobs not done yet, grouped into what one worker runs in a row (see CHAINS)."""
    grouped = {}
    for job in grid.jobs:
        if grid.done(job):
            continue
        chain = next(i for i, c in enumerate(CHAINS) if job.approach in c)
        grouped.setdefault((grid.folder(job), job.subject, job.placements, job.seed, chain), []).append(job)
    out = []
    for (folder, subject, _, _, _), jobs in grouped.items():
        approaches = [j.approach for j in jobs]
        inputs = {}
        if approaches[0].startswith("transfer-"):
            inputs = _finished_multi_user(grid.out / folder, subject)
        out.append({"key": f"{jobs[0].id.rsplit('/', 2)[0]}/{'+'.join(approaches)}/{subject}",
                    "folder": str(folder), "subject": subject, "approaches": approaches,
                    "config": jobs[0].config(grid.base_config).to_json(), "inputs": inputs,
                    "jobs": [j.id for j in jobs]})
    return out


def _finished_multi_user(folder: Path, subject: str) -> dict:
    """A finished multi-user run and its bundle: what a transfer starts from on a worker."""
    files = [run_file(folder, "multi-user", subject)]
    files += sorted(p for p in (folder / "bundles" / "multi-user" / subject).rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


def write_outputs(folder: Path, outputs: dict, approaches) -> None:
    """A unit's files into its results folder: bundles and predictions first, run files last and in
    chain order, each write atomic, so a run file is only ever there with everything it names."""
    runs = {f"runs/{a}/" for a in approaches}
    bundles = {}
    for rel, data in outputs.items():
        parts = Path(rel).parts
        if parts[0] == "bundles":
            bundles.setdefault(Path(*parts[:3]), {})[Path(*parts[3:])] = data
    for bundle, files in bundles.items():
        with atomic_dir(folder / bundle, overwrite=True) as tmp:
            for name, data in files.items():
                (tmp / name).parent.mkdir(parents=True, exist_ok=True)
                (tmp / name).write_bytes(data)
    later = []
    for rel, data in outputs.items():
        if rel.startswith("bundles/"):
            continue
        if rel.endswith(".json") and any(rel.startswith(r) for r in runs):
            later.append(rel)
            continue
        _write_bytes(folder / rel, data)
    for approach in approaches:
        for rel in later:
            if rel.startswith(f"runs/{approach}/"):
                _write_bytes(folder / rel, outputs[rel])


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _error_line(error: BaseException) -> str:
    """One line for the report: a data error as the user would see it, anything else with its type."""
    from .data.errors import DataError

    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    return text if isinstance(error, DataError) and text else f"{type(error).__name__}: {text}".rstrip(": ")


def run_grid(dataset, grid: Grid, executor: str = "local", workers: int = 2, address: str | None = None,
             on_unit=None) -> dict:
    """Run every job of `grid` not done yet; returns the grid report (also written to grid.json).

    `dataset` is a data set folder; it is read once here and shipped to the workers.
    `on_unit(unit, ok)` is called after every attempt of a unit."""
    from .experiment import Experiment
    from .executors import make_executor

    loaded = LoadedDataset(Path(dataset))
    missing = sorted({j.subject for j in grid.jobs} - set(loaded.subjects))
    if missing:
        raise ValueError(f"subject {missing[0]} is not in {dataset} (subjects: {', '.join(loaded.subjects)})")
    pool = make_executor(executor, loaded, workers, address)  # checks the choice before anything is written
    for job in {grid.folder(j): j for j in grid.jobs}.values():
        Experiment(loaded, grid.path(job), job.config(grid.base_config))  # refuses a folder of another config
    status = {j.id: {"status": "done" if grid.done(j) else "pending", "attempts": 0} for j in grid.jobs}
    todo = units(grid)
    start = time.perf_counter()
    if todo:
        with pool:
            for attempt in range(1, ATTEMPTS + 1):
                failed = []
                for unit, result in pool.run(todo):
                    ok = not isinstance(result, BaseException)
                    if ok:
                        write_outputs(grid.out / unit["folder"], result, unit["approaches"])
                    else:
                        failed.append(unit)
                    for job_id in unit["jobs"]:
                        status[job_id].update(attempts=attempt, status="done" if ok else "failed")
                        if not ok:
                            status[job_id]["error"] = _error_line(result)
                        else:
                            status[job_id].pop("error", None)
                    if on_unit:
                        on_unit(unit, ok)
                todo = failed
                if not todo:
                    break
    summaries(grid)
    report = {"executor": executor, "workers": workers, "address": address,
              "seconds": round(time.perf_counter() - start, 1),
              "jobs": [{"id": j.id, "folder": str(grid.folder(j)), **status[j.id]} for j in grid.jobs]}
    write_text_atomic(grid.out / "grid.json", json.dumps(report, indent=1))
    return report


def failures(report: dict) -> list[dict]:
    return [j for j in report["jobs"] if j["status"] == "failed"]


def summaries(grid: Grid) -> None:
    """results.{json,csv,md} in every folder that has runs; over seeds where a folder is split by seed."""
    from .results import collect, collect_seeds

    for folder in grid.folders():
        if any(folder.glob("runs/*/*.json")):
            collect(folder)
    seeds = sorted({j.seed for j in grid.jobs})
    if len(seeds) > 1:
        for parent in dict.fromkeys(p.parent for p in grid.folders()):
            per_seed = {s: parent / f"seed-{s}" for s in seeds if (parent / f"seed-{s}" / "results.json").exists()}
            if per_seed:
                collect_seeds(parent, per_seed)
