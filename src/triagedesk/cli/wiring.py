"""The composition root's shared parts: the clock, issue references, and the AppContext
with every port a use case or handler may need.

Every command and the worker build their context here, so a feature that adds a
port to ``AppContext`` wires it in one place. Heavy imports stay inside the
functions: importing the CLI stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from triagedesk.domain.errors import InputError, UserError
from triagedesk.domain.model import IssueRef, RepoRef

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from triagedesk.app.context import AppContext
    from triagedesk.ports.diagnostics import DiagnosticsBucket
    from triagedesk.ports.tracker import Tracker
    from triagedesk.settings import Secrets, Settings


def now() -> datetime:
    """The one clock of the composition roots (use cases receive it; the domain never reads it)."""
    return datetime.now(UTC)


def parse_issue(settings: Settings, text: str, *, default_repo: RepoRef | None = None) -> IssueRef:
    """``owner/name#N`` or an issue URL; a bare ``N`` in ``default_repo``, or in the one public
    repository when only one is configured."""
    repos = settings.profile.public_repos
    default = default_repo
    if default is None and len(repos) == 1:
        default = RepoRef.parse(repos[0].name)
    if default is None and text.strip().lstrip("#").isdigit():
        names = ", ".join(r.name for r in repos)
        raise UserError(f"{text!r}: say which repository ({names}): owner/name#N")
    try:
        return IssueRef.parse(text, default)
    except InputError:
        raise UserError(
            f"not an issue reference: {text!r} (want owner/name#N or an issue URL)"
        ) from None


def build_tracker(settings: Settings, secrets: Secrets) -> Tracker | None:
    """The GitHub client when credentials are set, else None (everything is planned)."""
    if secrets.github_token is None and secrets.github_app_id is None:
        return None
    from triagedesk.adapters.github.client import build_client

    client: Tracker = build_client(settings.github, secrets)
    return client


def build_bucket(settings: Settings, secrets: Secrets) -> DiagnosticsBucket | None:
    """The S3 bucket when it can be asked: an endpoint is configured or AWS keys are set."""
    from triagedesk.adapters.diagnostics import S3DiagnosticsBucket

    s = settings.diagnostics
    key = secrets.aws_access_key_id.get_secret_value() if secrets.aws_access_key_id else None
    secret = (
        secrets.aws_secret_access_key.get_secret_value() if secrets.aws_secret_access_key else None
    )
    if not s.endpoint_url and not key:
        return None
    return S3DiagnosticsBucket(s, access_key=key, secret_key=secret)


def build_context(
    settings: Settings,
    secrets: Secrets,
    engine: Engine,
    tracker: Tracker | None = None,
    *,
    s3: bool = True,
) -> AppContext:
    """Every port the use cases and handlers may need. ``tracker=None`` plans every write."""
    from triagedesk.adapters.repro_validators import StaticReproValidator
    from triagedesk.adapters.store.action_log import SqlActionLog
    from triagedesk.adapters.store.checklists import SqlChecklistStore
    from triagedesk.adapters.store.intelligence import SqlIntelligenceStore
    from triagedesk.adapters.store.issues import SqlIssueStore
    from triagedesk.app.context import AppContext

    return AppContext(
        settings=settings,
        issues=SqlIssueStore(engine),
        now=now,
        actions=SqlActionLog(engine),
        tracker=tracker,
        intelligence=SqlIntelligenceStore(engine),
        checklists=SqlChecklistStore(engine),
        diagnostics=build_bucket(settings, secrets) if s3 else None,
        repro_validator=StaticReproValidator(),
    )


def register_all_handlers() -> list[str]:
    """Import every ``triagedesk.app`` module and call its ``register_handlers()`` if any.

    Features opt in by defining that function; nothing registers at import time.
    Handlers run in registration order: triage-on-open first, then by module name.
    """
    import triagedesk.app as app_pkg
    from triagedesk.app import triage
    from triagedesk.app.events import handlers

    # the status-on-open rule first: every later rule moves on from status/0-triage
    triage.register_handlers()
    for mod in pkgutil.iter_modules(app_pkg.__path__):
        module = importlib.import_module(f"triagedesk.app.{mod.name}")
        hook = getattr(module, "register_handlers", None)
        if callable(hook):
            hook()
    return [name for name, _ in handlers()]
