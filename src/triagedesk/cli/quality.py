"""Commands of the quality feature (registered on the root app at import)."""

from __future__ import annotations
