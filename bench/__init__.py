"""Benchmarks: each case times OneDoor's way against a raw baseline in the same run (see runner)."""
