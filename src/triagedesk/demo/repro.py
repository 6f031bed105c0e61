"""Reproduction snippets of every kind the checklist accepts — and the broken ones people post."""

from __future__ import annotations

import random
from dataclasses import dataclass

from triagedesk.demo.topics import Problem, fill

KINDS = ("ui", "sh", "prompt", "dockerfile", "compose")
BROKEN = ("dockerfile_nofrom", "compose_badyaml", "compose_badkey", "sh_syntax")


@dataclass(frozen=True, slots=True)
class Repro:
    kind: str  # one of KINDS, BROKEN, "placeholder" or "none"
    text: str

    @property
    def valid(self) -> bool:
        return self.kind in KINDS

    @property
    def present(self) -> bool:
        return self.kind not in ("placeholder", "none")


PLACEHOLDER = "1. ...\n2. ...\n3. ..."
_GENERIC_UI = ("Start Docker Desktop", "Open the dashboard", "Run any container", "See the error")


def _ui(rng: random.Random, p: Problem) -> str:
    steps = list(p.ui or _GENERIC_UI)
    if rng.random() < 0.3:
        steps.append(rng.choice(("Observe the error", "See error", "Problem happens every time")))
    if rng.random() < 0.25:
        return "\n".join(f"- {s}" for s in steps)
    return "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))


def _commands(p: Problem, params: dict[str, str]) -> list[str]:
    return [fill(c, params) for c in p.cmds] or ["docker run --rm hello-world"]


def _sh(rng: random.Random, p: Problem, params: dict[str, str]) -> str:
    lang = rng.choice(("sh", "bash", "shell", "console"))
    body = _commands(p, params)
    if rng.random() < 0.3:
        body = ["#!/usr/bin/env bash", "set -euo pipefail", *body]
    return f"```{lang}\n" + "\n".join(body) + "\n```"


def _prompt(rng: random.Random, p: Problem, params: dict[str, str]) -> str:
    prompt = rng.choice(("$ ", "$ ", "PS C:\\Users\\dev> ", "> "))
    lines = []
    for cmd in _commands(p, params):
        lines.append(prompt + cmd)
        if rng.random() < 0.5 and p.errors:
            lines.append(fill(p.errors[0], params))
    text = "\n".join(lines)
    return text if rng.random() < 0.35 else f"```\n{text}\n```"


def _dockerfile(rng: random.Random, params: dict[str, str], broken: bool) -> str:
    image = params.get("image", "ubuntu:24.04")
    lines = []
    if not broken:
        plat = "--platform=linux/amd64 " if rng.random() < 0.25 else ""
        lines.append(f"FROM {plat}{image}")
    body = [
        "WORKDIR /app",
        "RUN apt-get update && apt-get install -y curl",
        "ENV NODE_ENV=production",
        "COPY package*.json ./",
        "RUN npm ci",
        "COPY . .",
        "EXPOSE 8080",
    ]
    keep = sorted(rng.sample(range(len(body)), k=rng.randint(2, 5)))
    lines += [body[i] for i in keep]
    lines.append(
        rng.choice(
            ('CMD ["npm", "start"]', 'ENTRYPOINT ["/app/run.sh"]', 'CMD ["python", "app.py"]')
        )
    )
    fence = rng.choice(("dockerfile", "Dockerfile", ""))
    intro = rng.choice(("Dockerfile:\n", "", "With this Dockerfile:\n\n"))
    return f"{intro}```{fence}\n" + "\n".join(lines) + "\n```\n\n```\ndocker build -t repro .\n```"


def _compose(rng: random.Random, params: dict[str, str], fault: str) -> str:
    port = params.get("port", "8080")
    image = params.get("image", "nginx:latest")
    top = "service:" if fault == "badkey" else "services:"
    lines = [top, "  web:", f"    image: {image}", "    ports:", f'      - "{port}:80"']
    if rng.random() < 0.5:
        lines += ["    volumes:", "      - ./src:/usr/share/app"]
    if fault == "badkey":
        lines.append("    restart_policy: always")
    if fault == "badyaml":
        lines[3] = "   ports:"  # misaligned key
        lines.append('    environment:\n      - "DEBUG=1')  # unclosed quote
    if rng.random() < 0.4:
        lines += [
            "  db:",
            "    image: postgres:16",
            "    environment:",
            "      POSTGRES_PASSWORD: example",
        ]
    name = rng.choice(("docker-compose.yml", "compose.yaml", "compose.yml"))
    fence = rng.choice(("yaml", "yml", ""))
    return f"`{name}`:\n\n```{fence}\n" + "\n".join(lines) + "\n```\n\nthen `docker compose up -d`"


def _sh_broken(rng: random.Random, p: Problem, params: dict[str, str]) -> str:
    cmds = _commands(p, params)
    variant = rng.randint(0, 2)
    if variant == 0:
        body = [
            "for i in 1 2 3; do",
            f"  {cmds[0]}",
            "done",
            "if [ $? -ne 0 ]; then",
            '  echo "failed"',
        ]  # missing fi
    elif variant == 1:
        body = [f'echo "starting {cmds[0]}', *cmds]  # unterminated quote
    else:
        body = ["while true do", f"  {cmds[0]}", "done"]  # missing ;
    return "```bash\n" + "\n".join(body) + "\n```"


def make_repro(rng: random.Random, kind: str, p: Problem, params: dict[str, str]) -> Repro:
    if kind == "ui":
        return Repro(kind, _ui(rng, p))
    if kind == "sh":
        return Repro(kind, _sh(rng, p, params))
    if kind == "prompt":
        return Repro(kind, _prompt(rng, p, params))
    if kind == "dockerfile":
        return Repro(kind, _dockerfile(rng, params, broken=False))
    if kind == "compose":
        return Repro(kind, _compose(rng, params, ""))
    if kind == "dockerfile_nofrom":
        return Repro(kind, _dockerfile(rng, params, broken=True))
    if kind == "compose_badyaml":
        return Repro(kind, _compose(rng, params, "badyaml"))
    if kind == "compose_badkey":
        return Repro(kind, _compose(rng, params, "badkey"))
    if kind == "sh_syntax":
        return Repro(kind, _sh_broken(rng, p, params))
    if kind == "placeholder":
        return Repro(kind, PLACEHOLDER)
    return Repro("none", "")


def choose_kind(rng: random.Random, p: Problem) -> str:
    """Which reproduction a reporter gives: the problem's usual kinds, placeholders, or nothing."""
    r = rng.random()
    if r < 0.2:
        return "placeholder"
    if r < 0.33:
        return "none"
    if r < 0.375:
        broken = [b for k, b in _BROKEN_OF if k in p.repro]
        return rng.choice(broken if broken and rng.random() < 0.6 else BROKEN)
    weights = [
        _KIND_WEIGHT[k] * (2.5 if i == 0 and k in ("dockerfile", "compose") else 1.0)
        for i, k in enumerate(p.repro)
    ]
    if "ui" not in p.repro:
        return rng.choices(("ui", *p.repro), weights=(3.0, *weights))[0]
    return rng.choices(p.repro, weights=weights)[0]


_BROKEN_OF = (
    ("dockerfile", "dockerfile_nofrom"),
    ("compose", "compose_badyaml"),
    ("compose", "compose_badkey"),
    ("sh", "sh_syntax"),
    ("prompt", "sh_syntax"),
)
_KIND_WEIGHT = {"ui": 6.0, "prompt": 1.6, "sh": 1.0, "dockerfile": 1.0, "compose": 1.0}
