"""Same seed, same model — also across processes (the first model of a process included)."""
import subprocess
import sys

SCRIPT = """
from trainer.approaches import ExperimentConfig, People, single_user
from trainer.bundle import weights_hash
from trainer.fit import FitSettings
from trainer.synth.generate import TrialSpec, subject_rng, synthesize_trial
from trainer.synth.subjects import sample_subject
rng = subject_rng(5, 0)
recording = synthesize_trial(sample_subject(rng, "T"), TrialSpec("walk", 1.0, 15.0), rng)
config = ExperimentConfig(fit=FitSettings(epochs=2))\ntrained = single_user(config, People({"T": [recording]}, config), "T")
print(weights_hash(trained.model))
"""


def test_training_is_repeatable_across_processes():
    hashes = {subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout.strip()
              for _ in range(2)}
    assert len(hashes) == 1 and len(hashes.pop()) == 64
