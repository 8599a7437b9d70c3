"""How realistic the synthetic data is, against the real recordings in ../shared/data:
waveform correlation with BioMAC P01 cycle averages, magnitudes against gaittoolbox S02, and the
size of the between-people effect. Writes bench/results/realism.json and realism.png."""
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
    rng = subject_rng(0, 0)
    synthetic = synthesize_trial(sample_subject(rng, "S01"), TrialSpec("walk", 1.0, 60.0), rng)
    walking = synthetic.slice(400, synthetic.n_samples)
    magnitudes = compare_magnitudes(s02, walking, start_s=10.5, stop_s=19.5)
    effect = subject_effect([synthesize_subject(7, i, default_trials(1.0)) for i in range(6)])
    plot_cycles(RESULTS / "realism.png")
    for kind, s in biomac["summary"].items():
        print(f"BioMAC {kind}: median r {s['median_r']:.2f}, {s['channels_r_above_0.5']}/{s['channels']} channels r>0.5")
    print(f"subject effect: own {effect['own_mean']:.2f} deg vs others {effect['others_mean']:.2f} deg")
    write_result("realism", {"biomac": biomac, "s02_magnitudes_p95": magnitudes, "subject_effect": effect,
                             "plot": "bench/results/realism.png"})
