"""Commands of the github feature (registered on the root app at import)."""

from __future__ import annotations

# H4a: sync and labels sync live in cli/github_sync.py
from triagedesk.cli import github_sync as _github_sync  # noqa: F401  (registers its commands)

# H4b: serve, worker, actions, deliveries, redeliver live in cli/webhooks.py
from triagedesk.cli import webhooks as _webhooks  # noqa: F401  (registers its commands)
from triagedesk.cli.github_sync import make_sync_hook  # the schedule's reconciliation

__all__ = ["make_sync_hook"]
