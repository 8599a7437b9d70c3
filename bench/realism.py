"""How realistic the synthetic data is, against the real recordings in ../shared/data:
waveform correlation with BioMAC P01 cycle averages; against gaittoolbox S02's walking, per segment,
the |acc| and |gyr| 95th percentiles, how often |acc| is near g and the accelerometer's RMS per
frequency band (four synthetic people); and the size of the between-people effect.
Writes bench/results/realism.json and realism.png."""
import sys

import matplotlib
import numpy as np

from common import RESULTS, SHARED_DATA, write_result

from trainer.synth.generate import TrialSpec, default_trials, subject_rng, synthesize_subject, synthesize_trial
from trainer.synth.realism import biomac_twin, compare_magnitudes, compare_with_biomac, cycle_average, load_biomac, subject_effect
from trainer.synth.subjects import sample_subject

matplotlib.use("Agg")
BIOMAC = SHARED_DATA / "biomac-p01" / "P01_normwalking.mat"
S02 = SHARED_DATA / "gaittoolbox-s02-walk"


def plot_cycles(path):
    import matplotlib.pyplot as plt

    from trainer.data.schema import imu_columns

    reference = load_biomac(BIOMAC)
    twin = biomac_twin(reference)
    panels = [("femur_r", "gyr", 2), ("tibia_r", "gyr", 2), ("calcn_r", "gyr", 2), ("pelvis", "gyr", 0),
              ("femur_r", "acc", 0), ("tibia_r", "acc", 1), ("calcn_r", "acc", 0), ("pelvis", "acc", 1)]
    fig, axes = plt.subplots(2, 4, figsize=(15, 6.5))
    for ax, (segment, kind, axis) in zip(axes.flat, panels):
        column = imu_columns(segment)[(0 if kind == "acc" else 3) + axis]
        real = reference["signals"][segment, kind, axis]
        ax.plot(real, label="real (BioMAC P01, mean of cycles)")
        ax.plot(cycle_average(twin, column), label="synthetic twin")
        ax.set_title(f"{column}  r={np.corrcoef(real, cycle_average(twin, column))[0, 1]:.2f}")
        ax.set_xlabel("% gait cycle from right heel strike")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)


if __name__ == "__main__":
    if not BIOMAC.exists() or not S02.exists():
        sys.exit(f"skipped: {SHARED_DATA} not available")
    from load_real import load_once

    biomac = compare_with_biomac(BIOMAC)
    _, s02, _ = load_once()
    # Four people of the default data set's seed, 60 s of level walking each, the first 6 s (standing
    # and the first steps) cut.
    magnitudes = {}
    for index in range(4):
        rng = subject_rng(0, index)
        synthetic = synthesize_trial(sample_subject(rng, f"S{index + 1:02d}"), TrialSpec("walk", 1.0, 60.0), rng)
        magnitudes[f"S{index + 1:02d}"] = compare_magnitudes(s02, synthetic.slice(600, synthetic.n_samples),
                                                             start_s=10.5, stop_s=19.5)
    effect = subject_effect([synthesize_subject(7, i, default_trials(1.0)) for i in range(6)])
    plot_cycles(RESULTS / "realism.png")
    for kind, s in biomac["summary"].items():
        print(f"BioMAC {kind}: median r {s['median_r']:.2f}, {s['channels_r_above_0.5']}/{s['channels']} channels r>0.5")
    print(f"subject effect: own {effect['own_mean']:.2f} deg vs others {effect['others_mean']:.2f} deg")
    for segment in ("pelvis", "femur_r", "tibia_r", "calcn_r"):
        real = magnitudes["S01"][segment]
        print(f"{segment}: |acc| near g real {real['acc']['real_near_g_share']:.2f}, synthetic "
              + ", ".join(f"{m[segment]['acc']['synthetic_near_g_share']:.2f}" for m in magnitudes.values())
              + f"; 0-3 Hz acc RMS real {real['acc_band_rms']['0-3 Hz']['real']:.1f}, synthetic "
              + ", ".join(f"{m[segment]['acc_band_rms']['0-3 Hz']['synthetic']:.1f}" for m in magnitudes.values()))
    write_result("realism", {"biomac": biomac, "s02_walking_vs_synthetic": magnitudes, "subject_effect": effect,
                             "plot": "bench/results/realism.png"})
