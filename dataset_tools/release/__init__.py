"""Releases: building a Frictionless Data Package, comparing releases, loading one."""
