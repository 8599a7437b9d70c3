"""`kinedge data ...`: make, import and inspect recordings and data sets."""
from __future__ import annotations

import os
from pathlib import Path

import click
import numpy as np

# Only light modules here: `kinedge --help` should not wait for scipy; commands import the rest.
from .data.loaders.c3d import CONVENTIONS
from .data.store import Dataset, read_recording, write_recording
from .data.validate import DEFAULT_GAP_LIMIT_S, validate
from .synth.defaults import DEFAULT_MINUTES, DEFAULT_SEED, DEFAULT_SUBJECTS


@click.group()
def data():
    """Recordings and data sets: generate synthetic gait, import real files, inspect."""


@data.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--subjects", default=DEFAULT_SUBJECTS, show_default=True, help="Number of people.")
@click.option("--minutes", default=DEFAULT_MINUTES, show_default=True,
              help="Minutes per person, shared by 7 trials: walking slow/comfortable/fast, ramp up/down, "
                   "stairs up/down; each starts standing still.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, help="Same seed, same data.")
@click.option("--rate", default=100.0, show_default=True, help="Sample rate in Hz.")
@click.option("--jobs", default=min(2, os.cpu_count() or 1), show_default=True, help="Worker processes.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def synth(out, subjects, minutes, seed, rate, jobs, force):
    """Generate a synthetic multi-subject gait data set into folder OUT.

    Each person gets their own body size, gait style, sensor mounting (any rotation), soft
    tissue and noise; joint angles drive a pelvis-femur-tibia-calcaneus chain whose virtual IMUs
    measure angular velocity and specific force (gravity included) in their own frames.
    """
    from rich.progress import Progress

    from .synth.dataset import synthesize_dataset

    with Progress() as progress:
        task = progress.add_task("generating subjects", total=subjects)
        synthesize_dataset(out, subjects, minutes, seed, rate, jobs, overwrite=force,
                                         on_subject_done=lambda n: progress.update(task, completed=n))
    click.echo(describe_dataset(Dataset(out)))


def describe_dataset(dataset: Dataset) -> str:
    summary = dataset.summary()
    total = sum(e["duration_s"] for e in dataset.entries) / 60
    first = dataset.entries[0] if dataset.entries else {}
    return "\n".join([
        f"{dataset.folder}: {len(dataset.subjects)} subjects, {len(dataset.entries)} recordings, {total:.1f} min "
        f"at {first.get('sample_rate', 0):g} Hz",
        f"IMUs: {', '.join(first.get('segments', []))}",
        f"angles: {', '.join(first.get('angles', []))}",
        summary.to_string(index=False),
    ])


def describe_recording(path: Path) -> str:
    recording = read_recording(path)
    lines = [f"{path}: subject {recording.subject}, activity {recording.activity}, source {recording.source}",
             f"{recording.n_samples} samples at {recording.sample_rate:g} Hz = {recording.duration:.2f} s",
             f"IMUs: {', '.join(recording.segments) or '-'}"]
    for name in recording.angles:
        values = recording.data[name].to_numpy(dtype=float)
        lines.append(f"  {name:<16} {np.nanmin(values):7.1f} .. {np.nanmax(values):6.1f} deg")
    if "alignment" in recording.extra:
        a = recording.extra["alignment"]
        lines.append(f"aligned to reference: lag {a['lag_s'] * 1000:+.0f} ms, correlation {a['correlation']:.3f}")
    return "\n".join(lines)


@data.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def info(path):
    """Summarise a data set folder (per subject and activity) or one recording (.parquet).

    Every recording of a data set is read and validated; problems (unreadable or invalid files,
    manifest entries that disagree with their file, Parquet files the manifest does not list) are
    listed one per line and the exit status is non-zero.
    """
    if not path.is_dir():
        click.echo(describe_recording(path))
        return
    from rich.progress import Progress

    from .data.dataset_check import check_dataset, describe_check

    with Progress(transient=True) as progress:
        task = progress.add_task("validating recordings", total=len(Dataset(path).entries))
        check = check_dataset(path, on_file=lambda _: progress.advance(task))
    click.echo(describe_check(check))
    if check.problems:
        raise click.ClickException(f"{path}: {len(check.problems)} problems (listed above)")


@data.group(name="import")
def import_():
    """Turn an outside file format into a validated recording (.parquet)."""


def _common(f):
    f = click.option("--out", type=click.Path(path_type=Path), help="Recording to write (.parquet).")(f)
    f = click.option("--into", type=click.Path(path_type=Path), metavar="DATASET",
                     help="Add the recording to this data set folder instead (created if absent; manifest updated).")(f)
    f = click.option("--trial", help="Trial name, unique per subject in a data set [default: the activity].")(f)
    f = click.option("--replace", is_flag=True, help="With --into: overwrite the same subject and trial.")(f)
    f = click.option("--subject", required=True, help="Subject id, e.g. S02.")(f)
    f = click.option("--activity", default="walk", show_default=True, help="Activity label.")(f)
    f = click.option("--resample", "resample_hz", type=float, help="Resample to this rate (Hz).")(f)
    f = click.option("--gap-limit", default=DEFAULT_GAP_LIMIT_S, show_default=True,
                     help="Longest run of missing samples allowed, in seconds.")(f)
    return f


def _check_destination(out, into):
    if (out is None) == (into is None):
        raise click.UsageError("give exactly one of --out (a recording) or --into (a data set)")


def _finish(recording, out: Path | None, resample_hz, gap_limit, into: Path | None = None, trial=None,
            replace=False):
    from .data.dataset_edit import add_recordings, with_trial
    from .data.resample import resample

    _check_destination(out, into)
    if resample_hz:
        recording = resample(recording, resample_hz)
    recording = with_trial(recording, trial)
    if gap_limit != DEFAULT_GAP_LIMIT_S:
        recording = recording.replace(extra={**recording.extra, "gap_limit_s": gap_limit})
    if into is not None:
        [entry] = add_recordings(into, [(recording, recording.source)], replace=replace, gap_limit_s=gap_limit)
        click.echo(describe_recording(into / entry["file"]))
        click.echo(f"added to {into} as {entry['file']}")
        return
    validate(recording, source=out.name, gap_limit_s=gap_limit)
    write_recording(recording, out)
    click.echo(describe_recording(out))


@import_.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--map", "mapping", multiple=True, metavar="SENSORID=SEGMENT",
              help="Sensor id to segment, e.g. 00B40C48=calcn_r; repeat per sensor.")
@click.option("--map-file", type=click.Path(exists=True, path_type=Path),
              help="File of SENSORID=SEGMENT lines (# comments allowed), or OpenSense's IMU mapping XML "
                   "(<ExperimentalSensor name=\"_00B421AF\"><name_in_model>pelvis_imu</name_in_model>).")
@click.option("--rate", type=float, help="Sample rate if the export header lacks 'Update Rate'.")
@click.option("--reference", type=click.Path(exists=True, path_type=Path),
              help="Mocap angles (.c3d/.mot/.sto/.csv) to align by cross-correlation and add as labels.")
@click.option("--c3d-convention", type=click.Choice(["auto", *CONVENTIONS]), default="auto", show_default=True)
@_common
def xsens(files, mapping, map_file, rate, reference, c3d_convention, out, into, trial, replace, subject, activity,
          resample_hz, gap_limit):
    """Xsens MT Manager text exports (one FILE per sensor, named ..._<SENSORID>.txt)."""
    from .data.align import align_to_reference
    from .data.loaders.sensor_maps import read_map_file
    from .data.loaders.xsens import load_xsens_trial, parse_sensor_map
    from .data.reference import load_reference

    _check_destination(out, into)
    if not mapping and not map_file:
        raise click.UsageError("give the sensor-to-segment map with --map or --map-file")
    try:
        sensor_map = parse_sensor_map(mapping)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if map_file:
        from_file = read_map_file(map_file)
        if from_file.ignored:
            click.echo(f"{map_file.name}: skipping sensors on frames kinedge does not model: "
                       + ", ".join(f"{s} ({f})" for s, f in from_file.ignored.items()))
        clash = set(from_file.segments.values()) & set(sensor_map.values())
        if clash:
            raise click.UsageError(f"segment {sorted(clash)[0]} is given by both --map and --map-file")
        sensor_map = {**from_file.segments, **sensor_map}
    recording = load_xsens_trial(files, sensor_map, subject, activity, rate)
    if reference:
        recording, alignment = align_to_reference(recording, load_reference(reference, subject, activity, c3d_convention))
        click.echo(f"aligned to {reference.name}: {alignment.describe()}")
    _finish(recording, out, resample_hz, gap_limit, into, trial, replace)


@import_.command()
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--convention", type=click.Choice(["auto", *CONVENTIONS]), default="auto", show_default=True,
              help="Which component of e.g. RKneeAngles is flexion (see docs).")
@_common
def c3d(file, convention, out, into, trial, replace, subject, activity, resample_hz, gap_limit):
    """Joint angles from a C3D file (Plug-in-Gait style labels such as RKneeAngles)."""
    from .data.loaders.c3d import load_c3d_angles

    _finish(load_c3d_angles(file, subject, activity, convention), out, resample_hz, gap_limit, into, trial, replace)


@import_.command()
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--knee-flexion", type=click.Choice(["auto", "positive", "negative"]), default="auto", show_default=True,
              help="Sign of knee flexion in FILE (gait2392 models: negative).")
@_common
def mot(file, knee_flexion, out, into, trial, replace, subject, activity, resample_hz, gap_limit):
    """Joint angles from an OpenSim .mot/.sto (inverse-kinematics output)."""
    from .data.loaders.opensim import load_angles

    negative = {"auto": None, "positive": False, "negative": True}[knee_flexion]
    _finish(load_angles(file, subject, activity, knee_flexion_negative=negative), out, resample_hz, gap_limit,
            into, trial, replace)


@import_.command(name="imu-sto")
@click.argument("accelerations", type=click.Path(exists=True, path_type=Path))
@click.argument("angular_velocities", type=click.Path(exists=True, path_type=Path))
@_common
def imu_sto(accelerations, angular_velocities, out, into, trial, replace, subject, activity, resample_hz, gap_limit):
    """IMU signals from OpenSense Vec3 .sto files (columns <segment>_imu)."""
    from .data.loaders.opensim import load_imu_storage

    _finish(load_imu_storage(accelerations, angular_velocities, subject, activity), out, resample_hz, gap_limit,
            into, trial, replace)


@import_.command()
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--rate", type=float, help="Sample rate, if FILE has no time column.")
@click.option("--drop", multiple=True, help="Column to leave out on purpose (repeatable).")
@_common
def table(file, rate, drop, out, into, trial, replace, subject, activity, resample_hz, gap_limit):
    """A CSV or Parquet table already using kinedge column names."""
    from .data.loaders.tabular import load_table

    _finish(load_table(file, subject, activity, rate, drop), out, resample_hz, gap_limit, into, trial, replace)


# Commands of this group kept in their own files.
from .cli_dataset import add, build  # noqa: E402
from .cli_virtual import compare, virtualize  # noqa: E402

for _command in (build, add, virtualize, compare):
    data.add_command(_command)
