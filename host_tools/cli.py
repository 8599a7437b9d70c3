"""The `kinedge` command: one entry point whose groups come from each stage."""
from __future__ import annotations

import sys

import click

from converter.cli import convert
from trainer.cli import data
from trainer.cli_train import baseline, combos, report, train
from trainer.data.errors import DataError

from .cli_device import bench, collect, devices, emulate, finetune, flash, info, monitor, push_head, replay, sync
from .cli_person import calibrate, predict, push_calibration
from .cli_ui import ui
from .demo import demo
from .errors import ToolError


class KinedgeGroup(click.Group):
    """Turns expected failures (bad input files, existing outputs) into one error line and exit 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (DataError, FileExistsError, FileNotFoundError) as exc:
            raise click.ClickException(str(exc)) from None
        except (TimeoutError, ConnectionError, ToolError) as exc:
            # The device and its tools (no answer, link lost, device refused, build or flash failed).
            raise click.ClickException(str(exc)) from None
        except ValueError as exc:
            # Library-level checks of user choices (unknown subject, too few subjects, ...).
            raise click.ClickException(str(exc)) from None


@click.group(cls=KinedgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kinedge")
def cli():
    """kinedge: lower-limb joint angles from wearable IMUs, from training to the microcontroller.

    Start with `kinedge demo`; every command explains itself with --help.
    """


cli.add_command(data)
cli.add_command(train)
cli.add_command(baseline)
cli.add_command(combos)
cli.add_command(report)
cli.add_command(convert)
for command in (devices, info, collect, sync, calibrate, finetune, push_head, push_calibration, bench, replay, monitor,
                flash, emulate, predict, ui):
    cli.add_command(command)
cli.add_command(demo)


def main():
    sys.exit(cli())
