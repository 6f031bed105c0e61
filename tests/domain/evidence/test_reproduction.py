from __future__ import annotations

import pytest

from triagedesk.domain.evidence.reproduction import check_dockerfile, find_reproduction

# (text, kinds found)
KIND_CASES = [
    ("### Steps to reproduce the behavior\n\n1. ...\n2. ...\n", ()),
    (
        "### Steps to reproduce the behavior\n\n1. Open the Dashboard\n2. Click on Settings and Resources\n",
        ("ui-steps",),
    ),
    (
        "### Reproduce\n\n- Start Docker Desktop after boot\n- Run any container with a volume\n",
        ("ui-steps",),
    ),
    ("```bash\ndocker run --rm -v $(pwd):/src alpine ls /src\n```", ("shell",)),
    ("```\n$ docker run -p 80:80 nginx\nError: port is already allocated\n```", ("shell",)),
    ("Then:\n\n$ docker compose up\n$ curl localhost:8080\n", ("shell",)),
    ("```powershell\nwsl --shutdown\nwsl -l -v\n```", ("shell",)),
    ("```Dockerfile\nFROM alpine:3.18\nRUN apk add curl\n```", ("dockerfile",)),
    ('```\nFROM node:18\nCOPY . /app\nCMD ["node", "/app"]\n```', ("dockerfile",)),
    ("docker-compose.yml:\n```\nservices:\n  web:\n    image: nginx\n```", ("compose",)),
    ("```yaml\nservices:\n  db:\n    image: postgres\n```", ("compose",)),
    ("```yaml\napiVersion: v1\nkind: Pod\n```", ()),
    ("```\n2021-01-01 ERROR something broke\n```", ()),
    ("- Windows Version: 10\n- Docker Desktop Version: 4.1\n", ()),
    ("", ()),
    ("### docker info\n\n```bash\nClient:\n Version: 28.0.1\n```\n", ()),
    ("### docker version\n\n```bash\nls\n```\n", ()),
    ("Here:\n```bash\nServer: Docker Desktop 4.38.0 (185940)\n Engine:\n```\n", ()),
    ("### Reproduce\n\n```bash\ndocker run --rm alpine true\n```\n", ("shell",)),
]


@pytest.mark.parametrize(("text", "kinds"), KIND_CASES)
def test_kinds(text: str, kinds: tuple[str, ...]) -> None:
    assert find_reproduction(text).kinds == kinds


def test_placeholder_steps_are_flagged() -> None:
    rep = find_reproduction("### Steps to reproduce the behavior\n\n1. ...\n2. ...\n")
    assert rep.placeholder_steps and not rep.present


def test_one_step_is_present_but_not_valid() -> None:
    rep = find_reproduction("1. Start Docker Desktop and wait\n")
    (item,) = rep.items
    assert item.kind == "ui-steps" and item.valid is False and "two" in item.reason
    assert rep.any_valid is False


@pytest.mark.parametrize(
    ("dockerfile", "ok", "reason_part"),
    [
        ("FROM alpine\nRUN true\n", True, "FROM alpine"),
        ("# syntax=docker/dockerfile:1\nARG BASE=alpine\nFROM ${BASE}\n", True, "FROM ${BASE}"),
        ("FROM --platform=linux/amd64 ubuntu:22.04\n", True, "ubuntu:22.04"),
        ("FROM a\nRUN apk add \\\n  curl \\\n  git\n", True, ""),
        ("FROM a\nRUN <<EOF\nnot an instruction\nEOF\nCMD x\n", True, ""),
        ("# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir `\n  c:\\\n", True, ""),
        ("RUN echo hi\n", False, "not FROM"),
        ("FROM\n", False, "without an image"),
        ("FROM a\nBOGUS x\n", False, "unknown instruction"),
        ("ARG X=1\n", False, "no FROM"),
        ("# only a comment\n", False, "no instructions"),
    ],
)
def test_own_dockerfile_parser(dockerfile: str, ok: bool, reason_part: str) -> None:
    valid, reason = check_dockerfile(dockerfile)
    assert valid is ok
    assert reason_part in reason


def test_invalid_dockerfile_block_is_reported_invalid() -> None:
    rep = find_reproduction("```dockerfile\nRUN echo hi\n```")
    (item,) = rep.items
    assert (item.kind, item.valid) == ("dockerfile", False)


def test_injected_validator_decides_shell_and_compose() -> None:
    calls: list[tuple[str, str]] = []

    def validate(kind: str, text: str) -> tuple[bool | None, str]:
        calls.append((kind, text))
        return (kind == "compose"), f"{kind} checked"

    rep = find_reproduction(
        "```bash\nif then\n```\n```yaml\nservices:\n  a:\n    image: x\n```", validate
    )
    assert [(i.kind, i.valid) for i in rep.items] == [("shell", False), ("compose", True)]
    assert [k for k, _ in calls] == ["shell", "compose"]
    assert rep.valid_kinds == ("compose",) and rep.any_valid is True


def test_validator_errors_never_escape() -> None:
    def boom(kind: str, text: str) -> tuple[bool | None, str]:
        raise RuntimeError("validator down")

    rep = find_reproduction("```bash\nls\n```", boom)
    (item,) = rep.items
    assert item.valid is None and "validator down" in item.reason


def test_prompt_lines_only_keep_the_commands() -> None:
    rep = find_reproduction("```console\n$ docker ps\nCONTAINER ID   IMAGE\n$ docker info\n```")
    (item,) = rep.items
    assert item.text == "docker ps\ndocker info"
