"""Realism of modelled IMU signals against the real Xsens sensors of the shared S02 trial:
`kinedge data virtualize` (virtual IMUs from the trial's own Vicon segment poses) and the
synthetic generator's twin (the trial's joint angles and pelvis orientation through the
generator's body and sensor model). Per segment: lag, mounting found, gyro/acc r and RMS
difference per axis. Results: bench/results/virtual_vs_real.json and virtual_vs_real.png."""
import sys

import matplotlib
import numpy as np

from common import RESULTS, SHARED_DATA, write_result

from trainer.data.loaders.c3d import load_c3d_angles
from trainer.data.loaders.c3d_segments import read_segment_poses
from trainer.data.loaders.xsens import load_xsens_trial
from trainer.data.schema import imu_columns
from trainer.data.sensor_agreement import compare_with_real, describe_agreement, kabsch, overlap
from trainer.data.virtualize import VirtualSettings, virtualize_c3d
from trainer.synth import twin as twin_model

matplotlib.use("Agg")
TRIAL = SHARED_DATA / "gaittoolbox-s02-walk"
C3D = TRIAL / "S02-Trial-Walk-1-vicon.c3d"
SENSORS = {"00B40B91": "pelvis", "00B40C45": "femur_l", "00B40C3C": "femur_r", "00B40C44": "tibia_l",
           "00B40C47": "tibia_r", "00B40C55": "calcn_l", "00B40C48": "calcn_r"}
WALKING_S = (10.5, 19.5)


def summary(result: dict) -> dict:
    rows = result["segments"].values()
    return {"mean_sagittal_gyr_r": round(float(np.mean([r["sagittal_gyr_r"] for r in rows])), 3),
            "mean_gyr_magnitude_r": round(float(np.mean([r["gyr"]["magnitude_r"] for r in rows])), 3),
            "mean_acc_magnitude_r": round(float(np.mean([r["acc"]["magnitude_r"] for r in rows])), 3),
            "mean_gyr_rms_diff": round(float(np.mean([r["gyr"][a]["rms_diff"] for r in rows for a in "xyz"])), 3),
            "mean_acc_rms_diff": round(float(np.mean([r["acc"][a]["rms_diff"] for r in rows for a in "xyz"])), 3)}


def plot(path, real, modelled: dict):
    import matplotlib.pyplot as plt

    segments = ["femur_r", "tibia_r", "calcn_r"]
    fig, axes = plt.subplots(2, 3, figsize=(15, 6.5), sharex=True)
    for column, segment in enumerate(segments):
        for name, (recording, axis, sign) in modelled.items():
            _, in_real, in_model = overlap(recording, real, list(real.segments), 10.0)
            g_real = real.data[imu_columns(segment, ("gyr",))].to_numpy(dtype=float)[in_real]
            g_model = recording.data[imu_columns(segment, ("gyr",))].to_numpy(dtype=float)[in_model]
            a_real = real.data[imu_columns(segment, ("acc",))].to_numpy(dtype=float)[in_real]
            a_model = recording.data[imu_columns(segment, ("acc",))].to_numpy(dtype=float)[in_model]
            Q = kabsch(g_real, g_model)
            t = real.data["time"].to_numpy()[in_real]
            keep = (t >= WALKING_S[0]) & (t < WALKING_S[0] + 4)
            k = "xyz".index(axis)
            if name == "virtualize":
                axes[0, column].plot(t[keep], (g_real @ Q.T)[keep, k], "k", lw=2, label="real Xsens (turned)")
                axes[1, column].plot(t[keep], np.linalg.norm(a_real, axis=1)[keep], "k", lw=2, label="real Xsens")
            axes[0, column].plot(t[keep], sign * g_model[keep, k], label=name)
            axes[1, column].plot(t[keep], np.linalg.norm(a_model, axis=1)[keep], label=name)
        axes[0, column].set_title(f"{segment}: sagittal gyro (rad/s)")
        axes[1, column].set_title(f"{segment}: |acc| (m/s²)")
        axes[1, column].set_xlabel("time in the trial (s)")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)


if __name__ == "__main__":
    if not TRIAL.exists():
        sys.exit(f"skipped: {TRIAL} not available")
    real = load_xsens_trial(sorted((TRIAL / "rawimu").glob("*.txt")), SENSORS, "S02", "walk")
    results, recordings = {}, {}
    for cutoff in (6.0, 10.0, 15.0, 0.0):
        virtual = virtualize_c3d(C3D, "S02", "walk", VirtualSettings(cutoff_hz=cutoff))
        results[f"virtualize_cutoff_{cutoff:g}hz"] = compare_with_real(virtual, real)
        if cutoff == 10.0:
            recordings["virtualize"] = (virtual, "y", 1.0)
    twin = twin_model.twin_of(load_c3d_angles(C3D, "S02", "walk"), read_segment_poses(C3D))
    results["synthetic_twin"] = compare_with_real(twin, real, sagittal_axis=twin_model.SAGITTAL_AXIS)
    # OpenSim's z points right where the mocap frames' y points left: same rotation, other sign.
    recordings["synthetic twin"] = (twin, twin_model.SAGITTAL_AXIS, -1.0)
    for name in ("virtualize_cutoff_10hz", "synthetic_twin"):
        print(name)
        print(describe_agreement(results[name]))
    plot(RESULTS / "virtual_vs_real.png", real, recordings)
    write_result("virtual_vs_real", {
        "trial": "gaittoolbox S02 Walk-1 (real Xsens MTw vs Vicon segment poses)",
        "summary": {name: summary(r) for name, r in results.items()},
        "default": "virtualize_cutoff_10hz", "results": results, "plot": "bench/results/virtual_vs_real.png"})
