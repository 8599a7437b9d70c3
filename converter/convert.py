"""`convert_bundle`: a trained bundle → int8 TFLite model checked in TFLM, C sources, head blob, report.

Writes into the bundle:
    model_int8.tflite       the backbone, full int8
    head.bin                the default head in the device's blob layout (see head_blob.py)
    test_vectors.npz        int8 inputs and TFLM's int8 outputs (reused by firmware tests)
    conversion.json         accuracy float vs int8, sizes, arena, ops, quantisation, AOT check
    c/                      model_data.c/.h, model_config.h, head_default.c/.h, test_vectors.h,
                            and for the AOT engine model_aot.c/.h (checked bit-exact against TFLM first)
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from trainer.bundle import load_bundle
from trainer.data.atomic import atomic_path, write_text_atomic
from trainer.fit import predict
from trainer.metrics import joint_metrics, mean_over_joints
from trainer.models import DEPLOYABLE
from trainer.models.cost import model_cost
from trainer.models.head import HEAD_NAME

from . import emit, tflm
from .aot import check as aot_check
from .aot.codegen import generate as generate_aot
from .aot.host import HostModel
from .backbone import apply_head, backbone_model, head_weights
from .data import calibration_windows, held_out_windows
from .head_blob import Head
from .quantize import quantization_aware_finetune, to_int8_flatbuffer

CALIBRATION_WINDOWS = 400   # representative windows for PTQ calibration
QAT_WINDOWS = 6000          # training windows for the short quantisation-aware fine-tune
TEST_VECTORS = 8
FIDELITY_WINDOWS = 500  # training windows on which --qat is compared with post-training
EVAL_EVERY = 2              # score every 2nd held-out window (TFLM runs one window per invoke)


def _angles(outputs: np.ndarray, physics: np.ndarray, quant: dict, kernel, bias) -> np.ndarray:
    """int8 backbone outputs → float embedding → float head (with the newest sample's physics
    inputs) → angles, as the device computes them."""
    embedding = (outputs.astype(np.float32) - quant["output_zero_point"]) * quant["output_scale"]
    return apply_head(embedding, physics, kernel, bias)


def _physics(card: dict, x: np.ndarray) -> np.ndarray:
    """The head's physics inputs of normalised windows: the newest sample's listed features."""
    return x[:, -1, [card["features"].index(name) for name in card["physics"]]]


def _int8_angles(flatbuffer: bytes, card: dict, x: np.ndarray, kernel, bias) -> np.ndarray:
    quant = tflm.io_quantization(flatbuffer)
    outputs = tflm.run(flatbuffer, tflm.quantize_input(x, quant["input_scale"], quant["input_zero_point"]))
    return _angles(outputs, _physics(card, x), quant, kernel, bias)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


def model_hash(flatbuffer: bytes) -> bytes:
    """What the device and its heads are matched on: first 8 bytes of SHA-256 of the flatbuffer."""
    return hashlib.sha256(flatbuffer).digest()[:8]


ENGINES = ("aot", "tflm")


def check_aot(flatbuffer: bytes, inputs: np.ndarray, outputs: np.ndarray) -> tuple[object, dict]:
    """Generate the AOT engine's C and require TFLM's exact outputs on the given windows (with
    their TFLM outputs) and on 1000 random inputs, compiled for this computer."""
    generated = generate_aot(flatbuffer)
    model = HostModel(generated)
    random = aot_check.random_inputs(generated)
    on_windows = aot_check.compare(model.run(inputs), outputs)
    on_random = aot_check.compare(model.run(random), tflm.run(flatbuffer, random))
    for name, result in (("held-out windows", on_windows), ("random inputs", on_random)):
        if not result.exact:
            raise RuntimeError(f"the AOT engine differs from TFLM on {result.mismatched_inputs} of {result.inputs} "
                               f"{name} (largest difference {result.largest_difference}); not writing its sources")
    return generated, {"arena_bytes": generated.arena_bytes, "unshared_activation_bytes": generated.plan.naive_bytes(),
                       "checked_inputs": on_windows.inputs + on_random.inputs, "mismatches": 0}


def convert_bundle(bundle: Path, qat: bool = False, qat_epochs: int = 3, on_step=None, engine: str = "aot") -> dict:
    bundle = Path(bundle)
    step = on_step or (lambda text: None)
    started = time.perf_counter()
    model, card, normalizer = load_bundle(bundle)
    if card["model"] not in DEPLOYABLE:
        raise ValueError(f"{bundle}: model {card['model']!r} is a float reference; only "
                         f"{', '.join(sorted(DEPLOYABLE))} can be converted for the device")
    step("loading calibration data")
    # The same random spread of training windows calibrates every conversion of this bundle.
    representative = calibration_windows(card, normalizer, CALIBRATION_WINDOWS).x
    kernel, bias = head_weights(model)
    step("converting to int8")
    flatbuffer = to_int8_flatbuffer(backbone_model(model, batch_size=1), representative)
    ops = tflm.check_supported(flatbuffer)
    choice = {"method": "ptq"}
    if qat:
        step(f"quantisation-aware fine-tuning ({qat_epochs} epochs)")
        # Judged on training windows the fine-tune did not see: on its own windows QAT always looks
        # better (measured: 0.42 vs 0.48 deg there, 0.53 vs 0.20 deg on the held-out person).
        pool = calibration_windows(card, normalizer, QAT_WINDOWS + FIDELITY_WINDOWS, seed=1)
        order = np.random.default_rng(1).permutation(len(pool))
        n_check = min(FIDELITY_WINDOWS, len(pool) // 5)
        check, tune = pool.x[np.sort(order[:n_check])], pool.x[np.sort(order[n_check:])]
        backbone = quantization_aware_finetune(model, tune, np.asarray(card["training"]["target_std"]),
                                               epochs=qat_epochs)
        candidate = to_int8_flatbuffer(backbone, representative)
        candidate_ops = tflm.check_supported(candidate)
        # Keep QAT only if it reproduces the float model more closely.
        reference = predict(model, check)
        ptq_error, qat_error = (_rms(_int8_angles(fb, card, check, kernel, bias) - reference)
                                for fb in (flatbuffer, candidate))
        choice = {"method": "qat" if qat_error <= ptq_error else "ptq", "qat_requested": True,
                  "training_windows_rms_difference_deg": {"ptq": ptq_error, "qat": qat_error}}
        if qat_error <= ptq_error:
            flatbuffer, ops = candidate, candidate_ops
    quant = tflm.io_quantization(flatbuffer)

    step("checking in TensorFlow Lite Micro")
    test = held_out_windows(card, normalizer, every=EVAL_EVERY)
    inputs = tflm.quantize_input(test.x, quant["input_scale"], quant["input_zero_point"])
    outputs = tflm.run(flatbuffer, inputs)
    int8_angles = _angles(outputs, _physics(card, test.x), quant, kernel, bias)
    float_angles = predict(model, test.x)
    names = [o["name"] for o in card["outputs"]]
    float_metrics = joint_metrics(test.y, float_angles, names)
    int8_metrics = joint_metrics(test.y, int8_angles, names)
    arena = tflm.smallest_arena(flatbuffer)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    aot_sources, aot_report = {}, None
    if engine == "aot":
        step("generating the AOT engine's C and checking it bit-exact against TFLM")
        generated, aot_report = check_aot(flatbuffer, inputs, outputs)
        aot_sources = {"model_aot.h": generated.header, "model_aot.c": generated.source}

    step("writing sources")
    digest = model_hash(flatbuffer)
    head = Head(kernel, bias, digest, head_id=0, n_physics=len(card["physics"]))
    pick = np.linspace(0, len(inputs) - 1, TEST_VECTORS).astype(int)
    data_h, data_c = emit.model_data(flatbuffer)
    head_blob = head.to_bytes()
    head_h, head_c = emit.head_default(kernel, bias, int.from_bytes(head_blob[-4:], "little"))
    note = (f"{card['model']} model, {card['approach']} for {card['subject']}, "
            f"{'QAT' if choice['method'] == 'qat' else 'post-training'} int8 backbone")
    emit.write_sources(bundle / "c", {
        "model_data.h": data_h, "model_data.c": data_c,
        "model_config.h": emit.model_config(card, quant, normalizer, arena, digest, note),
        "head_default.h": head_h, "head_default.c": head_c,
        "test_vectors.h": emit.test_vectors(inputs[pick], outputs[pick]), **aot_sources})
    if engine != "aot":  # sources from an earlier AOT conversion would not match this model
        for name in ("model_aot.c", "model_aot.h"):
            (bundle / "c" / name).unlink(missing_ok=True)
    with atomic_path(bundle / "model_int8.tflite") as tmp:
        tmp.write_bytes(flatbuffer)
    with atomic_path(bundle / "head.bin") as tmp:
        tmp.write_bytes(head_blob)
    with atomic_path(bundle / "test_vectors.npz") as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, inputs=inputs[pick], outputs=outputs[pick])

    cost = model_cost(model, exclude=(HEAD_NAME,))
    weights_bytes = cost["parameters"]  # one byte each in int8 (int32 biases make it slightly more)
    report = {
        **choice,
        "model_hash": digest.hex(),
        "ops": ops,
        "quantization": quant,
        "accuracy": {
            "held_out_subject": card["subject"], "windows": int(len(test)),
            "float_rmse_deg": {j: m["rmse_deg"] for j, m in float_metrics.items()},
            "int8_rmse_deg": {j: m["rmse_deg"] for j, m in int8_metrics.items()},
            "float_mean_rmse_deg": mean_over_joints(float_metrics),
            "int8_mean_rmse_deg": mean_over_joints(int8_metrics),
            "mean_rmse_change_deg": mean_over_joints(int8_metrics) - mean_over_joints(float_metrics),
            "rms_difference_deg": _rms(int8_angles - float_angles),
            "max_abs_difference_deg": float(np.abs(int8_angles - float_angles).max()),
        },
        "size": {"flatbuffer_bytes": len(flatbuffer), "backbone_weights_bytes_int8": weights_bytes,
                 "head_bytes_float32": int(4 * (kernel.size + bias.size)), "arena_bytes": arena,
                 "recorded_allocations": tflm.recorded_allocations(flatbuffer).strip().splitlines(),
                 "backbone_macs": cost["macs"], "backbone_parameters": cost["parameters"]},
        "engine": engine,
        "aot": aot_report,
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_text_atomic(bundle / "conversion.json", json.dumps(report, indent=1))
    return report
