"""Foundation commands: init, config, import, export, demo-data, status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from triagedesk import settings as settings_mod
from triagedesk.cli import app
from triagedesk.cli.common import ConfigOpt, JsonOpt, console, emit, print_json, runtime
from triagedesk.domain.errors import UserError

config_app = typer.Typer(help="Show, check and document the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="where to write the configuration")] = Path(
        "triagedesk.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing file")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write the built-in Docker Desktop profile as a TOML configuration file."""
    if path.exists() and not force:
        raise UserError(f"{path} exists; use --force to overwrite it")
    path.write_text(settings_mod.default_toml(), encoding="utf-8")
    emit({"written": str(path)}, as_json, lambda d: console.print(f"wrote {d['written']}"))


@config_app.command("check")
def config_check(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Validate the configuration and say which repositories it covers."""
    rt = runtime(config=config)
    s = rt.settings
    data = {
        "ok": True,
        "public_repos": [r.name for r in s.profile.public_repos],
        "internal_repo": s.profile.internal_repo,
        "areas": len(s.profile.areas),
    }
    emit(
        data,
        as_json,
        lambda d: console.print(
            f"configuration ok: {', '.join(d['public_repos'])} -> {d['internal_repo']}"
        ),
    )


@config_app.command("show")
def config_show(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Print the effective configuration (file or built-in profile) as TOML or JSON; no secrets."""
    data = runtime(config=config).settings.model_dump(mode="json", exclude_none=True)
    if as_json:
        print_json(data)
    else:
        import tomli_w

        typer.echo(tomli_w.dumps(data), nl=False)


@config_app.command("docs")
def config_docs() -> None:
    """Print docs/settings.md, generated from the settings models."""
    typer.echo(settings_mod.settings_doc(), nl=False)


workflow_app = typer.Typer(help="The status-label workflow.", no_args_is_help=True)
app.add_typer(workflow_app, name="workflow")


@workflow_app.command("diagram")
def workflow_diagram(as_json: JsonOpt = False) -> None:
    """Print the transition table as a Mermaid diagram (the one in docs/workflow.md)."""
    from triagedesk.domain.workflow import TRANSITIONS, mermaid

    if as_json:
        table = {
            (src.value if src else "(new issue)"): sorted(t.value for t in targets)
            for src, targets in TRANSITIONS.items()
        }
        print_json({"transitions": table})
        return
    typer.echo(mermaid(), nl=False)


# import, export and status set/history live in their own module (registered on import)
from triagedesk.cli import importexport  # noqa: E402, F401
