"""Dock panels: Inspector, Network (layers), legend."""
