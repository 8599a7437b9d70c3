"""The bit-exact gate: the generated model (compiled for this computer, or on the emulated M4)
must give exactly TFLM's int8 outputs for every input."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .codegen import Generated

RANDOM_INPUTS = 1000


@dataclass
class Comparison:
    inputs: int
    mismatched_values: int
    mismatched_inputs: int
    largest_difference: int

    @property
    def exact(self) -> bool:
        return self.mismatched_values == 0


def random_inputs(generated: Generated, count: int = RANDOM_INPUTS, seed: int = 0) -> np.ndarray:
    """Uniform over the whole int8 range (saturation and every rounding case included); for a float
    input (calibrated on unit-variance data in the zoo), normal values wide enough to saturate the
    input quantiser too."""
    t = generated.graph.tensors[generated.graph.inputs[0]]
    rng = np.random.default_rng(seed)
    shape = (count, *t.shape[1:])
    if t.dtype == np.float32:
        return (rng.normal(size=shape) * 3).astype(np.float32)
    return rng.integers(-128, 128, size=shape).astype(np.int8)


def compare(outputs: np.ndarray, reference: np.ndarray) -> Comparison:
    a = outputs.reshape(reference.shape).astype(np.int32)
    diff = np.abs(a - reference.astype(np.int32)).reshape(len(reference), -1)
    return Comparison(len(reference), int((diff > 0).sum()), int((diff > 0).any(axis=1).sum()),
                      int(diff.max()) if diff.size else 0)
