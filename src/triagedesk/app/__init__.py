"""Use cases: one module per feature, each with its event handlers; apply.py carries actions out."""
