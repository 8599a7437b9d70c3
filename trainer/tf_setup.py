"""Import TensorFlow the one way this project uses it: Keras 2 (`tf_keras`), deterministic.

tensorflow-model-optimization (quantisation-aware training) works only with tf_keras, and the
switch must be made before TensorFlow is first imported, so every module that needs Keras gets
it from here: `from trainer.tf_setup import keras, tf`.
"""
from __future__ import annotations

import contextlib
import os

from .native_log_filter import install as filter_native_logs

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
# Native log lines (levels < 3) are version-skew and CUDA-probe chatter here; Python errors still raise.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# And the one harmless line that shows at any level below 3 on every training run is dropped.
filter_native_logs()


@contextlib.contextmanager
def quiet_native_stderr(fds=(2,)):
    """Mute file descriptors (default: stderr) around native code that prints on its own: CUDA
    probes while TensorFlow loads, the TFLite converter's and TFLM's diagnostics. They would bury a
    command's one-line error messages. Python exceptions are unaffected (raised, then printed after
    the descriptors are restored)."""
    saved = [os.dup(fd) for fd in fds]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in fds:
            os.dup2(devnull, fd)
        yield
    finally:
        for fd, copy in zip(fds, saved):
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


with quiet_native_stderr():
    import tensorflow as tf  # noqa: E402
    import tf_keras as keras  # noqa: E402

    # Worker processes that share the cores (kinedge combos --jobs) ask for one thread each; this
    # must happen before TensorFlow creates its thread pools.
    if os.environ.get("KINEDGE_TF_THREADS"):
        tf.config.threading.set_intra_op_parallelism_threads(int(os.environ["KINEDGE_TF_THREADS"]))
        tf.config.threading.set_inter_op_parallelism_threads(int(os.environ["KINEDGE_TF_THREADS"]))
    tf.config.list_physical_devices()  # device probing happens here, inside the muted region

tf.get_logger().setLevel("ERROR")
# Same seed, same model: op determinism costs little for models this small.
tf.config.experimental.enable_op_determinism()


def seed_everything(seed: int) -> None:
    keras.utils.set_random_seed(seed)
