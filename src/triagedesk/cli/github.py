"""Commands of the github feature (registered on the root app at import)."""

from __future__ import annotations

# --- H4b: serve, worker, actions, deliveries, redeliver live in cli/webhooks.py -------------
from triagedesk.cli import webhooks as _webhooks  # noqa: F401  (registers its commands)
# --- end H4b ----------------------------------------------------------------------------------
