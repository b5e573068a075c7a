def install_training(window):
    """Filled by the training feature."""
