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
        click.option("--seed", default=0, show_default=True, help="Same seed, same model."),
        click.option("--test-fraction", default=0.2, show_default=True, help="Last part of each trial that is tested."),
        click.option("--transfer-fraction", default=0.2, show_default=True,
                     help="First part of each of the new subject's trials used to fine-tune."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def build_config(model, imus, side, window, epochs, seed, test_fraction, transfer_fraction):
    from .approaches import ExperimentConfig
    from .fit import FitSettings

    placements = tuple(p.strip() for p in imus.split(",") if p.strip())
    bad = [p for p in placements if p not in PLACEMENT_CHOICES]
    if bad or not placements:
        raise click.BadParameter(f"unknown placement {bad[0] if bad else '(none)'}; choose from "
                                 f"{', '.join(PLACEMENT_CHOICES)}", param_hint="--imus")
    return ExperimentConfig(model=model, placements=placements, side=side, window=window,
                            test_fraction=test_fraction, transfer_fraction=transfer_fraction,
                            fit=FitSettings(epochs=epochs, seed=seed))


def run_approaches(dataset, out, subjects, approaches, config, with_baseline=False):
    """Run, print the summary table; shared by the train commands and `kinedge demo`."""
    from rich.progress import Progress

    from .experiment import Experiment, run_baseline
    from .results import collect, markdown_table

    experiment = Experiment(dataset, out, config)
    subjects = list(subjects) or experiment.dataset.subjects
    total = len(subjects) * (len(approaches) + (2 if with_baseline else 0))
    with Progress() as progress:
        task = progress.add_task("training", total=total)

        def step(approach, subject):
            progress.update(task, description=f"{approach} {subject}")

        def advance(results):
            progress.advance(task, len(results))

        for subject in subjects:
            advance(experiment.run(approaches, [subject], on_step=step))
            if with_baseline:
                advance(run_baseline(experiment, [subject], on_step=step))
        progress.update(task, completed=total, description="done")
    summary = collect(out)
    click.echo(markdown_table(summary))
    click.echo(f"results: {out / 'results.md'}, {out / 'results.json'}, {out / 'results.csv'}; bundles in {out / 'bundles'}")
    return summary


@click.group()
def train():
    """Train models with the seed paper's approaches; every subject is scored on the last part of each trial."""


def _common(f):
    f = click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))(f)
    f = click.option("--out", required=True, type=click.Path(path_type=Path),
                     help="Results folder (resumable: finished runs are kept).")(f)
    f = click.option("--subject", "subjects", multiple=True, help="Held-out subject(s); default: all.")(f)
    return config_options(f)


@train.command(name="single-user")
@_common
def single_user(dataset, out, subjects, **options):
    """Per subject: train on their own data, test on the last part of their trials."""
    run_approaches(dataset, out, subjects, ["single-user"], build_config(**options))


@train.command(name="multi-user")
@_common
def multi_user(dataset, out, subjects, **options):
    """Leave-one-subject-out: train on the others, test on the held-out subject."""
    run_approaches(dataset, out, subjects, ["multi-user"], build_config(**options))


@train.command()
@_common
@click.option("--mode", type=click.Choice(["head", "full", "both"]), default="both", show_default=True,
              help="head: only the head (sent over serial); full: all layers (reflash).")
def transfer(dataset, out, subjects, mode, **options):
    """Fine-tune each held-out subject's multi-user model on the start of their trials."""
    modes = ["head", "full"] if mode == "both" else [mode]
    run_approaches(dataset, out, subjects, [f"transfer-{m}" for m in modes], build_config(**options))


@click.command()
@_common
def baseline(dataset, out, subjects, **options):
    """Classical, training-free estimate (AHRS + static calibration) from pelvis, femur, tibia and calcn IMUs."""
    from .experiment import Experiment, run_baseline
    from .results import collect, markdown_table

    experiment = Experiment(dataset, out, build_config(**options))
    run_baseline(experiment, list(subjects) or experiment.dataset.subjects)
    click.echo(markdown_table(collect(out)))


@click.command()
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Results folder (resumable).")
@click.option("--approach", default="single-user", show_default=True,
              type=click.Choice(["single-user", "multi-user", "transfer-head", "transfer-full"]))
@click.option("--subject", "subjects", multiple=True, help="Held-out subject(s); default: all.")
@click.option("--min-imus", default=1, show_default=True)
@click.option("--max-imus", default=4, show_default=True)
@click.option("--jobs", default=2, show_default=True, help="Combinations trained in parallel (processes).")
@config_options
def combos(dataset, out, approach, subjects, min_imus, max_imus, jobs, **options):
    """Train and score every combination of IMU placements on one leg; rank them.

    --imus is ignored here: the placements are those of pelvis, femur, tibia, calcn that every
    recording has. Finished combinations are kept and not recomputed.
    """
    from rich.progress import Progress

    from .combos import available_placements, combinations, run_combos

    config = build_config(**options)
    total = len(combinations(available_placements(dataset, config.side), min_imus, max_imus))
    with Progress() as progress:
        task = progress.add_task("IMU combinations", total=total)
        ranking = run_combos(dataset, out, config, approach, subjects, min_imus, max_imus, jobs,
                             on_done=lambda name: progress.advance(task))
    from .combos import ranking_table

    click.echo(ranking_table(ranking))
    click.echo(f"written: {out / 'combos.md'}, {out / 'combos.json'}")


@click.command()
@click.argument("results", type=click.Path(exists=True, file_okay=False, path_type=Path))
def report(results):
    """Plots and a self-contained HTML page (report.html) for a results folder."""
    from .report import build_report

    click.echo(f"written: {build_report(results)}")
