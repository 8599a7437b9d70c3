"""`kinedge demo`: the main job on the embedded default, end to end as far as the project goes."""
from __future__ import annotations

import time
from pathlib import Path

import click

from trainer.cli import describe_dataset
from trainer.data.store import Dataset
from trainer.synth.defaults import DEFAULT_MINUTES, DEFAULT_SEED, DEFAULT_SUBJECTS

DEMO_SUBJECT = "S01"


@click.command()
@click.option("--out", default=Path("runs/demo"), type=click.Path(path_type=Path), show_default=True,
              help="Folder for everything the demo writes.")
@click.option("--subjects", default=DEFAULT_SUBJECTS, show_default=True, help="Synthetic people.")
@click.option("--minutes", default=DEFAULT_MINUTES, show_default=True, help="Minutes of data per person.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Same seed, same data and models.")
def demo(out, subjects, minutes, seed):
    """Generate the default synthetic data set, train the seed paper's three approaches for one
    held-out subject, compare them with the classical baseline, write the report, convert the
    transfer model to int8 for the device (checked in TensorFlow Lite Micro), then run the
    multi-user model on the emulated Cortex-M4, push the transfer head to it and replay the
    held-out subject's test data through the device before and after."""
    from rich.progress import Progress

    from trainer.approaches import APPROACHES, ExperimentConfig
    from trainer.cli_train import run_approaches
    from trainer.fit import FitSettings
    from trainer.report import build_report
    from trainer.synth.dataset import synthesize_dataset

    folder = out / "data"
    started = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task("synthetic subjects", total=subjects)
        synthesize_dataset(folder, subjects, minutes, seed, jobs=2, overwrite=True,
                           on_subject_done=lambda n: progress.update(task, completed=n))
    click.echo(describe_dataset(Dataset(folder)))
    click.echo(f"data set written in {time.perf_counter() - started:.1f} s\n")

    results = out / "results"
    if results.exists():
        import shutil

        shutil.rmtree(results)  # the data was just regenerated, so earlier results do not apply
    trained = time.perf_counter()
    config = ExperimentConfig(fit=FitSettings(seed=seed))
    click.echo(f"training for held-out subject {DEMO_SUBJECT} (edge model, IMUs on "
               f"{' + '.join(config.segments)}):")
    run_approaches(folder, results, [DEMO_SUBJECT], list(APPROACHES), config, with_baseline=True)
    click.echo(f"training and evaluation took {time.perf_counter() - trained:.0f} s")
    click.echo(f"report: {build_report(results)}\n")

    from converter.cli import describe
    from converter.convert import convert_bundle

    bundle = results / "bundles" / "transfer-head" / DEMO_SUBJECT
    click.echo(f"converting the transfer-head model to int8 for the device ({bundle}):")
    click.echo(describe(convert_bundle(bundle)))
    click.echo(f"C sources for the firmware: {bundle / 'c'}; default head blob: {bundle / 'head.bin'}\n")

    from converter.aot.qemu_check import available

    if available():
        click.echo(f"device part skipped: the emulated device needs arm-none-eabi-gcc and qemu-system-arm ({available()})")
        return
    from .demo_device import run_device_part

    run_device_part(results, DEMO_SUBJECT, echo=click.echo)
