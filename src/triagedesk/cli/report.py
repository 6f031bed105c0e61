"""Commands of the report feature (registered on the root app at import)."""

from __future__ import annotations
