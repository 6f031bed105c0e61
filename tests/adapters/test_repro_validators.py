from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triagedesk.adapters.repro_validators import StaticReproValidator, check_compose
from triagedesk.domain.evidence.reproduction import find_reproduction

V = StaticReproValidator()


@pytest.mark.parametrize(
    ("script", "ok"),
    [
        ("docker run --rm alpine echo hi\n", True),
        ("for i in 1 2; do docker ps; done\n", True),
        ("if [ -f x ]; then echo\n", False),
        ("echo 'unterminated\n", False),
        ('docker run -v "$(pwd)":/src alpine', True),
    ],
)
def test_bash_n(script: str, ok: bool) -> None:
    valid, reason = V.check("shell", script)
    assert valid is ok, reason
    assert reason


def test_bash_missing_or_slow_is_could_not_verify() -> None:
    assert StaticReproValidator(bash="/nonexistent/bash").check("shell", "ls")[0] is None
    assert StaticReproValidator(bash="").check("shell", "ls")[0] is None


@pytest.mark.parametrize(
    ("dockerfile", "ok"),
    [
        ('FROM alpine:3.19\nRUN apk add curl\nCMD ["sh"]\n', True),
        ("ARG V=3\nFROM alpine:${V}\n", True),
        ("RUN echo\n", False),
        ("FROM a\nNOPE x\n", False),
    ],
)
def test_dockerfile(dockerfile: str, ok: bool) -> None:
    valid, reason = V.check("dockerfile", dockerfile)
    assert valid is ok, reason


@pytest.mark.parametrize(
    ("compose", "ok", "reason_part"),
    [
        ("services:\n  web:\n    image: nginx\n    ports: ['80:80']\n", True, "web"),
        (
            "version: '3.8'\nservices:\n  app:\n    build: .\n    depends_on: [db]\n  db:\n    image: postgres\n",
            True,
            "app, db",
        ),
        ("name: demo\nx-common: &c\n  image: alpine\nservices:\n  a:\n    <<: *c\n", True, "a"),
        ("services:\n  web:\n    ports: ['80:80']\n", False, "services/web"),
        ("services:\n  web:\n    image: nginx\n    bogus_key: 1\n", False, "bogus_key"),
        ("services:\n  web:\n    image: nginx\nbogus_top: {}\n", False, "bogus_top"),
        ("services: [web]\n", False, "services"),
        ("networks:\n  a: {}\n", False, "services"),
        ("services:\n  web:\n    image: [unclosed\n", False, "YAML does not parse"),
        ("just text", False, "top level"),
        ("services:\n  web:\n    image: nginx\n    ports: 80\n", False, "ports"),
    ],
)
def test_compose(compose: str, ok: bool, reason_part: str) -> None:
    valid, reason = check_compose(compose)
    assert valid is ok, reason
    assert reason_part in reason


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 60):
        lines.append(f"a{i}: &a{i} [*a{i - 1 if i > 1 else ''}, *a{i - 1 if i > 1 else ''}]")
    valid, reason = check_compose("\n".join(lines))
    assert valid is False and "aliases" in reason


def test_the_validator_plugs_into_the_extractor() -> None:
    rep = find_reproduction(
        "```bash\nif then\n```\n\n```yaml\nservices:\n  web:\n    image: nginx\n```", V.check
    )
    assert [(i.kind, i.valid) for i in rep.items] == [("shell", False), ("compose", True)]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_compose_and_dockerfile_checks_never_raise(text: str) -> None:
    for kind in ("compose", "dockerfile"):
        valid, reason = V.check(kind, text)
        assert valid in (True, False, None) and reason


def test_answers_are_remembered_but_could_not_verify_is_not(tmp_path: object) -> None:
    v = StaticReproValidator()
    assert v.check("shell", "ls -l\n") == v.check("shell", "ls -l\n")
    assert len(v._memo) == 1
    broken = StaticReproValidator(bash="/nonexistent/bash")
    broken.check("shell", "ls")
    assert len(broken._memo) == 0
