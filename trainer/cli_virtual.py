"""`kinedge data virtualize` and `kinedge data compare`: virtual IMUs from motion capture, and how
well modelled IMU signals match real ones (part of the `kinedge data` group in `cli.py`)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .cli import _common, _finish
from .data.loaders.c3d import CONVENTIONS
from .data.schema import AXES, PLACEMENTS, SEGMENTS


def _floats(text: str, n: int, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != n:
        raise click.BadParameter(f"{what}: expected {n} comma-separated numbers, got {text!r}")
    return values


def parse_sites(items) -> dict:
    from .data.virtualize import DEFAULT_SITES

    sites = dict(DEFAULT_SITES)
    for item in items:
        placement, _, values = item.partition("=")
        if placement not in PLACEMENTS[1:]:
            raise click.BadParameter(f"--site {item!r}: placement must be one of {', '.join(PLACEMENTS[1:])}")
        sites[placement] = tuple(_floats(values, 2, f"--site {item!r}"))
    return sites


def parse_mounts(items) -> dict:
    mounts = {}
    for item in items:
        segment, _, values = item.partition("=")
        if segment not in SEGMENTS:
            raise click.BadParameter(f"--mount {item!r}: segment must be one of {', '.join(SEGMENTS)}")
        mounts[segment] = _floats(values, 3, f"--mount {item!r}")
    return mounts


@click.command()
@click.argument("c3d_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cutoff", default=10.0, show_default=True,
              help="Low-pass (Hz, 4th-order zero-lag Butterworth) on poses before differentiating; 0 = none.")
@click.option("--site", "sites", multiple=True, metavar="PLACEMENT=FRACTION,LATERAL_M",
              help="Sensor site: fraction of the way from the segment origin (distal joint) to its proximal "
                   "joint, and metres out laterally. Defaults: femur=0.5,0.07 tibia=0.55,0.05 calcn=0.5,0.")
@click.option("--mount", "mounts", multiple=True, metavar="SEGMENT=RX,RY,RZ",
              help="Sensor frame turned from the segment frame by this rotation vector (degrees).")
@click.option("--mount-error", default=0.0, show_default=True, help="Plus a random turn of up to this many degrees per sensor.")
@click.option("--noise", is_flag=True, help="Add white noise and a per-trial bias as the synthetic generator does.")
@click.option("--seed", default=0, show_default=True, help="Seed for --mount-error and --noise.")
@click.option("--convention", type=click.Choice(["auto", *CONVENTIONS]), default="auto", show_default=True,
              help="Angle convention of the C3D's joint-angle channels (the labels).")
@click.option("--check-against", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A recording of real IMUs of the same trial: print how closely the virtual ones match.")
@_common
def virtualize(c3d_file, cutoff, sites, mounts, mount_error, noise, seed, convention, check_against, out, into, trial,
               replace, subject, activity, resample_hz, gap_limit):
    """Virtual IMUs from a mocap trial: for every segment whose pose C3D_FILE holds (Plug-in-Gait
    bones such as RFEO/RFEA/RFEL/RFEP, or origin + axis points such as RFEO + qRTHX/Y/Z), the
    gyro (angular velocity) and accelerometer (specific force, gravity included) a sensor on it
    would measure, in the sensor frame, labelled with the file's joint angles."""
    from .data.virtualize import VirtualSettings, virtualize_c3d

    settings = VirtualSettings(cutoff_hz=cutoff, sites=parse_sites(sites), mounts=parse_mounts(mounts),
                               mount_error_deg=mount_error, noise=noise, seed=seed)
    recording = virtualize_c3d(c3d_file, subject, activity, settings, convention)
    _finish(recording, out, resample_hz, gap_limit, into, trial, replace)
    if check_against:
        from .data.sensor_agreement import compare_with_real, describe_agreement
        from .data.store import read_recording

        click.echo(describe_agreement(compare_with_real(recording, read_recording(check_against))))


@click.command()
@click.argument("modelled", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("real", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sagittal-axis", type=click.Choice(AXES), default="y", show_default=True,
              help="Flexion axis of MODELLED's sensor frames (y for mocap segment frames, z for OpenSim's).")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the figures here.")
def compare(modelled, real, sagittal_axis, json_out):
    """How closely the IMU signals of MODELLED (virtual or synthetic) match REAL ones of the same
    trial: clocks aligned by cross-correlation, each real sensor turned onto the modelled one by
    the least-squares rotation of gyro; per segment and axis, r and RMS difference of gyro and acc."""
    from .data.atomic import write_text_atomic
    from .data.sensor_agreement import compare_with_real, describe_agreement
    from .data.store import read_recording

    result = compare_with_real(read_recording(modelled), read_recording(real), sagittal_axis=sagittal_axis)
    click.echo(describe_agreement(result))
    if json_out:
        write_text_atomic(json_out, json.dumps(result, indent=1))
