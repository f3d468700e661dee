"""Benchmarks and statistics built on the package (used by ``tools/analysis_tools``)."""
