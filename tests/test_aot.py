"""The AOT engine: generated C + the firmware's own int8 kernels give exactly TFLM's outputs.

Zoo graphs (converter/aot/zoo.py) cover every kernel and padding / stride / dilation / broadcast /
quantisation case; each is checked on 1000 random inputs, compiled for this computer (plain-C
kernels) and on the emulated Cortex-M4 (DSP kernels). The trained edge model is checked the same
way in test_convert.py and test_aot_qemu.py."""
import subprocess

import numpy as np
import pytest

from converter import tflm
from converter.aot import check, zoo
from converter.aot.codegen import generate
from converter.aot.graph import GraphError
from converter.aot.host import KERNELS, HostModel, compiler
from converter.aot.plan import ALIAS_OPS
from converter.aot.quant import quantize_multiplier


@pytest.fixture(scope="session")
def zoo_models():
    return {entry.name: zoo.build(entry) for entry in zoo.ZOO}


def test_zoo_covers_every_supported_op(zoo_models):
    kinds = {kind for fb in zoo_models.values() for kind in tflm.op_names(fb)}
    assert set(tflm.SUPPORTED_OPS) <= kinds, set(tflm.SUPPORTED_OPS) - kinds


def test_zoo_covers_the_quantisation_variants(zoo_models):
    def fc_scales(name):
        g = generate(zoo_models[name])
        return {len(g.graph.tensors[op.inputs[1]].scales) for op in g.graph.ops if op.kind == "FULLY_CONNECTED"}

    assert fc_scales("dense_per_tensor") == {1} and min(fc_scales("dense_per_channel")) > 1
    graph = generate(zoo_models["mean_same_quantization"]).graph
    mean = next(op for op in graph.ops if op.kind == "MEAN")
    i, o = graph.tensors[mean.inputs[0]], graph.tensors[mean.outputs[0]]
    assert (i.scale, i.zero_point) == (o.scale, o.zero_point)
    assert generate(zoo_models["float_input_concat"]).graph.tensors[0].dtype == np.float32


@pytest.mark.parametrize("name", [entry.name for entry in zoo.ZOO])
def test_zoo_graph_is_bit_exact_with_tflm_on_1000_random_inputs(zoo_models, name):
    flatbuffer = zoo_models[name]
    generated = generate(flatbuffer)
    inputs = check.random_inputs(generated, seed=1)
    result = check.compare(HostModel(generated).run(inputs), tflm.run(flatbuffer, inputs))
    assert result.inputs == 1000 and result.exact, result


def test_the_gate_catches_a_wrong_multiplier(zoo_models):
    generated = generate(zoo_models["conv_strides_padding"])
    table = "static const int32_t op0_multiplier"
    start = generated.source.index(table)
    number_at = generated.source.index("\n", start) + 3
    end = generated.source.index(",", number_at)
    value = int(generated.source[number_at:end])
    generated.source = generated.source[:number_at] + str(value + value // 50) + generated.source[end:]
    inputs = check.random_inputs(generated, count=200)
    result = check.compare(HostModel(generated).run(inputs), tflm.run(zoo_models["conv_strides_padding"], inputs))
    assert not result.exact


def test_generation_is_deterministic(zoo_models):
    a, b = generate(zoo_models["residual_add_mean"]), generate(zoo_models["residual_add_mean"])
    assert (a.header, a.source) == (b.header, b.source)


def test_plan_never_overlaps_tensors_that_are_live_together(zoo_models):
    for name, flatbuffer in zoo_models.items():
        plan = generate(flatbuffer).plan
        for i, a in enumerate(plan.buffers):
            for b in plan.buffers[i + 1:]:
                live_together = a.first <= b.last and b.first <= a.last
                overlap = a.offset < b.offset + b.size and b.offset < a.offset + a.size
                assert not (live_together and overlap), (name, a, b)
        assert plan.arena_bytes <= plan.naive_bytes()


def test_plan_shares_memory_and_aliases_reshapes(zoo_models):
    generated = generate(zoo_models["squeeze_expand_dims"])
    plan, graph = generated.plan, generated.graph
    for op in graph.ops:
        if op.kind in ALIAS_OPS:
            assert plan.offset_of[op.inputs[0]] == plan.offset_of[op.outputs[0]]
    # The input (live only into op 0) and op 1's output are never live together: they share bytes.
    assert plan.arena_bytes < plan.naive_bytes()


def test_quantize_multiplier_matches_tflite_examples():
    assert quantize_multiplier(0.5) == (1 << 30, 0)
    assert quantize_multiplier(1.0) == (1 << 30, 1)
    assert quantize_multiplier(0.0) == (0, 0)
    rng = np.random.default_rng(0)
    for real in 10.0 ** rng.uniform(-8, 2, size=500):
        m, s = quantize_multiplier(real)
        assert (1 << 30) <= m < (1 << 31)
        assert abs(m * 2.0 ** (s - 31) - real) <= real * 2.0 ** -30


def test_unsupported_op_is_refused_by_name():
    from trainer.tf_setup import keras

    entry = zoo.ZooModel("tanh", lambda: zoo._model((4, 1, 3), lambda x: keras.layers.Dense(2, activation="tanh")(
        keras.layers.Flatten()(x))))
    with pytest.raises(GraphError, match=r"op \d+ \(TANH\) is not supported"):
        generate(zoo.build(entry))


def test_fixed_point_shortcut_equals_tflites_literal_formula(tmp_path):
    binary = tmp_path / "fixedpoint_test"
    subprocess.run([compiler(), "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", f"-I{KERNELS}",
                    str(KERNELS.parents[1] / "tests" / "fixedpoint_test.c"), "-o", str(binary)], check=True)
    done = subprocess.run([str(binary)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout
