"""`kinedge` device commands: everything that talks to a board (or the emulated one) through pyserial.
--port takes a device path (/dev/ttyACM0, COM5) or any pyserial URL (socket://127.0.0.1:PORT)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

PORT = click.option("--port", required=True, envvar="KINEDGE_PORT", show_envvar=True,
                    help="Serial port or pyserial URL of the device, e.g. /dev/ttyACM0 or socket://127.0.0.1:5555.")
TIMEOUT = click.option("--timeout", default=5.0, show_default=True, help="Seconds to wait for each answer.")


def open_device(port: str, timeout: float):
    from .device import Device

    return Device(port, timeout=timeout)


@click.command()
@click.option("--also", "extra", multiple=True, metavar="URL", help="Also probe this port or URL (repeatable).")
@TIMEOUT
def devices(extra, timeout):
    """List serial ports and mark the ones where a kinedge device answers PING."""
    from serial.tools import list_ports

    from .device import Device, DeviceGone, DeviceTimeout

    ports = [(p.device, p.description) for p in list_ports.comports()] + [(url, "given") for url in extra]
    if not ports:
        click.echo("no serial ports found (an emulated device: `kinedge emulate BUNDLE`, then --also its URL)")
        return
    for port, description in ports:
        try:
            with Device(port, timeout=min(timeout, 1.0)) as dev:
                dev.ping()
                info = dev.info()
                mark = f"kinedge {info['firmware']} on {info['board']}, model {info['model_hash']}"
        except (DeviceGone, DeviceTimeout, OSError):
            mark = "no kinedge answer"
        click.echo(f"{port:<32} {description:<28} {mark}")


@click.command()
@PORT
@TIMEOUT
@click.option("--json", "as_json", is_flag=True, help="Print INFO as JSON.")
def info(port, timeout, as_json):
    """What the device runs: firmware, board, engine, model hash, IMUs, rate, window, head, memory."""
    with open_device(port, timeout) as dev:
        answer = dev.info()
    if as_json:
        click.echo(json.dumps(answer, indent=1))
        return
    for key, value in answer.items():
        click.echo(f"{key:<18} {','.join(value) if isinstance(value, list) else value}")


@click.command()
@PORT
@TIMEOUT
@click.option("--seconds", default=30.0, show_default=True, help="How long to record (Ctrl-C stops early and keeps it).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Recording to write (.parquet).")
@click.option("--subject", default="NEW", show_default=True, help="Who wears the IMUs.")
@click.option("--activity", default="walk", show_default=True)
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def collect(port, timeout, seconds, out, subject, activity, force):
    """Record the device's raw IMU stream into a validated recording (calibration data).

    Sample sequence numbers are checked; lost samples become NaN rows and are reported. Ctrl-C or a
    lost connection keeps what was recorded (written atomically)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from trainer.data.store import write_recording
    from trainer.data.validate import validate

    from .collect import collect as record

    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (use --force to replace it)")
    with open_device(port, timeout) as dev:
        rate = dev.info()["sample_rate_hz"]
        with Progress(TextColumn("collecting"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} samples"),
                      TimeRemainingColumn()) as progress:
            task = progress.add_task("", total=seconds * rate)
            result = record(dev, seconds, on_sample=lambda n: progress.update(task, completed=n))
    if not result.sequence:
        raise click.ClickException(result.error or f"no samples arrived from {port} in {seconds:g} s "
                                   "(are the IMUs connected? on the emulated device, is the IMU link fed?)")
    recording = result.recording(subject, activity)
    validate(recording, source=out, gap_limit_s=recording.duration)
    write_recording(recording, out)
    summary = (f"{out}: {recording.n_samples} samples ({recording.duration:.1f} s at {rate} Hz), "
               f"{result.drops} lost")
    if result.stopped_by == "disconnect":
        raise click.ClickException(f"{result.error}; the {len(result.sequence)} samples received are kept in {out}")
    click.echo(summary + (" (stopped early by Ctrl-C)" if result.stopped_by == "interrupt" else ""))


@click.command()
@click.argument("recording", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Reference joint angles of the same walk: OpenSim .mot/.sto, C3D, or CSV/Parquet.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Labelled recording to write.")
@click.option("--max-lag", default=5.0, show_default=True, help="Largest clock offset to search, in seconds.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def sync(recording, reference, out, max_lag, force):
    """Label an IMU recording with reference angles: align the two clocks by cross-correlating thigh
    and foot rotation speed with the reference's sagittal angles, then resample onto the IMU clock."""
    from trainer.data.align import align_to_reference
    from trainer.data.reference import load_reference
    from trainer.data.store import read_recording, write_recording

    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (use --force to replace it)")
    imu = read_recording(recording)
    labelled, alignment = align_to_reference(imu, load_reference(reference, imu.subject, imu.activity), max_lag)
    write_recording(labelled, out)
    click.echo(f"aligned: {alignment.describe()}")
    click.echo(f"{out}: {labelled.n_samples} labelled samples ({labelled.duration:.1f} s), angles "
               f"{', '.join(labelled.angles)}")


@click.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Head blob to write (head.bin).")
@click.option("--holdout", default=0.25, show_default=True, help="Fraction at the end of the data kept for scoring.")
@click.option("--person", "person_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The person's calibration blob (from `kinedge calibrate`); default: calibrated label-free "
                   "from LABELLED itself, and written next to OUT as <OUT>.person.bin.")
@click.option("--head-id", type=int, help="Id the device will report (default: derived from the weights).")
def finetune(bundle, labelled, out, holdout, person_path, head_id):
    """Fit a new head for one person on the host, against the device's own int8 embeddings of a
    labelled recording (through the person's calibration, as the device will run it); print RMSE
    before/after on its held-out tail; write the head blob. Push both: push-calibration, push-head."""
    from converter.calibration_blob import CalibrationBlob
    from trainer.calibration import calibrate as calibrate_person
    from trainer.data.atomic import atomic_path
    from trainer.data.store import read_recording

    from .cli_person import read_person
    from .device_model import DeviceModel
    from .finetune import finetune_head

    started = time.perf_counter()
    model = DeviceModel(bundle)
    recording = read_recording(labelled)
    if person_path:
        calibration = read_person(person_path, model.card).calibration
    else:
        calibration = calibrate_person([recording], model.segments)
        person_out = out.with_name(out.stem + ".person.bin")
        with atomic_path(person_out) as tmp:
            tmp.write_bytes(CalibrationBlob(calibration, bytes.fromhex(model.model_hash)).to_bytes())
        click.echo(f"calibrated label-free from {labelled}: {person_out}")
    result = finetune_head(model, recording, calibration, holdout, head_id=head_id)
    with atomic_path(out) as tmp:
        tmp.write_bytes(result.head.to_bytes())
    click.echo(f"head-only fine-tune on {result.train_windows} windows, scored on the last {result.test_windows} "
               f"({time.perf_counter() - started:.1f} s)")
    click.echo(f"  {'joint':<17} {'before':>7} {'after':>7}   RMSE, deg")
    for joint, before, after in zip(result.joints, result.before_rmse, result.after_rmse):
        click.echo(f"  {joint:<17} {before:7.2f} {after:7.2f}")
    click.echo(f"  {'mean':<17} {result.before_rmse.mean():7.2f} {result.after_rmse.mean():7.2f}")
    click.echo(f"{out}: head id {result.head.head_id} for model {result.head.model_hash.hex()}")


@click.command(name="push-head")
@click.argument("head", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PORT
@TIMEOUT
def push_head(head, port, timeout):
    """Upload a head blob to the device (no reflash) and verify it by INFO. A head made for another
    model is refused before anything is sent."""
    from .push import push_head as push

    blob = head.read_bytes()
    with open_device(port, timeout) as dev:
        after, seconds, head_id = push(dev, blob, source=str(head))
    click.echo(f"head {head_id} (crc {int(after['head_crc'], 16):08x}) is running on {port}, stored in "
               f"{after['head_source']}; {len(blob)} bytes in {seconds:.2f} s")


@click.command()
@PORT
@TIMEOUT
@click.option("-n", "runs", default=20, show_default=True, help="Estimates to time.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the figures to this JSON file.")
def bench(port, timeout, runs, json_out):
    """Time the device's estimate per stage (front-end, normalise, int8 backbone, float head) and show its
    memory. On the emulated board the unit is instructions (QEMU -icount), not cycles."""
    from trainer.data.atomic import write_text_atomic

    from . import protocol as p

    with open_device(port, timeout) as dev:
        info_ = dev.info()
        answer = dev.bench(runs)
    unit = answer["unit"]
    stages = p.BENCH_STAGES
    per = {s: answer[s] / answer["runs"] for s in stages}
    click.echo(f"{info_['board']} ({info_['engine']} engine), {runs} estimates, per estimate:")
    click.echo(f"  {'stage':<10} {unit:>14}" + (f" {'µs':>10}" if f"{stages[0]}_us" in answer else ""))
    for s in stages:
        us = f" {answer[s + '_us'] / answer['runs']:10.1f}" if f"{s}_us" in answer else ""
        click.echo(f"  {s:<10} {per[s]:14,.0f}{us}")
    click.echo(f"  {'total':<10} {sum(per.values()):14,.0f}")
    if unit == "instructions":
        click.echo("  (guest instructions counted by QEMU -icount: not Cortex-M4 cycles)")
    click.echo(f"memory: flash {info_['flash_bytes']:,} B, RAM {info_['ram_bytes']:,} B static, "
               f"activations {info_['arena_bytes']:,} B")
    if json_out:
        write_text_atomic(json_out, json.dumps({"info": info_, "bench": answer, "per_estimate": per}, indent=1))


@click.command()
@click.argument("recording", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PORT
@TIMEOUT
@click.option("--bundle", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Compare the device with this bundle's host model (bit for bit).")
@click.option("--head", "head_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The head the device runs, if not the bundle's (for the host comparison).")
@click.option("--person", "person_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The calibration the device runs, if not the nominal one (for the host comparison).")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the figures to this JSON file.")
def replay(recording, port, timeout, bundle, head_path, person_path, json_out):
    """Stream a recording through the device (REPLAY) and report its angles against the recording's
    reference angles and, with --bundle, against the host model."""
    from rich.progress import Progress

    from converter.head_blob import Head
    from trainer.data.atomic import write_text_atomic
    from trainer.data.store import read_recording

    from .replay import compare_with_host, device_samples, score_against_reference

    rec = read_recording(recording)
    with open_device(port, timeout) as dev:
        running = dev.info()
        x = device_samples(rec, running["channels"], recording)
        started = time.perf_counter()
        with Progress() as progress:
            task = progress.add_task("replaying", total=len(x))
            ends, angles, embeddings = dev.replay(x, embeddings=bundle is not None,
                                                  on_progress=lambda n: progress.advance(task, n))
        seconds = time.perf_counter() - started
    report = {"windows": int(len(ends)), "seconds": round(seconds, 2), "model_hash": running["model_hash"],
              "head_id": running["head_id"]}
    click.echo(f"{len(ends)} estimates from {len(x)} samples in {seconds:.1f} s")
    scores = score_against_reference(rec, running["outputs"], ends, angles)
    if scores:
        report["rmse_deg"] = scores
        click.echo("RMSE against the recording's angles: " +
                   ", ".join(f"{k} {v:.2f}" for k, v in scores.items()) + " deg")
    if bundle is not None:
        from trainer.bundle import read_card

        from .cli_person import read_person

        head = Head.from_bytes(head_path.read_bytes()) if head_path else None
        calibration = read_person(person_path, read_card(bundle)).calibration if person_path else None
        report["host"] = compare_with_host(bundle, running, x, ends, angles, embeddings, head, calibration)
        host = report["host"]
        click.echo(f"against the host model: backbone outputs identical in {host['identical_embeddings']} of "
                   f"{len(ends)} windows, largest angle difference {host['max_angle_difference_deg']:.2g} deg")
    if json_out:
        write_text_atomic(json_out, json.dumps(report, indent=1))


@click.command()
@PORT
@TIMEOUT
@click.option("--seconds", type=float, help="Stop after this long (default: until Ctrl-C).")
def monitor(port, timeout, seconds):
    """Live joint angles from the device in the terminal."""
    import numpy as np
    from rich.live import Live
    from rich.table import Table

    from . import protocol as p

    with open_device(port, timeout) as dev:
        running = dev.info()
        names, k = running["outputs"], len(running["outputs"])
        dev.estimate(True)
        started, count, last = time.monotonic(), 0, None
        try:
            with Live(refresh_per_second=8) as live:
                while seconds is None or time.monotonic() - started < seconds:
                    frame = dev.read_stream(timeout=0.5)
                    if frame is None or frame.type != p.ANGLES:
                        continue
                    count += 1
                    last = (int.from_bytes(frame.payload[:4], "little"), np.frombuffer(frame.payload, "<f4", k, 8))
                    table = Table(title=f"{port} — {count / (time.monotonic() - started):.1f} estimates/s, "
                                        f"sample {last[0]}")
                    table.add_column("joint")
                    table.add_column("deg", justify="right")
                    for name, value in zip(names, last[1]):
                        table.add_row(name, f"{value:7.1f}")
                    live.update(table)
        except KeyboardInterrupt:
            pass
        finally:
            dev.estimate(False)
    if count == 0:
        raise click.ClickException(f"no estimates from {port}: are the IMUs streaming?")


@click.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--env", "env", required=True, help="PlatformIO environment (see platformio.ini): nano33ble, esp32s3, ...")
@click.option("--upload-port", help="Serial port for the upload (PlatformIO finds it otherwise).")
def flash(bundle, env, upload_port):
    """Put the bundle's generated sources into the firmware and build + upload it with PlatformIO
    (`pio run -e ENV -t upload`). Needs PlatformIO's registry the first time (platforms, libraries)."""
    from .flash import flash_board

    flash_board(bundle, env, upload_port, echo=click.echo)


@click.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--imu", "imu_recording", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Recording whose IMU channels the emulated sensors play, in real time, looping.")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the device's storage and build (default: BUNDLE/emulated).")
@click.option("--rate", type=float, help="Samples per second to feed (default: the model's rate).")
@click.option("--seconds", type=float, help="Stop after this long (default: until Ctrl-C).")
def emulate(bundle, imu_recording, state, rate, seconds):
    """Run the kinedge firmware for BUNDLE on an emulated Cortex-M4 (QEMU mps2-an386) and print the
    URL to use as --port. With --imu, its sensors play a recording."""
    import sys

    from .emulate import run_emulator

    def echo(text):  # flushed at once: other programs read the URL from this output
        click.echo(text)
        sys.stdout.flush()

    run_emulator(bundle, imu_recording, state or bundle / "emulated", rate, seconds, echo=echo)
