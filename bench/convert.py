"""Conversion benchmarks (targets from the converter issue), on the default demo model
(transfer-head for S01 on the default synthetic data):
- conversion time (PTQ, and with --qat);
- inference time per window on the host: tflite_micro (the device's kernels) vs tf.lite;
- flatbuffer, arena, MAC figures and float-vs-int8 accuracy.
Writes bench/results/convert.json. Needs `runs/bench-train/demo-results` from bench/train.py."""
import shutil
import statistics
import sys
import time

import numpy as np

from common import PROJECT, write_result

from converter import tflm
from converter.convert import convert_bundle
from trainer.tf_setup import tf

SOURCE = PROJECT / "runs" / "bench-train" / "demo-results" / "bundles" / "transfer-head" / "S01"
WORK = PROJECT / "runs" / "bench-convert"


def per_window_us(run_one, inputs, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for x in inputs:
            run_one(x)
        times.append((time.perf_counter() - start) / len(inputs) * 1e6)
    return round(statistics.median(times), 1)


if __name__ == "__main__":
    if not SOURCE.exists():
        sys.exit(f"run bench/train.py first: {SOURCE} is missing")
    reports = {}
    for method in ("ptq", "qat"):
        folder = WORK / method
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(SOURCE, folder)
        start = time.perf_counter()
        reports[method] = convert_bundle(folder, qat=(method == "qat"))
        reports[method]["wall_seconds"] = round(time.perf_counter() - start, 1)
        print(method, reports[method]["wall_seconds"], "s", reports[method]["accuracy"]["int8_mean_rmse_deg"], flush=True)

    flatbuffer = (WORK / "ptq" / "model_int8.tflite").read_bytes()
    inputs = np.load(WORK / "ptq" / "test_vectors.npz")["inputs"]
    inputs = np.concatenate([inputs] * 25)  # 200 windows
    micro = tflm.interpreter(flatbuffer)
    lite = tf.lite.Interpreter(model_content=flatbuffer)
    lite.allocate_tensors()
    lite_in, lite_out = lite.get_input_details()[0]["index"], lite.get_output_details()[0]["index"]

    def run_micro(x):
        micro.set_input(x[None], 0)
        micro.invoke()
        return micro.get_output(0)

    def run_lite(x):
        lite.set_tensor(lite_in, x[None])
        lite.invoke()
        return lite.get_tensor(lite_out)

    differ = int(sum(np.abs(run_micro(x).astype(int) - run_lite(x).astype(int)).max() > 0 for x in inputs[:8]))
    timing = {"tflite_micro_us_per_window": per_window_us(run_micro, inputs),
              "tf_lite_us_per_window": per_window_us(run_lite, inputs),
              "test_vectors_where_tf_lite_differs_from_tflm": differ}
    print(timing)
    ptq = reports["ptq"]
    write_result("convert", {
        "model": "edge, femur_r + calcn_r, transfer-head S01",
        "ptq": {"seconds": ptq["wall_seconds"], "accuracy": ptq["accuracy"], "size": ptq["size"]},
        "qat": {"seconds": reports["qat"]["wall_seconds"], "kept": reports["qat"]["method"],
                "training_windows_rms_difference_deg": reports["qat"]["training_windows_rms_difference_deg"],
                "accuracy": reports["qat"]["accuracy"]},
        "host_inference": timing,
        "targets": {"mean_rmse_change_deg_max": 0.3,
                    "ptq_meets": abs(ptq["accuracy"]["mean_rmse_change_deg"]) <= 0.3},
    })
