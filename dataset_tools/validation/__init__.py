"""Validation: the checks, their problems, and how reports are printed."""
