"""Int8 conversion of a trained model bundle for TensorFlow Lite Micro and the firmware.

`convert.convert_bundle` is the entry point; each other module does one step.
"""
