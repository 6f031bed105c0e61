"""Label model and duplicate index: numeric, local, no network."""
