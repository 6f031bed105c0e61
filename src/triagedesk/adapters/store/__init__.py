"""SQLAlchemy storage: the only place SQL lives."""
