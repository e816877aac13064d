"""Bench cases (see bench/runner.py)."""
