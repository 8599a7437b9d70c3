"""`kinedge convert BUNDLE`: int8 model, TFLM check, C sources and head blob into the bundle."""
from __future__ import annotations

from pathlib import Path

import click


def describe(report: dict) -> str:
    a, s = report["accuracy"], report["size"]
    chosen = report["method"].upper()
    if report.get("qat_requested"):
        t = report["training_windows_rms_difference_deg"]
        chosen += (f" — kept over {'PTQ' if report['method'] == 'qat' else 'QAT'}: int8 vs float on training "
                   f"windows {t['ptq']:.3f} deg (PTQ) vs {t['qat']:.3f} deg (QAT)")
    lines = [f"int8 backbone ({chosen}), model hash {report['model_hash']}; ops: {', '.join(dict.fromkeys(report['ops']))}",
             f"accuracy on {a['held_out_subject']}'s test windows ({a['windows']}), RMSE deg:",
             "  joint              float   int8"]
    for joint in a["float_rmse_deg"]:
        lines.append(f"  {joint:<17} {a['float_rmse_deg'][joint]:6.2f} {a['int8_rmse_deg'][joint]:6.2f}")
    lines.append(f"  mean              {a['float_mean_rmse_deg']:6.2f} {a['int8_mean_rmse_deg']:6.2f}  "
                 f"(change {a['mean_rmse_change_deg']:+.3f}; int8 vs float: rms {a['rms_difference_deg']:.2f}, "
                 f"largest {a['max_abs_difference_deg']:.2f} deg)")
    lines.append(f"size: flatbuffer {s['flatbuffer_bytes']} B, int8 weights {s['backbone_weights_bytes_int8']} B, "
                 f"float head {s['head_bytes_float32']} B, TFLM arena {s['arena_bytes']} B, "
                 f"{s['backbone_macs']} MACs per inference")
    if report.get("aot"):
        aot = report["aot"]
        lines.append(f"AOT engine: model_aot.c, activations {aot['arena_bytes']} B in one static buffer "
                     f"({aot['unshared_activation_bytes']} B unshared), bit-exact with TFLM on {aot['checked_inputs']} inputs")
    return "\n".join(lines)


@click.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--qat", is_flag=True, help="Also try quantisation-aware fine-tuning (distilled from the float model, head frozen); "
              "the int8 model closer to float on the training windows is kept.")
@click.option("--qat-epochs", default=3, show_default=True)
@click.option("--engine", type=click.Choice(["aot", "tflm"]), default="aot", show_default=True,
              help="aot: also generate model_aot.c for the firmware's own int8 kernels, after checking it gives "
                   "TFLM's exact outputs (needs a C compiler); tflm: only the flatbuffer array for the TFLM interpreter.")
def convert(bundle, qat, qat_epochs, engine):
    """Convert a model bundle's backbone to full int8 for TensorFlow Lite Micro.

    Checks it in the TFLM interpreter (float vs int8 accuracy, smallest arena), and writes the
    .tflite, C sources (model_data.c, model_config.h, head_default.c, test_vectors.h, and with the
    AOT engine model_aot.c/.h), the head blob (head.bin) and conversion.json into the bundle.
    """
    from .convert import convert_bundle

    report = convert_bundle(bundle, qat=qat, qat_epochs=qat_epochs, engine=engine, on_step=lambda text: click.echo(f"... {text}"))
    click.echo(describe(report))
