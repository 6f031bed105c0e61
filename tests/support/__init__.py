"""Shared test support: fakes (one per port), servers on loopback, fixture builders."""
