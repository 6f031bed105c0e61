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


def _bash_n(kind: str, text: str) -> tuple[bool | None, str]:
    """Stands in for ``bash -n`` only to show whether it was asked: it rejects everything."""
    return False, f"{kind} rejected"


# (text, source, the commands kept) — Windows prompts are shell reproductions that bash -n
# cannot judge, so they are present with validity None ("not checked"), never invalid
WINDOWS_PROMPT_CASES = [
    (
        "Every time:\n\nPS C:\\Users\\ana> docker compose up -d\nnetwork not found\n",
        "prompts",
        "docker compose up -d",
    ),
    ("PS D:\\src\\api>   docker build -t api .\n", "prompts", "docker build -t api ."),
    ("PS> wsl --list --verbose\n", "prompts", "wsl --list --verbose"),
    ("C:\\> docker context ls\n", "prompts", "docker context ls"),
    ("C:\\Program Files\\Docker>docker.exe version\n", "prompts", "docker.exe version"),
    (
        "### Reproduce\n\n```\nPS C:\\work> docker pull busybox\nunauthorized\n"
        "PS C:\\work> docker logout\n```\n",
        "fenced",
        "docker pull busybox\ndocker logout",
    ),
    ("```cmd\nnet stop com.docker.service\n```\n", "fenced", "net stop com.docker.service"),
]


@pytest.mark.parametrize(("text", "source", "commands"), WINDOWS_PROMPT_CASES)
def test_windows_prompts_are_shell_but_not_checked(text: str, source: str, commands: str) -> None:
    rep = find_reproduction(text, _bash_n)
    (item,) = rep.items
    assert (item.kind, item.source, item.valid) == ("shell", source, None)
    assert item.text.strip() == commands
    assert "not checked" in item.reason
    assert rep.any_valid is None  # "could not verify", not "invalid"


@pytest.mark.parametrize(
    "text",
    [
        "PS: it happens > 3 times a day\n",  # a postscript, not a prompt
        "Path: C:\\Users\\ana\\AppData\\Local\\Docker\\log.txt\n",  # a path, no prompt
        "C:\\Users\\ana>\n",  # an empty prompt holds no command
    ],
)
def test_windows_prompt_look_alikes(text: str) -> None:
    assert find_reproduction(text).items == ()


def test_dollar_prompts_are_still_checked_beside_windows_ones() -> None:
    rep = find_reproduction("$ docker ps\n\nand on Windows\n\nPS C:\\> docker ps\n", _bash_n)
    assert [(i.source, i.valid) for i in rep.items] == [("prompts", False), ("prompts", None)]


# (text, the steps found) — bulleted UI steps outside a steps heading
BULLET_CASES = [
    (
        "To reproduce:\n\n- Open Settings\n* Click Apply & restart\n- Watch the whale spin\n",
        ["Open Settings", "Click Apply & restart", "Watch the whale spin"],
    ),
    (
        "Steps I follow every morning:\n+ Resume the laptop from sleep\n+ Start any container\n",
        ["Resume the laptop from sleep", "Start any container"],
    ),
    (
        "It breaks like this.\n\n- Enable the containerd image store\n- Pull an image twice\n",
        ["Enable the containerd image store", "Pull an image twice"],
    ),
    ("What I tried:\n- Restart Docker Desktop\n- Reset to factory defaults\n", []),
    ("Environment:\n- Windows 11 Pro\n- Docker Desktop 4.30.0\n", []),
    ("Notes:\n- the disk image is 60 GB\n- the VM has 8 GB of memory\n", []),
    ("How to reproduce:\n- ...\n- ...\n", []),
]


@pytest.mark.parametrize(("text", "steps"), BULLET_CASES)
def test_bulleted_ui_steps(text: str, steps: list[str]) -> None:
    rep = find_reproduction(text)
    found = [i for i in rep.items if i.kind == "ui-steps"]
    if not steps:
        assert found == []
        return
    (item,) = found
    assert item.text.split("\n") == steps
    assert item.valid is (len(steps) >= 2)


# output the issue form asked for, in ```bash fences under its version/info sections
FORM_OUTPUT_CASES = [
    "### docker version\n\n```bash\nClient: Docker Engine - Community\n Version: 27.3.1\n```\n",
    "### docker info\n\n```bash\n Context:    desktop-linux\n Debug Mode: false\n Plugins:\n```\n",
    "### Docker Version:\n\n```bash\n$ docker version\nClient:\n Version: 26.1.4\n```\n",
    "### docker info\n\n```bash\ndocker info\nServer:\n Containers: 3\n```\n",
]


@pytest.mark.parametrize("text", FORM_OUTPUT_CASES)
def test_form_output_sections_are_not_a_script(text: str) -> None:
    body = "### Reproduce\n\n1. Start the app\n2. Open a terminal\n\n" + text
    assert find_reproduction(body, _bash_n).kinds == ("ui-steps",)
