"""TensorFlow's harmless native log line stays out of the terminal; everything else on stderr
still gets there, in order."""
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, warnings
    import numpy as np
    from trainer.tf_setup import keras, tf
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(0)
    # A small model trained and run as ours are: this is where TensorFlow prints the notice.
    model = keras.Sequential([keras.Input((64, 1, 16)), keras.layers.Conv2D(4, (3, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    x, y = np.zeros((640, 64, 1, 16)), np.zeros(640)
    model.fit(x, y, epochs=2, batch_size=64, verbose=0, shuffle=True, validation_data=(x[:64], y[:64]))
    model.predict(x, batch_size=1024, verbose=0)
    warnings.warn("our own warning")
    os.write(2, b"W0000 00:00:1.0 1 some_other.cc:1] a different native message\\n")
    os.write(2, b"no newline at the end")
""")


def test_only_the_known_native_line_is_dropped():
    # Level 0: TensorFlow prints every native message, as it does for a user who set it so.
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "use_unbounded_threadpool" not in result.stderr
    assert "our own warning" in result.stderr
    assert result.stderr.index("our own warning") < result.stderr.index("a different native message")
    assert result.stderr.endswith("no newline at the end")


def test_without_the_filter_the_line_is_there():
    # The check above can fail: without the filter (TensorFlow imported directly) the notice shows.
    script = SCRIPT.replace("from trainer.tf_setup import keras, tf",
                            "os.environ['TF_USE_LEGACY_KERAS'] = '1'\nimport tensorflow as tf\nimport tf_keras as keras")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "use_unbounded_threadpool" in result.stderr
