"""Commands of the github feature (registered on the root app at import)."""

from __future__ import annotations
