"""`kinedge train ...` and `kinedge baseline`: the three approaches and the classical baseline."""
from __future__ import annotations

from pathlib import Path

import click

PLACEMENT_CHOICES = ("pelvis", "femur", "tibia", "calcn")


def config_options(f):
    options = [
        click.option("--model", default="edge", show_default=True,
                     type=click.Choice(["edge", "paper-lstm", "paper-cnn"]),
                     help="edge runs on the device; the paper models are float references."),
        click.option("--imus", default="femur,calcn", show_default=True,
                     help="Placements on the leg, comma-separated, from pelvis,femur,tibia,calcn."),
        click.option("--side", default="r", show_default=True, type=click.Choice(["r", "l"]),
                     help="Which leg's IMUs and angles."),
        click.option("--window", default=64, show_default=True, help="Samples per window."),
        click.option("--epochs", default=40, show_default=True, help="Most epochs (early stopping on validation)."),
        click.option("--seeds", default="0", show_default=True,
                     help="Training seeds, comma-separated (e.g. 0,1,2): each is a run of its own, and "
                          "results.md gives mean ± sd over seeds. Same seed, same model."),
        click.option("--test-fraction", default=0.2, show_default=True, help="Last part of each trial that is tested."),
        click.option("--transfer-fraction", default=0.2, show_default=True,
                     help="First part of each of the new subject's trials used to fine-tune."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def grid_options(f):
    """Where the jobs run (trainer/executors.py)."""
    options = [
        click.option("--jobs", "workers", default=2, show_default=True,
                     help="Jobs run at once: local processes, or the CPUs of the local Ray cluster "
                          "(with --address the cluster's CPUs decide)."),
        click.option("--executor", default="local", show_default=True, type=click.Choice(["local", "ray"]),
                     help="local: processes on this machine; ray: Ray tasks (pip install 'kinedge[cluster]')."),
        click.option("--address", default=None,
                     help="With --executor ray: an existing Ray cluster's head, HOST:PORT (see `ray start`); "
                          "without it Ray starts a local one."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a comma-separated list of integers", param_hint="--seeds") from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise click.BadParameter(f"{text!r}: give one or more different seeds", param_hint="--seeds")
    return seeds


def build_config(model, imus, side, window, epochs, seeds, test_fraction, transfer_fraction):
    """The ExperimentConfig the options describe (seeded with the first seed; the grid sets each job's)."""
    from .approaches import ExperimentConfig
    from .fit import FitSettings

    placements = tuple(p.strip() for p in imus.split(",") if p.strip())
    bad = [p for p in placements if p not in PLACEMENT_CHOICES]
    if bad or not placements:
        raise click.BadParameter(f"unknown placement {bad[0] if bad else '(none)'}; choose from "
                                 f"{', '.join(PLACEMENT_CHOICES)}", param_hint="--imus")
    return ExperimentConfig(model=model, placements=placements, side=side, window=window,
                            test_fraction=test_fraction, transfer_fraction=transfer_fraction,
                            fit=FitSettings(epochs=epochs, seed=parse_seeds(seeds)[0]))


def run_approaches(dataset, out, subjects, approaches, config, with_baseline=False, seeds=None,
                   executor="local", workers=2, address=None):
    """Run the approaches as a job grid, print the summary table; shared by the train commands,
    `kinedge baseline` and `kinedge demo`. Exits non-zero when a job failed twice."""
    from .data.store import Dataset
    from .grid import train_grid

    seeds = list(seeds or [config.fit.seed])
    grid = train_grid(out, approaches, list(subjects) or Dataset(dataset).subjects, config, seeds, with_baseline)
    report = run_with_progress(dataset, grid, executor, workers, address, "training")
    summary = print_summary(Path(out))
    click.echo(f"results: {out / 'results.md'}, {out / 'results.json'}, {out / 'results.csv'}; "
               f"jobs: {out / 'grid.json'}")
    exit_on_failures(report)
    return summary


def run_with_progress(dataset, grid, executor, workers, address, what) -> dict:
    from rich.progress import Progress

    from .grid import run_grid

    done = sum(grid.done(j) for j in grid.jobs)
    with Progress() as progress:
        task = progress.add_task(what, total=len(grid.jobs), completed=done)

        def advance(unit, ok):
            if ok:
                progress.advance(task, len(unit["jobs"]))
            else:
                progress.console.print(f"[red]failed[/red] {unit['key']}")

        report = run_grid(dataset, grid, executor, workers, address, on_unit=advance)
    return report


def print_summary(out: Path) -> dict:
    import json

    from .results import markdown_table

    summary = json.loads((out / "results.json").read_text())["summary"] if (out / "results.json").exists() else {}
    if summary:
        click.echo(markdown_table(summary))
    return summary


def exit_on_failures(report: dict) -> None:
    from .grid import failures

    failed = failures(report)
    for job in failed:
        click.echo(f"error: job {job['id']} failed {job['attempts']} times: {job['error']}", err=True)
    if failed:
        raise SystemExit(1)


def _run(dataset, out, subjects, approaches, workers, executor, address, with_baseline=False, **options):
    run_approaches(dataset, out, subjects, approaches, build_config(**options), with_baseline,
                   seeds=parse_seeds(options["seeds"]), executor=executor, workers=workers, address=address)


@click.group()
def train():
    """Train models with the seed paper's approaches; every subject is scored on the last part of each trial."""


def _common(f):
    f = click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))(f)
    f = click.option("--out", required=True, type=click.Path(path_type=Path),
                     help="Results folder (resumable: finished runs are kept).")(f)
    f = click.option("--subject", "subjects", multiple=True, help="Held-out subject(s); default: all.")(f)
    return grid_options(config_options(f))


@train.command(name="single-user")
@_common
def single_user(dataset, out, subjects, **options):
    """Per subject: train on their own data, test on the last part of their trials."""
    _run(dataset, out, subjects, ["single-user"], **options)


@train.command(name="multi-user")
@_common
def multi_user(dataset, out, subjects, **options):
    """Leave-one-subject-out: train on the others, test on the held-out subject."""
    _run(dataset, out, subjects, ["multi-user"], **options)


@train.command()
@_common
@click.option("--mode", type=click.Choice(["head", "full", "both"]), default="both", show_default=True,
              help="head: only the head (sent over serial); full: all layers (reflash).")
def transfer(dataset, out, subjects, mode, **options):
    """Fine-tune each held-out subject's multi-user model on the start of their trials."""
    modes = ["head", "full"] if mode == "both" else [mode]
    _run(dataset, out, subjects, [f"transfer-{m}" for m in modes], **options)


@click.command()
@_common
def baseline(dataset, out, subjects, **options):
    """Classical, training-free estimate (inclination filter + label-free calibration) from pelvis, femur, tibia and calcn IMUs."""
    _run(dataset, out, subjects, [], **options, with_baseline=True)


@click.command()
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Results folder (resumable).")
@click.option("--approach", default="single-user", show_default=True,
              type=click.Choice(["single-user", "multi-user", "transfer-head", "transfer-full"]))
@click.option("--subject", "subjects", multiple=True, help="Held-out subject(s); default: all.")
@click.option("--min-imus", default=1, show_default=True)
@click.option("--max-imus", default=4, show_default=True)
@grid_options
@config_options
def combos(dataset, out, approach, subjects, min_imus, max_imus, workers, executor, address, **options):
    """Train and score every combination of IMU placements on one leg; rank them.

    --imus is ignored here: the placements are those of pelvis, femur, tibia, calcn that every
    recording has. Every (subset, seed, held-out subject, approach) is a job; finished jobs are kept
    and not recomputed. With several --seeds the ranking shows each figure's sd over seeds.
    """
    from .combos import ranking_table, run_combos

    config = build_config(**options)
    ranking, report = run_combos(
        dataset, out, config, approach, subjects, min_imus, max_imus, seeds=parse_seeds(options["seeds"]),
        runner=lambda data, grid: run_with_progress(data, grid, executor, workers, address, "IMU combinations"))
    if ranking["overall"]:
        click.echo(ranking_table(ranking))
    click.echo(f"written: {out / 'combos.md'}, {out / 'combos.json'}; jobs: {out / 'grid.json'}")
    exit_on_failures(report)


@click.command()
@click.argument("results", type=click.Path(exists=True, file_okay=False, path_type=Path))
def report(results):
    """Plots and a self-contained HTML page (report.html) for a results folder."""
    from .report import build_report

    click.echo(f"written: {build_report(results)}")
