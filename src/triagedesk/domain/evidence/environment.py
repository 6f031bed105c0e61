"""The reporter's environment: OS, product version, channel, architecture, backend, install context.

Read, in order of trust, from the diagnose header, the template fields
("- macOS Version:", "Docker Desktop Version:", "WSL2 or Hyper-V backend?",
"Intel chip or Apple chip:") and free text ("Windows 10 Pro (21H1) OS build
19043.1165", "Big Sur", "after upgrading from 3.5.2 to 3.6.0", "fresh install").
Each found value keeps the snippet it came from.

Install context, first match wins: upgrade from X to Y, downgrade, channel switch
(switched / moved / changed / went to the beta, edge or stable channel or builds,
joined the beta program, "early access" = beta; verbs other than "switch" need a
channel noun so "changed to Edge" the browser does not count), failed install,
upgrade to Y, a bare upgrade, new install (fresh / clean / new / first install,
reinstalled, installed for the first time, first time installing, a brand new or
freshly imaged laptop / machine / Mac).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triagedesk.domain.evidence import _environment_patterns as P
from triagedesk.domain.evidence._text import bounded, clip, relevant_lines, strip_html_comments
from triagedesk.domain.evidence.diagnostics import DiagnoseHeader, find_diagnostics


@dataclass(frozen=True, slots=True)
class Found:
    value: str
    evidence: str


@dataclass(frozen=True, slots=True)
class InstallContext:
    kind: str  # "new-install", "failed-install", "upgrade", "channel-switch", "downgrade"
    from_version: str | None = None
    to_version: str | None = None
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Environment:
    os: Found | None = None  # "macos" / "windows" / "linux"
    os_version: Found | None = None
    os_build: Found | None = None
    product_version: Found | None = None
    product_build: Found | None = None
    channel: Found | None = None  # "stable" / "edge" / "beta"
    arch: Found | None = None  # "intel" / "apple"
    backend: Found | None = None  # "wsl2" / "hyper-v" / "windows-containers"
    in_vm: Found | None = None  # "yes" / "no"
    emulation: Found | None = None  # "rosetta" / "qemu"
    install_context: InstallContext | None = None

    @property
    def in_vm_flag(self) -> bool | None:
        return None if self.in_vm is None else self.in_vm.value == "yes"

    @property
    def known(self) -> tuple[str, ...]:
        """Names of the facts that were found."""
        names = (
            "os",
            "os_version",
            "os_build",
            "product_version",
            "product_build",
            "channel",
            "arch",
            "backend",
            "in_vm",
            "emulation",
        )
        out = [n for n in names if getattr(self, n) is not None]
        if self.install_context is not None:
            out.append("install_context")
        return tuple(out)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for name in self.known:
            if name == "install_context":
                ic = self.install_context
                assert ic is not None
                out[name] = {
                    "kind": ic.kind,
                    "from_version": ic.from_version,
                    "to_version": ic.to_version,
                    "evidence": ic.evidence,
                }
            else:
                f: Found = getattr(self, name)
                out[name] = {"value": f.value, "evidence": f.evidence}
        return out


def _found(value: str, text: str, m: re.Match[str]) -> Found:
    start = max(0, m.start() - 20)
    return Found(value=value, evidence=clip(text[start : m.end() + 20], 120))


def _os_from_field(value: str) -> str | None:
    low = value.lower()
    if "windows" in low or re.search(r"\b10\.0\.\d{5}", low):
        return "windows"
    if (
        "mac" in low
        or "os x" in low
        or any(n in low for n in P.MAC_NAMES)
        or re.match(r"\s*1[0-5](?:\.\d+)", low)
    ):
        return "macos"
    if "ubuntu" in low or "linux" in low or "fedora" in low or "debian" in low:
        return "linux"
    return None


_NOT_GIVEN = DiagnoseHeader()


def find_environment(text: str, header: DiagnoseHeader | None = _NOT_GIVEN) -> Environment:
    """The environment facts in ``text``; ``header`` is its parsed diagnose header (None: none).

    Long texts are first narrowed to the lines that hold an environment keyword."""
    text = bounded(text)
    if header is _NOT_GIVEN:
        header = find_diagnostics(text).header
    text = relevant_lines(strip_html_comments(text), P.KEYWORDS)
    # str `in` runs at C speed: a regex only runs when its words can be in the text
    low = text.lower()
    os_: Found | None = None
    os_version: Found | None = None
    os_build: Found | None = None
    product_version: Found | None = None
    product_build: Found | None = None
    if header is not None:
        ev = "diagnose header"
        if header.os_name:
            os_ = Found(header.os_name, ev)
        if header.os_version:
            os_version = Found(header.os_version, ev)
        if header.os_build:
            os_build = Found(header.os_build, ev)
        if header.product_version:
            product_version = Found(header.product_version, ev)
        if header.product_build:
            product_build = Found(header.product_build, ev)

    for m in P.FIELD_RE.finditer(text):
        value = m.group(2).strip().strip("*_` ")
        if not value or value.lower() in ("_no response_", "...", "…", "-"):
            continue
        label = m.group(1).lower()
        name = "macos" if ("mac" in label or "os x" in label or "osx" in label) else None
        name = name or ("windows" if "windows" in label else _os_from_field(value))
        if name is None or not re.search(
            r"[0-9]|big sur|sierra|catalina|mojave|monterey|ventura|sonoma|sequoia|capitan|windows",
            value,
            P.IC,
        ):
            continue
        if os_ is None:
            os_ = _found(name, text, m)
        if os_version is None:
            os_version = _found(clip(value, 60), text, m)
        break

    if product_version is None:
        m2 = (
            P.PRODUCT_FIELD_RE.search(text)
            or (_has(low, "docker for", "docker desktop") and P.PRODUCT_TEXT_RE.search(text))
            or ("-ce-" in low and P.CE_VERSION_RE.search(text))
        )
        if m2:
            product_version = _found(m2.group(1), text, m2)
            if m2.group(2) and product_build is None:
                product_build = _found(m2.group(2), text, m2)

    if os_ is None or os_version is None:
        w = P.WIN_TEXT_RE.search(text) if "windows" in low else None
        mac = (_has(low, "mac", "os x", "osx") and P.MAC_TEXT_RE.search(text)) or (
            _has(low, *P.MAC_NAMES) and P.MAC_NAME_RE.search(text)
        )
        first = min((x for x in (w, mac) if x), key=lambda x: x.start(), default=None)
        if first is not None:
            is_win = first is w
            if os_ is None:
                os_ = _found("windows" if is_win else "macos", text, first)
            if os_version is None:
                if is_win:
                    version = first.group(1) + (f" {first.group(2)}" if first.group(2) else "")
                else:
                    raw = first.group(1)
                    version = P.MAC_NAMES.get(raw.lower(), raw)
                os_version = _found(version, text, first)
    if os_build is None:
        b = P.WIN_BUILD_RE.search(text) if _has(low, "build", "10.0.", "windows") else None
        if b and (os_ is None or os_.value == "windows"):
            os_build = _found(b.group(1) or b.group(2), text, b)
            if os_ is None:
                os_ = _found("windows", text, b)
    if os_ is None:
        hints = [
            (r.search(text), name)
            for r, name in (
                (P.MAC_HINT_RE, "macos"),
                (P.WIN_HINT_RE, "windows"),
                (P.LINUX_HINT_RE, "linux"),
            )
        ]
        present = [(m3, n) for m3, n in hints if m3]
        if present:
            m3, n = min(present, key=lambda x: x[0].start())
            os_ = _found(n, text, m3)

    return Environment(
        os=os_,
        os_version=os_version,
        os_build=os_build,
        product_version=product_version,
        product_build=product_build,
        channel=_channel(text) if _has(low, "stable", "edge", "beta", "channel") else None,
        arch=_arch(text) if _has(low, *_ARCH_WORDS) else None,
        backend=_backend(text) if _has(low, "wsl", "hyper", "container") else None,
        in_vm=_in_vm(text) if _has(low, *_VM_WORDS) else None,
        emulation=_emulation(text) if _has(low, "rosetta", "qemu", "--platform") else None,
        install_context=_install_context(text) if _has(low, *_INSTALL_WORDS) else None,
    )


_ARCH_WORDS = ("intel", "apple", "m1", "m2", "m3", "m4", "arm64", "aarch64", "x86_64", "amd64")
_VM_WORDS = ("virtual", "vm", "cloud", "ec2", "azure", "nested", "parallels")
_INSTALL_WORDS = (
    "upgrad",
    "updat",
    "downgrad",
    "switch",
    "install",
    "setup",
    "set up",
    "channel",
    "beta",
    "edge",
    "stable",
    "early",
    "brand",
    "first time",
    "fresh",
    "newly",
)


def _has(low: str, *words: str) -> bool:
    return any(w in low for w in words)


def _channel(text: str) -> Found | None:
    m = P.CHANNEL_RE.search(text)
    if not m:
        return None
    value = next(g for g in m.groups() if g).lower()
    return _found(value, text, m)


def _arch(text: str) -> Found | None:
    for m in P.ARCH_FIELD_RE.finditer(text):
        raw = (m.group(1) if m.group(1) is not None else m.group(2) or "").lower()
        if "apple" in raw or re.search(r"\bm[1-4]\b", raw) or "arm64" in raw or "aarch64" in raw:
            return _found("apple", text, m)
        if "intel" in raw or "x86_64" in raw or "amd64" in raw:
            return _found("intel", text, m)
    return None


def _backend(text: str) -> Found | None:
    f = P.BACKEND_FIELD_RE.search(text)
    if f:
        raw = f.group(1).lower()
        if "wsl" in raw:
            return _found("wsl2", text, f)
        if "hyper" in raw:
            return _found("hyper-v", text, f)
    for m in P.BACKEND_RE.finditer(text):
        raw = m.group(1).lower()
        if "container" in raw:
            return _found("windows-containers", text, m)
        if "wsl" in raw:
            return _found("wsl2", text, m)
        if "hyper" in raw:
            return _found("hyper-v", text, m)
    return None


def _in_vm(text: str) -> Found | None:
    f = P.VM_FIELD_RE.search(text)
    if f:
        raw = f.group(1).strip(" *_").lower()
        if raw.startswith(("yes", "y ", "true")) or raw == "y":
            return _found("yes", text, f)
        if raw.startswith(("no", "n ", "false")) or raw == "n":
            return _found("no", text, f)
    m = P.VM_TEXT_RE.search(text)
    if m:
        return _found("yes", text, m)
    return None


def _emulation(text: str) -> Found | None:
    m = P.EMULATION_RE.search(text)
    if not m:
        return None
    value = (
        "qemu" if ("qemu" in m.group(1).lower() or "platform" in m.group(1).lower()) else "rosetta"
    )
    return _found(value, text, m)


def _channel_switch(text: str) -> InstallContext | None:
    """A move to another channel; "early access" is the beta channel."""
    for m in P.SWITCH_RE.finditer(text):
        if not m.group("verb").lower().startswith("switch") and not m.group("noun"):
            continue  # "changed to Edge" (the browser), "moved to the stable part"
        src = m.group("src")
        to = m.group("to") or "beta"
        return InstallContext(
            "channel-switch", src.lower() if src else None, to.lower(), clip(m.group(0), 120)
        )
    j = P.JOIN_CHANNEL_RE.search(text)
    if j:
        src = j.group("src")
        to = j.group("to") or j.group("to2") or "beta"
        return InstallContext(
            "channel-switch", src.lower() if src else None, to.lower(), clip(j.group(0), 120)
        )
    return None


def _install_context(text: str) -> InstallContext | None:
    m = P.UPGRADE_RE.search(text)
    if m:
        return InstallContext("upgrade", m.group(1), m.group(2), clip(m.group(0), 120))
    m = P.DOWNGRADE_RE.search(text)
    if m:
        return InstallContext("downgrade", None, m.group(1), clip(m.group(0), 120))
    switch = _channel_switch(text)
    if switch is not None:
        return switch
    m = P.FAILED_INSTALL_RE.search(text)
    if m:
        return InstallContext("failed-install", evidence=clip(m.group(0), 120))
    m = P.UPGRADE_TO_RE.search(text)
    if m:
        return InstallContext("upgrade", None, m.group(1), clip(m.group(0), 120))
    m = P.UPGRADE_TEXT_RE.search(text)
    if m:
        return InstallContext("upgrade", evidence=clip(m.group(0), 120))
    m = P.NEW_INSTALL_RE.search(text)
    if m:
        return InstallContext("new-install", evidence=clip(m.group(0), 120))
    return None
