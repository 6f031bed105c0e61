"""All tables, one module per feature, on one MetaData (Alembic's target)."""

from triagedesk.adapters.store.tables import core, github, intelligence, quality, reports
from triagedesk.adapters.store.tables.base import metadata

__all__ = ["core", "github", "intelligence", "metadata", "quality", "reports"]
