"""Physics-based synthetic gait: joint angles → forward kinematics → virtual IMUs.

`generate.synthesize_dataset` is the entry point; the other modules each do one step.
"""
