"""The classroom step-through: one training step of any network followed stage by stage on the
canvas, with an Explain panel and a table of the step. The numbers come from core.stepper and
core.explain; this package only shows them. The main window calls ``install_classroom(window)``."""
from __future__ import annotations


def install_classroom(window):
    """Build the step-through's actions, docks and overlay; returns the feature (window.classroom)."""
    from .feature import ClassroomFeature
    feature = ClassroomFeature(window)
    window.classroom = feature
    return feature
