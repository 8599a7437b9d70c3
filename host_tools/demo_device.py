"""The device part of `kinedge demo`: the held-out person's multi-user model runs on the emulated
Cortex-M4 with their label-free calibration pushed; the transfer head (fitted on the labelled first
part of their trials) is pushed without a reflash; their held-out test data is replayed through the
device before and after; accuracy and cost are printed. The transfer-head approach changes only the
head of the multi-user backbone, so the backbone on the device is the same network for both heads."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from converter.backbone import head_weights
from converter.convert import convert_bundle
from converter.calibration_blob import CalibrationBlob
from converter.head_blob import Head
from trainer.bundle import load_bundle, read_calibration, read_card
from trainer.data.store import Dataset

from .device import Device
from .emulator import Emulator, build_firmware

REPLAY_TRIALS = 2   # this many trials are replayed; their test parts (each about 5 s of walking) are scored


def _same_backbone(a, b) -> bool:
    names = [layer.name for layer in a.layers if layer.weights and layer.name != "head"]
    return all(all(np.array_equal(x, y) for x, y in zip(a.get_layer(n).get_weights(), b.get_layer(n).get_weights()))
               for n in names)


def test_parts(card: dict, subject: str):
    """The subject's trials from their standing start, as the device would stream them, with the
    index of the first sample of the last test_fraction (the part the evaluation scored).

    Replayed whole, as the evaluation computed them: the front-end's inclination filter needs its
    first seconds to settle (it averages the first 3 s to start), so a replay started mid-walk
    would not score what the evaluation scored."""
    fraction = card["training"]["config"]["test_fraction"]
    recordings = Dataset(Path(card["provenance"]["dataset"])).load(subjects=[subject])[:REPLAY_TRIALS]
    parts = []
    for r in recordings:
        parts.append((r, int(round(r.n_samples * (1 - fraction)))))
    return parts


def run_device_part(results: Path, subject: str, echo=print) -> dict:
    multi, transfer = results / "bundles" / "multi-user" / subject, results / "bundles" / "transfer-head" / subject
    echo(f"device: converting the multi-user model for {subject} (what a new device ships with)")
    report = convert_bundle(multi)
    multi_model, card, _ = load_bundle(multi)
    transfer_model, _, _ = load_bundle(transfer)
    if not _same_backbone(multi_model, transfer_model):
        raise RuntimeError("the transfer-head model's backbone differs from the multi-user one; its head cannot be pushed")
    kernel, bias = head_weights(transfer_model)
    head = Head(kernel, bias, bytes.fromhex(report["model_hash"]), head_id=1, n_physics=len(card["physics"]))
    person = CalibrationBlob(read_calibration(multi), bytes.fromhex(report["model_hash"]), calibration_id=1).to_bytes()
    parts = test_parts(read_card(multi), subject)
    outputs = [o["name"] for o in card["outputs"]]
    started = time.perf_counter()
    elf = build_firmware(multi, multi / "emulated" / "build")
    with Emulator(elf, multi / "emulated" / "device") as emulator, Device(emulator.url) as dev:
        info = dev.info()
        echo(f"device: {info['board']} ({info['engine']} engine), model {info['model_hash']}, "
             f"flash {info['flash_bytes']:,} B, RAM {info['ram_bytes']:,} B static, at {emulator.url}")
        dev.upload_calibration(person)
        echo(f"device: {subject}'s label-free calibration pushed ({len(person)} bytes)")

        def replay_all():
            angles, truth = [], []
            for part, first in parts:
                x = part.data[info["channels"]].to_numpy(np.float32)
                e, a, _ = dev.replay(x)
                scored = e >= first
                angles.append(a[scored])
                truth.append(part.data[outputs].to_numpy(np.float64)[e[scored]])
            a, t = np.concatenate(angles), np.concatenate(truth)
            return np.sqrt(np.mean((a - t) ** 2, axis=0)), len(a)

        before, windows = replay_all()
        pushed = time.perf_counter()
        dev.upload_head(head.to_bytes())
        push_seconds = time.perf_counter() - pushed
        after, _ = replay_all()
        bench = dev.bench(20)
    per_estimate = {k: bench[k] / bench["runs"] for k in ("frontend", "normalise", "backbone", "head")}
    echo(f"device: replayed {windows} windows of {subject}'s held-out walking, RMSE on the device (deg):")
    echo(f"  {'joint':<17} {'multi-user head':>16} {'transfer head':>14}")
    for name, b, a in zip(outputs, before, after):
        echo(f"  {name:<17} {b:16.2f} {a:14.2f}")
    echo(f"  {'mean':<17} {before.mean():16.2f} {after.mean():14.2f}   (head pushed in {push_seconds:.2f} s, no reflash)")
    echo(f"device: one estimate = {sum(per_estimate.values()):,.0f} {bench['unit']} (front-end "
         f"{per_estimate['frontend']:,.0f}, normalise {per_estimate['normalise']:,.0f}, backbone "
         f"{per_estimate['backbone']:,.0f}, head {per_estimate['head']:,.0f}); "
         f"QEMU counts instructions, not cycles ({time.perf_counter() - started:.0f} s for the device part)")
    return {"before": before, "after": after, "bench": bench}
