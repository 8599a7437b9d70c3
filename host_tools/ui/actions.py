"""What the page's buttons do, through the same functions as the CLI: `collect`'s recording of raw
samples, `trainer.calibration.calibrate`, `push`'s verified uploads, the device's BENCH and
REPLAY, and `replay`'s scoring against a recording's own angles. Each runs as a job (jobs.py)."""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..collect import Collected
from ..push import push_calibration, push_head
from ..protocol import BENCH_STAGES
from ..replay import device_samples, score_against_reference
from .jobs import Job
from .link import DeviceLink

INFO_SHOWN_AFTER_PUSH = ("head_id", "head_crc", "head_source", "calib_id", "calib_crc", "calib_source")
MAX_POINTS = 2000  # replay series sent to the page (down-sampled evenly beyond this)


@dataclass
class RecordedCalibration:
    """The last calibration recorded on the page, kept until pushed or replaced."""
    blob: bytes
    recording_parquet: bytes
    calibration_id: int
    summary: dict
    imus: list


def record_calibration(job: Job, link: DeviceLink, seconds: float, standing_seconds: float,
                       subject: str = "NEW") -> tuple[dict, RecordedCalibration]:
    """Raw samples for `seconds` while the estimates keep streaming, then the label-free calibration
    of the model's IMUs from them. The page tells the person to stand for `standing_seconds`, then walk."""
    from converter.calibration_blob import CalibrationBlob, read_fields
    from trainer.calibration import calibrate
    from trainer.data.store import write_recording
    from trainer.data.validate import validate

    if not 5 <= seconds <= 600 or not 0 <= standing_seconds < seconds:
        raise ValueError(f"record between 5 and 600 s with standing shorter than the whole (got {seconds:g} s, "
                         f"standing {standing_seconds:g} s)")
    info = link.call(lambda dev: dev.info())
    collected = Collected(info)
    rate = float(info["sample_rate_hz"])
    link.raw_taps.append(collected.add)
    link.call(lambda dev: dev.estimate(True, raw=True))
    started = time.monotonic()
    try:
        while (elapsed := time.monotonic() - started) < seconds:
            if link.state != "connected":
                raise ConnectionError(f"the device was lost after {len(collected.sequence)} samples: {link.error}")
            say = "stand still" if elapsed < standing_seconds else "walk at your own pace"
            job.progress(len(collected.sequence), seconds * rate, say)
            time.sleep(0.1)
    finally:
        link.raw_taps.remove(collected.add)
        if link.state == "connected":
            link.call(lambda dev: dev.estimate(True, raw=False))
    job.progress(seconds * rate, seconds * rate, "calibrating")
    if not collected.sequence:
        raise ValueError(f"no samples arrived from {link.port} in {seconds:g} s (are the IMUs streaming?)")
    recording = collected.recording(subject, "calibration")
    validate(recording, source="the recorded calibration", gap_limit_s=recording.duration)
    calibration = calibrate([recording], info["segments"])
    blob = CalibrationBlob(calibration, bytes.fromhex(info["model_hash"])).to_bytes()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calibration.parquet"
        write_recording(recording, path)
        parquet = path.read_bytes()
    imus = calibration.imu_results()
    summary = {**calibration.quality["summary"], "samples": recording.n_samples, "lost_samples": collected.drops}
    kept = RecordedCalibration(blob, parquet, read_fields(blob)[1], summary, imus)
    return {"summary": summary, "imus": imus, "calibration_id": kept.calibration_id, "bytes": len(blob)}, kept


def push_blob(job: Job, link: DeviceLink, blob: bytes, kind: str, source: str) -> dict:
    """A head or a person calibration through push.py (checked, uploaded, verified by INFO)."""
    before = link.info or {}
    job.progress(0, 1, f"uploading the {kind}")
    push = push_head if kind == "head" else push_calibration

    def work(dev):
        answer = push(dev, blob, source)
        if kind == "calibration":
            link.expect_restart()
        return answer

    after, seconds, blob_id = link.call(work)
    link.info = after
    link.publish_device()
    return {"kind": kind, "id": blob_id, "seconds": round(seconds, 3), "bytes": len(blob), **_change(before, after)}


def _change(before: dict, after: dict) -> dict:
    """What the page shows of INFO before and after a push or a reset."""
    return {"before": {k: before.get(k) for k in INFO_SHOWN_AFTER_PUSH},
            "after": {k: after.get(k) for k in INFO_SHOWN_AFTER_PUSH}}


def reset(link: DeviceLink, kind: str) -> dict:
    """Back to the model's compiled-in head, or to the nominal calibration."""
    before = link.info or {}

    def work(dev):
        if kind == "head":
            dev.reset_head()
        else:
            dev.reset_calibration()
            link.expect_restart()
        return dev.info()

    after = link.call(work)
    link.info = after
    link.publish_device()
    return {"kind": kind, **_change(before, after)}


def bench(job: Job, link: DeviceLink, runs: int, chunk: int = 10) -> dict:
    """The device's BENCH in chunks (so it shows progress and can be cancelled); per-estimate figures."""
    if not 1 <= runs <= 1000:
        raise ValueError(f"runs must be 1..1000, got {runs}")
    totals: dict = {}
    done = 0
    while done < runs:
        job.progress(done, runs, "timing estimates on the device")
        n = min(chunk, runs - done)
        answer = link.call(lambda dev: dev.bench(n))
        for key, value in answer.items():
            totals[key] = value if key == "unit" else totals.get(key, 0) + value
        done += n
    stages = BENCH_STAGES
    per = {s: totals[s] / totals["runs"] for s in stages}
    info = link.info or {}
    result = {"unit": totals["unit"], "runs": totals["runs"], "per_estimate": per, "total": sum(per.values()),
              "memory": {k: info.get(k) for k in ("flash_bytes", "ram_bytes", "arena_bytes")},
              "board": info.get("board"), "engine": info.get("engine")}
    if f"{stages[0]}_us" in totals:
        result["per_estimate_us"] = {s: totals[f"{s}_us"] / totals["runs"] for s in stages}
    return result


def replay(job: Job, link: DeviceLink, parquet: bytes, filename: str) -> dict:
    """A recording with reference angles through the device's REPLAY: device vs reference per joint,
    with the RMSE (the same scoring as `kinedge replay`)."""
    from trainer.data.schema import TIME
    from trainer.data.store import read_recording

    name = Path(filename or "recording.parquet").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(parquet)
        recording = read_recording(path)
    info = link.info or link.call(lambda dev: dev.info())
    outputs = info["outputs"]
    x = device_samples(recording, info["channels"], name)
    sent = [0]

    def on_progress(n, dev):
        sent[0] += n
        job.progress(sent[0], len(x), "replaying through the device")  # raises Cancelled when asked
        link.pump(dev)  # the live traces keep moving meanwhile

    def work(dev):
        return dev.replay(x, on_progress=lambda n: on_progress(n, dev))

    ends, angles, _ = link.call(work)
    scores = score_against_reference(recording, outputs, ends, angles)
    keep = np.unique(np.linspace(0, len(ends) - 1, min(len(ends), MAX_POINTS)).round().astype(int)) if len(ends) else []
    time_s = recording.data[TIME].to_numpy()[ends[keep]] if len(ends) else np.zeros(0)
    series = []
    for j, joint in enumerate(outputs):
        reference = (recording.data[joint].to_numpy()[ends[keep]].tolist() if joint in recording.data.columns
                     else None)
        series.append({"joint": joint, "device": angles[keep, j].tolist(),
                       "reference": _nan_to_none(reference), "rmse": scores.get(joint)})
    return {"file": name, "estimates": int(len(ends)), "samples": int(len(x)), "time": time_s.tolist(),
            "series": series, "rmse": scores}


def _nan_to_none(values):
    return None if values is None else [None if v != v else v for v in values]

