"""Tables of the intelligence feature."""

from __future__ import annotations

from triagedesk.adapters.store.tables.base import metadata

__all__ = ["metadata"]
