"""`kinedge demo`: the main job on the embedded default, end to end as far as the project goes."""
from __future__ import annotations

import time
from pathlib import Path

import click

from trainer.cli import describe_dataset
from trainer.data.store import Dataset
from trainer.synth.defaults import DEFAULT_MINUTES, DEFAULT_SEED, DEFAULT_SUBJECTS


@click.command()
@click.option("--out", default=Path("runs/demo"), type=click.Path(path_type=Path), show_default=True,
              help="Folder for everything the demo writes.")
@click.option("--subjects", default=DEFAULT_SUBJECTS, show_default=True, help="Synthetic people.")
@click.option("--minutes", default=DEFAULT_MINUTES, show_default=True, help="Minutes of data per person.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Same seed, same data.")
def demo(out, subjects, minutes, seed):
    """Generate the default synthetic data set and summarise it."""
    from rich.progress import Progress

    from trainer.synth.dataset import synthesize_dataset

    folder = out / "data"
    started = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task("synthetic subjects", total=subjects)
        synthesize_dataset(folder, subjects, minutes, seed, jobs=2, overwrite=True,
                                         on_subject_done=lambda n: progress.update(task, completed=n))
    click.echo(describe_dataset(Dataset(folder)))
    click.echo(f"data set written in {time.perf_counter() - started:.1f} s")
