"""Dialogs, each runnable without a blocking exec in tests (see ``app.dialogs.prompts``)."""
