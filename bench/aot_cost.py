"""AOT engine cost (targets from the AOT engine issue), for the default demo model:
- instructions per inference on the emulated Cortex-M4 (QEMU mps2-an386, -icount: an instruction
  count, not cycles), per op, with the DSP kernel path and with plain C;
- activation RAM (the static buffer) against TFLM's measured arena for the same model;
- flash of model + kernels (from the link map) against the .tflite the TFLM engine would carry;
- host time per window, AOT (plain C) vs the tflite_micro interpreter;
- the same instruction and RAM figures for the 4-IMU edge model (random weights: cost does not
  depend on their values).
Every QEMU output is also compared with TFLM (must be 0 mismatches).
Writes bench/results/aot_cost.json. Needs runs/bench-convert/ptq from bench/convert.py."""
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import PROJECT, write_result
from link_map import grouped

from converter import tflm
from converter.aot import check, qemu_check
from converter.aot.codegen import generate
from converter.aot.host import HostModel
from converter.backbone import backbone_model
from converter.quantize import to_int8_flatbuffer
from trainer.models.edge import make_edge
from trainer.tf_setup import seed_everything

SOURCE = PROJECT / "runs" / "bench-convert" / "ptq"
GROUPS = {"model/model_aot": "model", "engine/aot": "kernels", "boards/": "board", "tests/": "check_harness"}
INSTRUCTION_BUDGET = 640_000


def on_qemu(flatbuffer: bytes, generated, inputs, dsp: bool, keep: Path | None = None) -> dict:
    run = qemu_check.run_on_qemu(generated, inputs, dsp=dsp, keep=keep)
    exact = check.compare(run.outputs, tflm.run(flatbuffer, inputs))
    return {"inputs": len(inputs), "mismatches_vs_tflm": exact.mismatched_values,
            "instructions_per_inference_mean": run.instructions_mean,
            "instructions_per_inference_min": run.instructions_min,
            "per_op": [{"op": i, "kind": kind, "instructions": n} for i, (kind, n) in enumerate(run.op_instructions)]}


def host_us(run_one, inputs, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run_one(inputs)
        best = min(best, (time.perf_counter() - start) / len(inputs) * 1e6)
    return round(best, 2)


def four_imu_model() -> bytes:
    seed_everything(0)
    model = make_edge(64, 24, 5, np.zeros(5), np.ones(5))
    calibration = np.random.default_rng(0).normal(size=(200, 64, 24)).astype(np.float32)
    return to_int8_flatbuffer(backbone_model(model, batch_size=1), calibration)


if __name__ == "__main__":
    if qemu_check.available():
        sys.exit(f"the emulated Cortex-M4 is needed: {qemu_check.available()}")
    if not (SOURCE / "model_int8.tflite").exists():
        sys.exit(f"run bench/convert.py first: {SOURCE} is missing")
    flatbuffer = (SOURCE / "model_int8.tflite").read_bytes()
    conversion = json.loads((SOURCE / "conversion.json").read_text())
    generated = generate(flatbuffer)
    inputs = check.random_inputs(generated, count=1000, seed=11)

    with tempfile.TemporaryDirectory() as keep:
        dsp = on_qemu(flatbuffer, generated, inputs, dsp=True, keep=Path(keep))
        sizes = grouped(Path(keep) / "aot_check.map", GROUPS)
    plain = on_qemu(flatbuffer, generated, inputs[:200], dsp=False)

    host_model = HostModel(generated)
    interpreter_us = host_us(lambda x: tflm.run(flatbuffer, x), inputs[:300])
    aot_us = host_us(host_model.run, inputs)

    four = four_imu_model()
    four_generated = generate(four)
    four_run = on_qemu(four, four_generated, check.random_inputs(four_generated, count=200, seed=12), dsp=True)
    four_tflm_arena = tflm.smallest_arena(four)

    engine_flash = sizes["model"]["flash"] + sizes["kernels"]["flash"]
    tflm_arena = conversion["size"]["arena_bytes"]
    result = {
        "model": "default demo model (edge, transfer-head S01, femur_r + calcn_r, 12 channels x 64 samples)",
        "instructions_are": "guest instructions under qemu-system-arm -icount (mps2-an386), not Cortex-M4 cycles",
        "qemu_dsp": dsp,
        "qemu_plain_c": {k: v for k, v in plain.items() if k != "per_op"},
        "dsp_speedup": round(plain["instructions_per_inference_mean"] / dsp["instructions_per_inference_mean"], 2),
        "activation_ram_bytes": generated.arena_bytes,
        "activation_bytes_without_sharing": generated.plan.naive_bytes(),
        "tflm_arena_bytes": tflm_arena,
        "activation_ram_vs_tflm_arena": round(generated.arena_bytes / tflm_arena, 3),
        "flash_bytes": {"model": sizes["model"]["flash"], "kernels": sizes["kernels"]["flash"],
                        "engine_plus_model": engine_flash, "tflite_flatbuffer": len(flatbuffer),
                        "note": "the TFLM build carries the flatbuffer plus the interpreter library, which "
                                "cannot be built here; the flatbuffer alone is the comparison"},
        "link_map_groups": sizes,
        "host_us_per_window": {"aot_plain_c": aot_us, "tflite_micro_interpreter": interpreter_us},
        "four_imus": {"instructions_per_inference_mean": four_run["instructions_per_inference_mean"],
                      "mismatches_vs_tflm": four_run["mismatches_vs_tflm"],
                      "activation_ram_bytes": four_generated.arena_bytes, "tflm_arena_bytes": four_tflm_arena},
        "targets": {
            "instructions_le_640k_2_imus": dsp["instructions_per_inference_mean"] <= INSTRUCTION_BUDGET,
            "instructions_le_640k_4_imus": four_run["instructions_per_inference_mean"] <= INSTRUCTION_BUDGET,
            "activation_ram_le_half_tflm_arena": generated.arena_bytes <= tflm_arena / 2,
            "flash_below_tflm_build": engine_flash < len(flatbuffer),
        },
    }
    write_result("aot_cost", result)
    print(json.dumps({k: result[k] for k in ("dsp_speedup", "activation_ram_bytes", "tflm_arena_bytes", "flash_bytes",
                                             "host_us_per_window", "four_imus", "targets")}, indent=1))
    print("instructions per inference (DSP):", dsp["instructions_per_inference_mean"],
          "plain C:", plain["instructions_per_inference_mean"])
