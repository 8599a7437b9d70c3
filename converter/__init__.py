"""Int8 conversion of a trained model bundle for TensorFlow Lite Micro (planned: converter issue)."""
