"""Static checks of reproductions: ``bash -n``, dockerfile-parse, PyYAML + a Compose schema.

The Compose schema below is this project's own, written for the keys that
decide whether a pasted compose file can be run: the top-level keys
(``services``, ``networks``, ``volumes``, ``configs``, ``secrets``, ``version``,
``name``, ``x-*`` extensions; nothing else), services as mappings that have an
``image``, a ``build`` or ``extends``, and the types of the common service keys.
It is deliberately smaller than the official Compose specification (see
docs/quality.md): a file it accepts may still be refused by ``docker compose``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from collections import OrderedDict
from typing import Any

from triagedesk.domain.evidence._text import clip
from triagedesk.domain.evidence.reproduction import check_dockerfile

#: bash -n gets this long before the check counts as "could not verify"
BASH_TIMEOUT_S = 3.0
MAX_TEXT = 65_536
MAX_YAML_ALIASES = 50
MEMO_SIZE = 4096

_STR = {"type": "string"}
_STR_OR_LIST = {"type": ["string", "array"]}
_LIST = {"type": "array"}
_OBJ = {"type": "object"}
_OBJ_OR_LIST = {"type": ["object", "array"]}
_SCALAR = {"type": ["string", "number", "boolean"]}
_ANY: dict[str, Any] = {}

_SERVICE_KEYS: dict[str, Any] = {
    "image": _STR,
    "build": {"type": ["string", "object"]},
    "extends": {"type": ["string", "object"]},
    "command": {"type": ["string", "array", "null"]},
    "entrypoint": {"type": ["string", "array", "null"]},
    "environment": _OBJ_OR_LIST,
    "env_file": _STR_OR_LIST,
    "ports": _LIST,
    "expose": _LIST,
    "volumes": _LIST,
    "volumes_from": _LIST,
    "networks": _OBJ_OR_LIST,
    "network_mode": _STR,
    "depends_on": _OBJ_OR_LIST,
    "links": _LIST,
    "external_links": _LIST,
    "restart": _STR,
    "container_name": _STR,
    "hostname": _STR,
    "domainname": _STR,
    "healthcheck": _OBJ,
    "labels": _OBJ_OR_LIST,
    "annotations": _OBJ_OR_LIST,
    "deploy": {"type": ["object", "null"]},
    "platform": _STR,
    "privileged": {"type": ["boolean", "string"]},
    "user": _STR,
    "working_dir": _STR,
    "stdin_open": {"type": ["boolean", "string"]},
    "tty": {"type": ["boolean", "string"]},
    "init": {"type": ["boolean", "string"]},
    "read_only": {"type": ["boolean", "string"]},
    "cap_add": _LIST,
    "cap_drop": _LIST,
    "devices": _LIST,
    "device_cgroup_rules": _LIST,
    "dns": _STR_OR_LIST,
    "dns_search": _STR_OR_LIST,
    "dns_opt": _LIST,
    "extra_hosts": _OBJ_OR_LIST,
    "logging": _OBJ,
    "pid": {"type": ["string", "null"]},
    "ipc": _STR,
    "uts": _STR,
    "profiles": _LIST,
    "secrets": _LIST,
    "configs": _LIST,
    "sysctls": _OBJ_OR_LIST,
    "tmpfs": _STR_OR_LIST,
    "ulimits": _OBJ,
    "mem_limit": _SCALAR,
    "mem_reservation": _SCALAR,
    "memswap_limit": _SCALAR,
    "mem_swappiness": _SCALAR,
    "shm_size": _SCALAR,
    "cpus": _SCALAR,
    "cpu_shares": _SCALAR,
    "cpu_quota": _SCALAR,
    "cpu_period": _SCALAR,
    "cpuset": _STR,
    "security_opt": _LIST,
    "stop_signal": _STR,
    "stop_grace_period": _STR,
    "runtime": _STR,
    "scale": _SCALAR,
    "pull_policy": _STR,
    "cgroup": _STR,
    "cgroup_parent": _STR,
    "userns_mode": _STR,
    "isolation": _STR,
    "oom_kill_disable": {"type": ["boolean", "string"]},
    "oom_score_adj": _SCALAR,
    "pids_limit": _SCALAR,
    "group_add": _LIST,
    "gpus": _ANY,
    "develop": _OBJ,
    "attach": {"type": ["boolean", "string"]},
    "mac_address": _STR,
    "storage_opt": _OBJ,
    "blkio_config": _OBJ,
    "credential_spec": _OBJ,
    "label_file": _STR_OR_LIST,
    "post_start": _LIST,
    "pre_stop": _LIST,
    "models": _OBJ_OR_LIST,
    "provider": _OBJ,
}

_TOP_MAP = {"type": ["object", "null"]}

COMPOSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["services"],
    "properties": {
        "version": {"type": ["string", "number"]},
        "name": _STR,
        "services": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-zA-Z0-9._-]+$"},
            "additionalProperties": {"$ref": "#/$defs/service"},
        },
        "networks": _TOP_MAP,
        "volumes": _TOP_MAP,
        "configs": _TOP_MAP,
        "secrets": _TOP_MAP,
    },
    "patternProperties": {"^x-": _ANY},
    "additionalProperties": False,
    "$defs": {
        "service": {
            "type": "object",
            "anyOf": [{"required": ["image"]}, {"required": ["build"]}, {"required": ["extends"]}],
            "properties": _SERVICE_KEYS,
            "patternProperties": {"^x-": _ANY},
            "additionalProperties": False,
        }
    },
}


class StaticReproValidator:
    """:class:`~triagedesk.ports.repro.ReproValidator` with local tools only."""

    def __init__(self, bash: str | None = None, timeout: float = BASH_TIMEOUT_S) -> None:
        self._bash = bash if bash is not None else shutil.which("bash")
        self.timeout = timeout
        # reporters paste the same scripts again and again (and every recheck repeats them):
        # remember the last answers instead of starting bash each time
        self._memo: OrderedDict[tuple[str, str], tuple[bool | None, str]] = OrderedDict()

    def check(self, kind: str, text: str) -> tuple[bool | None, str]:
        key = (kind, hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest())
        hit = self._memo.get(key)
        if hit is not None:
            self._memo.move_to_end(key)
            return hit
        result = self._check(kind, text)
        if result[0] is not None:  # "could not verify" is asked again next time
            self._memo[key] = result
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return result

    def _check(self, kind: str, text: str) -> tuple[bool | None, str]:
        text = text[:MAX_TEXT]
        if kind == "shell":
            return self.check_shell(text)
        if kind == "dockerfile":
            return check_dockerfile_lib(text)
        if kind == "compose":
            return check_compose(text)
        return None, f"no static check for {kind}"

    def check_shell(self, text: str) -> tuple[bool | None, str]:
        if not self._bash:
            return None, "bash is not installed; syntax not checked"
        try:
            proc = subprocess.run(
                [self._bash, "-n"],
                input=text.encode("utf-8", errors="replace"),
                capture_output=True,
                timeout=self.timeout,
                check=False,
                env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
            )
        except subprocess.TimeoutExpired:
            return None, f"bash -n took over {self.timeout:g}s; not checked"
        except OSError as exc:
            return None, f"bash -n could not run: {exc.strerror}"
        if proc.returncode == 0:
            return True, "bash -n accepts it"
        err = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        return False, "bash -n: " + clip(err[0] if err else f"exit {proc.returncode}", 120)


def check_dockerfile_lib(text: str) -> tuple[bool, str]:
    """dockerfile-parse's reading of the file, plus this project's FROM rule."""
    ok, reason = check_dockerfile(text)
    if not ok:
        return ok, reason
    from dockerfile_parse import DockerfileParser

    with tempfile.TemporaryDirectory(prefix="triagedesk-df-") as tmp:
        try:
            parser = DockerfileParser(path=tmp)
            parser.content = text
            structure = parser.structure
            base = parser.baseimage
        except Exception as exc:  # the library raises plain exceptions on odd input
            return False, f"dockerfile-parse refused it: {clip(str(exc), 100)}"
    instructions = [s.get("instruction", "") for s in structure]
    first = next((i for i in instructions if i != "ARG"), "")
    if first != "FROM":
        return False, f"dockerfile-parse reads {first or 'nothing'} first, not FROM"
    return True, f"parses ({len(instructions)} instructions); FROM {clip(base or '?', 60)}"


def check_compose(text: str) -> tuple[bool, str]:
    """YAML that parses and validates against this project's Compose schema."""
    import jsonschema
    import yaml

    if len(re.findall(r"(?<![\w\"'])\*[A-Za-z0-9_-]", text)) > MAX_YAML_ALIASES:
        return False, f"more than {MAX_YAML_ALIASES} YAML aliases (refused, alias bombs)"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return False, f"YAML does not parse{where}: {clip(str(getattr(exc, 'problem', exc)), 80)}"
    except RecursionError:
        return False, "YAML nests too deeply"
    validator = jsonschema.Draft202012Validator(COMPOSE_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        return False, f"compose schema: {path}: {clip(err.message, 100)}"
    services = sorted(data["services"]) if isinstance(data, dict) else []
    return True, f"valid compose file; services: {', '.join(services[:5])}"
