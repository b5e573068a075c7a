"""Live training: worker thread, controller, Training panel, loss plot, δ glow, input-plane map
and prediction probe. The main window calls ``install_training(window)`` once."""
from __future__ import annotations


def install_training(window):
    """Build the training docks, Train menu, toolbar buttons, status readout and close hook.

    Returns the feature object (also kept as ``window.training``)."""
    from .feature import TrainingFeature
    feature = TrainingFeature(window)
    window.training = feature
    return feature
