"""Dagster assets: thin wrappers over the plain functions in `pipelines`."""
