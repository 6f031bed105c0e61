"""Commands of the intel feature (registered on the root app at import)."""

from __future__ import annotations
