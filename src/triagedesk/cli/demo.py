"""Commands of the demo feature: the generated corpus (registered on the root app at import)."""

from __future__ import annotations
