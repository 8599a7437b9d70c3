"""`kinedge calibrate`, `kinedge push-calibration` and `kinedge predict`: one person's label-free
calibration, on the device and in offline estimates."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click

from .cli_device import PORT, TIMEOUT, open_device

BUNDLE = click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))


def bundle_model_hash(bundle: Path) -> bytes | None:
    path = Path(bundle) / "conversion.json"
    return bytes.fromhex(json.loads(path.read_text())["model_hash"]) if path.exists() else None


def read_person(path: Path, card: dict):
    """A person.bin (calibration blob) as a Calibration for the card's segments."""
    from converter.calibration_blob import CalibrationBlob, CalibrationBlobError

    try:
        return CalibrationBlob.from_bytes(path.read_bytes(), card["segments"])
    except CalibrationBlobError as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def read_head(path: Path):
    from converter.head_blob import Head, HeadBlobError

    try:
        return Head.from_bytes(path.read_bytes())
    except HeadBlobError as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def describe_calibration(calibration) -> list[str]:
    lines = [f"  {'IMU':<9} {'vertical from':<15} {'standing s':>10} {'walking s':>9} {'axis share':>10}  sign from"]
    for q in calibration.imu_results():
        lines.append(f"  {q['imu']:<9} {q['vertical_from']:<15} {q['standing_s']:10.1f} {q['walking_s']:9.1f} "
                     f"{q['axis_share']:10.2f}  {q['sign_from']}")
    return lines


@click.command()
@BUNDLE
@click.argument("recording", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Calibration blob to write (person.bin).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def calibrate(bundle, recording, out, force):
    """Label-free sensor-to-segment calibration of one person from RECORDING (quiet standing, then a
    few steps of walking; IMU channels only, e.g. from `kinedge collect`), for the IMUs of BUNDLE's
    model. Writes the device's calibration blob and prints each IMU's result."""
    from converter.calibration_blob import CalibrationBlob
    from trainer.bundle import read_card
    from trainer.calibration import calibrate as calibrate_person
    from trainer.data.atomic import atomic_path
    from trainer.data.store import read_recording

    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (use --force to replace it)")
    card = read_card(bundle)
    started = time.perf_counter()
    calibration = calibrate_person([read_recording(recording)], card["segments"])
    seconds = time.perf_counter() - started
    digest = bundle_model_hash(bundle)
    blob = CalibrationBlob(calibration, digest or bytes(8)).to_bytes()
    with atomic_path(out) as tmp:
        tmp.write_bytes(blob)
    summary = calibration.quality["summary"]
    click.echo(f"calibrated {len(calibration.segments)} IMUs from {summary['seconds']:.1f} s "
               f"({summary['standing_s']:.1f} s standing, {summary['walking_s']:.1f} s walking) in {seconds:.2f} s")
    for line in describe_calibration(calibration):
        click.echo(line)
    bound = f"for model {digest.hex()}" if digest else "not bound to a device model (convert the bundle to push it)"
    click.echo(f"{out}: {len(blob)} bytes, {bound}")


@click.command(name="push-calibration")
@click.argument("person", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PORT
@TIMEOUT
def push_calibration(person, port, timeout):
    """Upload a person's calibration blob (from `kinedge calibrate`) to the device, no reflash, and
    verify it by INFO. One made for another model is refused before anything is sent."""
    from .push import push_calibration as push

    blob = person.read_bytes()
    with open_device(port, timeout) as dev:
        after, seconds, calibration_id = push(dev, blob, source=str(person))
    click.echo(f"calibration {calibration_id} (crc {int(after['calib_crc'], 16):08x}) is running on {port}, stored in "
               f"{after['calib_source']}; {len(blob)} bytes in {seconds:.2f} s")


@click.command()
@BUNDLE
@click.argument("recording", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Estimates to write (.parquet).")
@click.option("--person", "person_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The person's calibration blob (default: the bundle's own calibration.json, else the nominal mounting).")
@click.option("--head", "head_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A head blob to use instead of the bundle's head.")
@click.option("--device", "on_device", is_flag=True,
              help="Compute as the device does, bit for bit (int8 backbone; needs a converted bundle). "
                   "Default: the bundle's float model, as the experiments score it.")
@click.option("--test-fraction", type=float,
              help="Also print the RMSE over the estimates in this last part of RECORDING (its own angles).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
def predict(bundle, recording, out, person_path, head_path, on_device, test_fraction, force):
    """Offline estimates for every sample from the first full window on, every hop, causal: exactly
    what the device would stream. Written as a recording-like table (time + angle columns), so
    scoring any method against any reference is a join on time."""
    from trainer.bundle import load_bundle, read_calibration, read_card
    from trainer.calibration import Calibration
    from trainer.data.store import read_recording
    from trainer.data.validate import validate
    from trainer.data.store import write_recording
    from trainer.predict import estimate, estimates_table, scores

    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (use --force to replace it)")
    card = read_card(bundle)
    rec = read_recording(recording)
    if person_path:
        calibration, source = read_person(person_path, card).calibration, str(person_path)
    else:
        calibration = read_calibration(bundle)
        source = "the bundle's calibration.json" if calibration else "the nominal mounting (no calibration given)"
        calibration = calibration or Calibration.identity(card["segments"])
    head = read_head(head_path) if head_path else None
    outputs = [o["name"] for o in card["outputs"]]
    started = time.perf_counter()
    if on_device:
        from .device_model import DeviceModel

        if not (bundle / "model_int8.tflite").exists():
            raise click.ClickException(f"{bundle}: not converted; run `kinedge convert {bundle}` first or drop --device")
        x = rec.data[card["channels"]].to_numpy("float32")
        ends, angles, _ = DeviceModel(bundle).run(x, head, calibration)
        engine = "the device's computation (int8, bit-exact)"
    else:
        model, card, normalizer = load_bundle(bundle)
        ends, angles = estimate(model, card, normalizer, calibration, rec,
                                (head.kernel, head.bias) if head else None)
        engine = "the float model"
    table = estimates_table(rec, outputs, ends, angles)
    estimates = rec.replace(data=table, source=f"kinedge predict {bundle.name}", sample_rate=rec.sample_rate / int(card["hop"]),
                            extra={"bundle": str(bundle), "calibration": source, "engine": engine})
    write_recording(validate(estimates, source=out, gap_limit_s=float("inf")), out)
    click.echo(f"{out}: {len(ends)} estimates ({engine}, calibration: {source}) in {time.perf_counter() - started:.1f} s")
    if test_fraction is not None:
        found = scores(rec, outputs, ends, angles, test_fraction)
        if not found:
            raise click.ClickException(f"{recording} has none of the angles {', '.join(outputs)} to score against")
        click.echo(f"RMSE on the last {test_fraction:.0%}: " + ", ".join(f"{k} {v:.2f}" for k, v in found.items())
                   + f" deg (mean {sum(found.values()) / len(found):.2f})")
