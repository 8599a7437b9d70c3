"""`kinedge data build` and `kinedge data add`: data sets from a study plan or from recordings
already imported (part of the `kinedge data` group defined in `cli.py`)."""
from __future__ import annotations

from pathlib import Path

import click

from .data.store import read_recording


@click.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--plan", "plan", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV, one row per trial: subject,activity,trial,format,files,map,reference,rate "
                   "(see the README's example).")
@click.option("--force", is_flag=True, help="Replace DATASET if it exists.")
def build(dataset, plan, force):
    """Import a whole study into the data set folder DATASET from a plan file, all or nothing.

    Every row is checked first (files exist, headers carry the columns read, sensor maps name
    known segments, references load and have the angles of the other rows); each bad row is
    reported on its own line and nothing is written. Then the trials are imported (IMU files
    aligned to their reference by cross-correlation) and DATASET appears only when all succeeded.
    Formats: xsens (MT Manager exports + map: ours or OpenSense XML), imu-sto, table.
    """
    from rich.progress import Progress

    from .cli import describe_dataset
    from .data.plan import build_dataset, read_plan
    from .data.store import Dataset

    rows = read_plan(plan)
    click.echo(f"{plan.name}: {len(rows)} rows checked")
    with Progress(transient=True) as progress:
        task = progress.add_task("importing trials", total=len(rows))
        summaries = build_dataset(plan, dataset, overwrite=force, on_row=lambda _: progress.advance(task),
                                  rows=rows)
    weak = [s for s in summaries if s["correlation"] is not None and s["correlation"] < 0.5]
    for s in weak:
        click.echo(f"warning: row {s['row']} ({s['subject']} {s['trial']}) aligned to its reference with correlation "
                   f"{s['correlation']:.2f} only: check that the files belong to the same trial", err=True)
    click.echo(describe_dataset(Dataset(dataset)))


@click.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.argument("recordings", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite trials (same subject and trial) DATASET already has.")
def add(dataset, recordings, replace):
    """Add recordings already imported (.parquet from `kinedge data import`) to the data set
    DATASET, created if absent. Each is validated; all are added or none."""
    from .data.dataset_edit import add_recordings

    # add_recordings validates each one, naming its file.
    loaded = [(read_recording(path, check=False), str(path)) for path in recordings]
    entries = add_recordings(dataset, loaded, replace=replace)
    for entry in entries:
        click.echo(f"{dataset / entry['file']}: subject {entry['subject']}, trial {entry['trial']}, "
                   f"{entry['duration_s']:.1f} s")
    click.echo(f"{dataset}: {len(entries)} recordings added")
