"""The generated model compiled for this computer (plain-C kernel path) and called through ctypes:
what the bit-exact check runs against TFLM, and a fast stand-in for the device's backbone."""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .codegen import Generated

PROJECT = Path(__file__).resolve().parents[2]
KERNELS = PROJECT / "firmware" / "engine" / "aot"
C_FLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function"]


def kernel_sources() -> list[Path]:
    return sorted(p for p in KERNELS.glob("*.c") if p.name != "host_batch.c")


def compiler() -> str:
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise RuntimeError(f"no C compiler ({cc}) on PATH: the AOT engine's host check needs one")
    return cc


def write_generated(generated: Generated, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model_aot.h").write_text(generated.header)
    (folder / "model_aot.c").write_text(generated.source)


class HostModel:
    """A compiled copy of one generated model. Each instance is its own shared library, so several
    models can be loaded side by side (the kernels' symbols stay local to each library)."""

    def __init__(self, generated: Generated, extra_flags: tuple[str, ...] = ()):
        graph = generated.graph
        self.input = graph.tensors[graph.inputs[0]]
        self.output = graph.tensors[graph.outputs[0]]
        self._dir = Path(tempfile.mkdtemp(prefix="kinedge-aot-"))
        try:
            write_generated(generated, self._dir)
            library = self._dir / "model.so"
            command = [compiler(), *C_FLAGS, *extra_flags, "-shared", "-fPIC", f"-I{KERNELS}", f"-I{self._dir}",
                       *map(str, kernel_sources()), str(KERNELS / "host_batch.c"), str(self._dir / "model_aot.c"),
                       "-lm", "-o", str(library)]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError("compiling the generated model failed:\n" + done.stderr)
            self._lib = ctypes.CDLL(str(library))
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._lib.kinedge_aot_run_batch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32]
        self._lib.kinedge_aot_run_batch.restype = None

    def run(self, inputs: np.ndarray) -> np.ndarray:
        """Outputs for a batch of inputs shaped like the model input (leading batch axis of 1 optional)."""
        x = np.ascontiguousarray(inputs, dtype=self.input.dtype).reshape(-1, *self.input.shape[1:])
        out = np.empty((len(x), *self.output.shape[1:]), dtype=np.int8)
        self._lib.kinedge_aot_run_batch(x.ctypes.data, out.ctypes.data, len(x))
        return out
