"""Protocols the use cases depend on; adapters implement them, tests fake them (one fake each)."""
