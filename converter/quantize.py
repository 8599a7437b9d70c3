"""Full-integer int8 conversion: post-training (PTQ) or after quantisation-aware fine-tuning (QAT)."""
from __future__ import annotations

import warnings

import numpy as np

from trainer.fit import as_input
from trainer.models.head import HEAD_NAME, scaled_mse
from trainer.tf_setup import keras, quiet_native_stderr, seed_everything, tf

from .backbone import TRAINING_ONLY, backbone_layers, backbone_model


def to_int8_flatbuffer(backbone: keras.Model, representative: np.ndarray) -> bytes:
    """int8 in, int8 out, int8 weights (per-channel) and activations, calibrated on `representative`
    (normalised windows, (n, T, C))."""
    return int8_flatbuffer(backbone, as_input(representative))


def int8_flatbuffer(model: keras.Model, samples: np.ndarray, float_input: bool = False,
                    per_channel_dense: bool = True) -> bytes:
    """Any batch-1 Keras model → full-int8 TFLite with int8 output, calibrated on `samples` (shaped
    like the model input, leading batch axis). float_input=True keeps a float32 input (the
    converter then adds QUANTIZE); per_channel_dense=False gives per-tensor FULLY_CONNECTED weights."""
    x = np.asarray(samples, dtype=np.float32)

    def dataset():
        for i in range(len(x)):
            yield [x[i:i + 1]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.float32 if float_input else tf.int8
    converter.inference_output_type = tf.int8
    if not per_channel_dense:
        converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    with warnings.catch_warnings(), quiet_native_stderr(fds=(1, 2)):
        warnings.simplefilter("ignore")  # "statistics for quantized inputs": the int8 input is ours
        return bytes(converter.convert())


def quantization_aware_finetune(model: keras.Model, x: np.ndarray, target_std, epochs: int = 3,
                                learning_rate: float = 2e-4, seed: int = 0) -> keras.Model:
    """Fine-tune the backbone with fake quantisation so its int8 version behaves like the float model.

    Distillation, not retraining: the targets are the float model's own outputs on the training
    windows `x`, and the float head is frozen. QAT then only undoes quantisation error; the head —
    and every head fine-tuned for this backbone later — stays valid. Training runs on a batch-free
    copy; the weights then move onto a batch-1 twin, which is returned ready for conversion.
    """
    import tensorflow_model_optimization as tfmot

    qk = tfmot.quantization.keras
    seed_everything(seed)
    teacher = model.predict(as_input(x), batch_size=1024, verbose=0)
    fresh = lambda layer: layer.__class__.from_config(layer.get_config())
    # Only the backbone is quantised; the head and its physics inputs stay float on the device.
    backbone = {layer.name for layer in backbone_layers(model) if not isinstance(layer, TRAINING_ONLY)}
    # Distillation matches the float model as it runs, so the training-only input noise is off.
    # It is replaced by an annotated identity, so the input is still quantised (a QuantizeLayer in
    # front of it learns the input range the device's int8 input then uses).
    noise = {layer.name for layer in model.layers if isinstance(layer, TRAINING_ONLY)}
    annotate = lambda layer: (qk.quantize_annotate_layer(keras.layers.Activation("linear", name=layer.name))
                              if layer.name in noise
                              else qk.quantize_annotate_layer(fresh(layer)) if layer.name in backbone else fresh(layer))
    clone = keras.models.clone_model(model, clone_function=annotate)
    clone.set_weights(model.get_weights())
    with qk.quantize_scope():
        student = qk.quantize_apply(clone)
    student.get_layer(HEAD_NAME).trainable = False
    student.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=scaled_mse(target_std))
    student.fit(as_input(x), teacher, batch_size=128, epochs=epochs, shuffle=True, verbose=0)

    float_backbone = backbone_model(model, batch_size=1)
    annotate_all = lambda layer: layer if isinstance(layer, keras.layers.InputLayer) else qk.quantize_annotate_layer(fresh(layer))
    batch_one = keras.models.clone_model(float_backbone, clone_function=annotate_all)
    with qk.quantize_scope():
        batch_one = qk.quantize_apply(batch_one)
    # Same layers in the same order (Keras numbers auto-named ones differently, so pair by position).
    # The stand-in for the training-only noise may carry quantiser ranges; the device has no such layer.
    skipped = {HEAD_NAME} | {"quant_" + name for name in noise}
    sources = [layer for layer in student.layers if layer.weights and layer.name not in skipped]
    targets = [layer for layer in batch_one.layers if layer.weights]
    for source, target in zip(sources, targets, strict=True):
        weights = source.get_weights()
        if [w.shape for w in weights] != [w.shape for w in target.get_weights()]:
            raise RuntimeError(f"QAT weight transfer: {source.name} does not match {target.name}: "
                               f"{[l.name for l in sources]} vs {[l.name for l in targets]}")
        target.set_weights(weights)
    return batch_one
