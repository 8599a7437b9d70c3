"""The generated model on the emulated Cortex-M4 (QEMU mps2-an386, the firmware's DSP kernel path):
build firmware/tests/aot_check.c with arm-none-eabi-gcc, feed inputs through semihosting files, read
back the outputs and the instruction counts (SysTick under -icount: instructions, not cycles)."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .codegen import Generated
from .host import write_generated

PROJECT = Path(__file__).resolve().parents[2]
FIRMWARE = PROJECT / "firmware"
QEMU = "qemu-system-arm"
TOOLCHAIN = "arm-none-eabi-gcc"
ICOUNT_SHIFT = 6   # 64 ns of virtual time per instruction: >1 SysTick tick per instruction at 25 MHz


def available() -> str | None:
    """None when the emulated check can run here, else what is missing."""
    missing = [tool for tool in (QEMU, TOOLCHAIN, "make") if shutil.which(tool) is None]
    return f"not installed: {', '.join(missing)}" if missing else None


@dataclass
class DeviceRun:
    outputs: np.ndarray
    instructions_mean: int
    instructions_min: int
    op_instructions: list[tuple[str, int]]   # per op, mean per inference
    elf: Path | None = None


def build(generated: Generated, folder: Path, dsp: bool = True) -> Path:
    """The check program for this model; returns the ELF path."""
    model_dir = folder / "model"
    write_generated(generated, model_dir)
    done = subprocess.run(["make", "-s", "-C", str(FIRMWARE), "aot-check", f"MODEL_DIR={model_dir}",
                           f"BUILD={folder}", f"DSP={int(dsp)}"], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError("building the AOT check for the emulated Cortex-M4 failed:\n" + done.stderr + done.stdout)
    return folder / "aot_check.elf"


def run_elf(elf: Path, inputs: np.ndarray, output_shape, workdir: Path, timeout: float = 300) -> DeviceRun:
    (workdir / "aot_inputs.bin").write_bytes(np.ascontiguousarray(inputs).tobytes())
    command = [QEMU, "-M", "mps2-an386", "-cpu", "cortex-m4", "-nographic", "-monitor", "none", "-serial", "null",
               "-semihosting-config", "enable=on,target=native", "-icount", f"shift={ICOUNT_SHIFT}",
               "-kernel", str(elf)]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"the AOT check on QEMU exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    # "name value" lines, on QEMU's semihosting console (its stderr).
    lines = [m.groups() for m in re.finditer(r"([A-Za-z_0-9]+) (\d+)[ \t]*$", done.stderr + done.stdout, re.MULTILINE)]
    values = {key: int(value) for key, value in lines[:4]}
    outputs = np.fromfile(workdir / "aot_outputs.bin", dtype=np.int8).reshape(-1, *output_shape)
    if len(outputs) != len(inputs) or values["inferences"] != len(inputs):
        raise RuntimeError(f"QEMU ran {values.get('inferences')} of {len(inputs)} inputs")
    return DeviceRun(outputs, values["instructions_per_inference_mean"], values["instructions_per_inference_min"],
                     [(name, int(count)) for name, count in lines[4:]], elf)


def run_on_qemu(generated: Generated, inputs: np.ndarray, dsp: bool = True, keep: Path | None = None) -> DeviceRun:
    """Build and run; `keep` keeps the build (ELF, map) in that folder, otherwise it is removed."""
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="kinedge-aot-qemu-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        elf = build(generated, folder, dsp=dsp)
        out = generated.graph.tensors[generated.graph.outputs[0]]
        inp = generated.graph.tensors[generated.graph.inputs[0]]
        x = np.asarray(inputs, dtype=inp.dtype).reshape(-1, *inp.shape[1:])
        return run_elf(elf, x, out.shape[1:], folder)
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
