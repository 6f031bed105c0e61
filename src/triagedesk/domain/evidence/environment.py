"""The reporter's environment: OS, product version, channel, architecture, backend, install context.

Read, in order of trust, from the diagnose header, the template fields
("- macOS Version:", "Docker Desktop Version:", "WSL2 or Hyper-V backend?",
"Intel chip or Apple chip:") and free text ("Windows 10 Pro (21H1) OS build
19043.1165", "Big Sur", "after upgrading from 3.5.2 to 3.6.0", "fresh install").
Each found value keeps the snippet it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


_I = re.IGNORECASE
_M = re.MULTILINE
# "- macOS Version: 11.2.2", "OS Version: Windows 10 Pro 21H1", "Windows Version: 10.0.19043"
_FIELD_RE = re.compile(
    r"^[ \t>*_-]{0,8}(?:\*\*)?(macOS|Mac ?OS ?X?|OS ?X|Windows|OS|Host OS|Operating system)"
    r"[ \t]{0,3}(?:version|build)?[ \t*]{0,3}:[ \t*]{0,3}([^\n]{1,120})$",
    _I | _M,
)
_PRODUCT_FIELD_RE = re.compile(
    r"^[ \t>*_-]{0,8}(?:\*\*)?Docker(?: for Mac| for Windows| Desktop)?[ \t]{0,3}(?:version)?"
    r"[ \t*]{0,3}:[ \t*]{0,3}(?:version[ \t]{0,3}:?[ \t]{0,3})?"
    r"v?([0-9]{1,2}\.[0-9]{1,3}(?:\.[0-9]{1,4})*(?:[.-][0-9A-Za-z.-]{1,30})?)"
    r"(?:[ \t]{0,3}\((?:build[ \t:]{0,3})?([0-9A-Za-z.]{1,40})\))?",
    _I | _M,
)
_PRODUCT_TEXT_RE = re.compile(
    r"\bDocker(?: for Mac| for Windows| Desktop)[ \t]{1,3}(?:version[ \t]{1,3}|v)?"
    r"([0-9]{1,2}\.[0-9]{1,3}(?:\.[0-9]{1,4}){1,2}(?:-[0-9A-Za-z.-]{1,30})?)"
    r"(?:[ \t]{0,3}\((?:build[ \t:]{0,3})?([0-9A-Za-z.]{1,40})\))?",
    _I,
)
# the 2016–2018 version scheme is Docker's own: 17.06.0-ce-mac19, 18.03.1-ce-win65
_CE_VERSION_RE = re.compile(
    r"\b(1[6-9]\.\d{2}\.\d{1,2}-ce(?:-rc\d{1,2})?-(?:mac|win)\d{1,4})"
    r"(?:[ \t]{0,3}\((?:build[ \t:]{0,3})?([0-9A-Za-z.]{1,40})\))?",
    _I,
)
_WIN_TEXT_RE = re.compile(
    r"\bWindows[ \t]{1,3}(10|11|Server(?:[ \t]{1,3}20[0-9]{2})?)\b"
    r"(?:[ \t]{1,3}(?:Pro|Home|Enterprise|Education|Insider|Pro for Workstations)\b)?"
    r"(?:[ \t]{0,3}\(?(\d{2}H\d|\d{4})\)?)?",
    _I,
)
_WIN_BUILD_RE = re.compile(
    r"(?:OS[ \t]{0,3}build|Build|version[ \t]{1,3}10\.0\.)[ \t:]{0,3}(\d{5}(?:\.\d{1,5})?)"
    r"|Windows[ \t]{1,3}1[01][^\n(]{0,40}\((\d{5}\.\d{1,5})\)",
    _I,
)
_MAC_TEXT_RE = re.compile(
    r"\b(?:macOS|Mac ?OS ?X|OS ?X)[ \t]{0,3}(?:version[ \t]{0,3})?(1[0-9](?:\.\d{1,2}){0,2}|[1-9](?:\.\d{1,2}){1,2})\b",
    _I,
)
_MAC_NAMES = {
    "el capitan": "10.11",
    "high sierra": "10.13",
    "sierra": "10.12",
    "mojave": "10.14",
    "catalina": "10.15",
    "big sur": "11",
    "monterey": "12",
    "ventura": "13",
    "sonoma": "14",
    "sequoia": "15",
}
_MAC_NAME_RE = re.compile(
    r"\b(El Capitan|High Sierra|Sierra|Mojave|Catalina|Big Sur|Monterey|Ventura|Sonoma|Sequoia)\b",
    _I,
)
_MAC_HINT_RE = re.compile(
    r"\b(?:macOS|Mac ?OS|OS ?X|MacBook|iMac|Mac mini|Mac Pro|Docker for Mac|Apple M[1-4]|"
    r"M[1-4] (?:Pro|Max|Ultra|chip)|hyperkit|osxfs|Homebrew|Finder)\b",
    _I,
)
_WIN_HINT_RE = re.compile(
    r"\b(?:Windows|Win ?1[01]|Docker for Windows|WSL ?2?|Hyper-?V|PowerShell|C:\\)", _I
)
_LINUX_HINT_RE = re.compile(
    r"\b(?:Docker Desktop for Linux|Ubuntu|Debian|Fedora|Arch Linux|Linux Mint|openSUSE|Pop!_OS)\b",
    _I,
)
_CHANNEL_RE = re.compile(
    r"\b(stable|edge|beta)[ \t]{1,3}(?:channel|release|version|build)\b"
    r"|\bchannel[ \t]{0,3}[:=]?[ \t]{0,3}(stable|edge|beta)\b"
    r"|\b\d{1,2}\.\d{1,2}\.\d{1,2}[.-]?(?:ce-)?(?:mac|win)\d{1,4}[ \t]{0,3}\((stable|edge|beta)\)"
    r"|-(beta)\d{0,3}\b",
    _I,
)
_ARCH_FIELD_RE = re.compile(
    r"Intel chip or Apple chip[ \t*]{0,3}:?[ \t*]{0,3}([^\n]{0,60})|"
    r"\b(Apple (?:M[1-4]|silicon|chip)|M[1-4] (?:Pro|Max|Ultra|chip|Mac)|arm64|aarch64|"
    r"Intel (?:chip|Core|i[3579]|Mac|CPU|processor)|x86_64|amd64)\b",
    _I,
)
_BACKEND_FIELD_RE = re.compile(
    r"WSL ?2 or Hyper-?V backend\??[ \t*]{0,3}:?[ \t*]{0,3}([^\n]{0,60})", _I
)
_BACKEND_RE = re.compile(
    r"\b(WSL ?2|WSL 2 backend|Hyper-?V|Windows containers|windows container mode|"
    r"switch(?:ed)? to Windows containers)\b",
    _I,
)
_VM_FIELD_RE = re.compile(
    r"(?:running inside a virtuali[sz]ed Windows[^\n?]{0,40}\??|virtuali[sz]ed\?)[ \t*]{0,3}:?"
    r"[ \t*]{0,3}([^\n]{0,60})",
    _I,
)
_VM_TEXT_RE = re.compile(
    r"\b(?:inside|in|on) (?:a |an )?(?:VMware|VirtualBox|Parallels|Azure VM|EC2|virtual machine|"
    r"Hyper-V VM|cloud server|nested virtuali[sz]ation|VM)\b|\bnested virtuali[sz]ation\b",
    _I,
)
_EMULATION_RE = re.compile(r"\b(Rosetta(?: 2)?|QEMU|--platform[ =]linux/amd64)\b", _I)
_VERSION = r"v?(\d{1,2}\.\d{1,3}(?:\.\d{1,4}){0,2}(?:[.-][0-9A-Za-z]{1,20}){0,2})"
_UPGRADE_RE = re.compile(
    r"\b(?:upgrad(?:e|ed|ing)|updat(?:e|ed|ing))[ \t]{1,3}(?:docker(?: desktop)?[ \t]{1,3})?"
    r"from[ \t]{1,3}(?:version[ \t]{1,3})?"
    + _VERSION
    + r"[ \t]{1,3}to[ \t]{1,3}(?:version[ \t]{1,3})?"
    + _VERSION,
    _I,
)
_UPGRADE_TO_RE = re.compile(
    r"\b(?:upgrad(?:e|ed|ing)|updat(?:e|ed|ing))[ \t]{1,3}(?:docker(?: desktop)?[ \t]{1,3})?"
    r"to[ \t]{1,3}(?:version[ \t]{1,3})?" + _VERSION,
    _I,
)
_UPGRADE_TEXT_RE = re.compile(
    r"\b(?:since|after)[ \t]{1,3}(?:the[ \t]{1,3}|an?[ \t]{1,3}|my[ \t]{1,3})?(?:latest[ \t]{1,3}|last[ \t]{1,3}|recent[ \t]{1,3}|new[ \t]{1,3})?"
    r"(?:upgrade|update|updating|upgrading)\b|\b(?:upgraded|updated)[ \t]{1,3}(?:docker|to)\b"
    r"|\bDid the problem appear with an update\?[ \t*]{0,3}:?[ \t*]{0,3}yes\b",
    _I,
)
_DOWNGRADE_RE = re.compile(
    r"\bdowngrad(?:e|ed|ing)\b(?:[^\n]{0,30}?\bto[ \t]{1,3}" + _VERSION + ")?", _I
)
_SWITCH_RE = re.compile(
    r"\bswitch(?:ed|ing)?[ \t]{1,3}(?:from[ \t]{1,3}(stable|edge|beta)[ \t]{1,3})?"
    r"(?:to|back to)[ \t]{1,3}(?:the[ \t]{1,3})?(stable|edge|beta)\b",
    _I,
)
_FAILED_INSTALL_RE = re.compile(
    r"\binstall(?:er|ation)?[ \t]{1,3}(?:fails|failed|failing|crash(?:es|ed)?|hangs|"
    r"(?:is )?stuck|does(?: not|n't) (?:finish|complete|work))\b|"
    r"\b(?:cannot|can't|can ?not|unable to|fail(?:s|ed)? to)[ \t]{1,3}install\b",
    _I,
)
_NEW_INSTALL_RE = re.compile(
    r"\b(?:fresh|clean|new|first)[ \t]{1,3}(?:install(?:ation)?|setup)\b|\bre-?install(?:ed|ing)?\b"
    r"|\bjust installed\b|\binstalled (?:it )?for the first time\b",
    _I,
)


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
        or any(n in low for n in _MAC_NAMES)
        or re.match(r"\s*1[0-5](?:\.\d+)", low)
    ):
        return "macos"
    if "ubuntu" in low or "linux" in low or "fedora" in low or "debian" in low:
        return "linux"
    return None


_KEYWORDS = (
    "mac",
    "os x",
    "osx",
    "windows",
    "win1",
    "docker",
    "version",
    "build",
    "wsl",
    "hyper",
    "container",
    "channel",
    "stable",
    "edge",
    "beta",
    "intel",
    "apple",
    " m1",
    " m2",
    " m3",
    " m4",
    "arm64",
    "aarch64",
    "x86",
    "amd64",
    "virtual",
    " vm",
    "cloud",
    "ec2",
    "azure",
    "nested",
    "rosetta",
    "qemu",
    "platform",
    "upgrad",
    "updat",
    "downgrad",
    "switch",
    "install",
    "ubuntu",
    "linux",
    "fedora",
    "debian",
    "sierra",
    "mojave",
    "catalina",
    "big sur",
    "monterey",
    "ventura",
    "sonoma",
    "sequoia",
    "capitan",
    "powershell",
    "c:\\",
    "10.0.",
    "-ce-",
)
_NOT_GIVEN = DiagnoseHeader()


def find_environment(text: str, header: DiagnoseHeader | None = _NOT_GIVEN) -> Environment:
    """The environment facts in ``text``; ``header`` is its parsed diagnose header (None: none).

    Long texts are first narrowed to the lines that hold an environment keyword."""
    text = bounded(text)
    if header is _NOT_GIVEN:
        header = find_diagnostics(text).header
    text = relevant_lines(strip_html_comments(text), _KEYWORDS)
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

    for m in _FIELD_RE.finditer(text):
        value = m.group(2).strip().strip("*_` ")
        if not value or value.lower() in ("_no response_", "...", "…", "-"):
            continue
        label = m.group(1).lower()
        name = "macos" if ("mac" in label or "os x" in label or "osx" in label) else None
        name = name or ("windows" if "windows" in label else _os_from_field(value))
        if name is None or not re.search(
            r"[0-9]|big sur|sierra|catalina|mojave|monterey|ventura|sonoma|sequoia|capitan|windows",
            value,
            _I,
        ):
            continue
        if os_ is None:
            os_ = _found(name, text, m)
        if os_version is None:
            os_version = _found(clip(value, 60), text, m)
        break

    if product_version is None:
        m2 = (
            _PRODUCT_FIELD_RE.search(text)
            or (_has(low, "docker for", "docker desktop") and _PRODUCT_TEXT_RE.search(text))
            or ("-ce-" in low and _CE_VERSION_RE.search(text))
        )
        if m2:
            product_version = _found(m2.group(1), text, m2)
            if m2.group(2) and product_build is None:
                product_build = _found(m2.group(2), text, m2)

    if os_ is None or os_version is None:
        w = _WIN_TEXT_RE.search(text) if "windows" in low else None
        mac = (_has(low, "mac", "os x", "osx") and _MAC_TEXT_RE.search(text)) or (
            _has(low, *_MAC_NAMES) and _MAC_NAME_RE.search(text)
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
                    version = _MAC_NAMES.get(raw.lower(), raw)
                os_version = _found(version, text, first)
    if os_build is None:
        b = _WIN_BUILD_RE.search(text) if _has(low, "build", "10.0.", "windows") else None
        if b and (os_ is None or os_.value == "windows"):
            os_build = _found(b.group(1) or b.group(2), text, b)
            if os_ is None:
                os_ = _found("windows", text, b)
    if os_ is None:
        hints = [
            (r.search(text), name)
            for r, name in (
                (_MAC_HINT_RE, "macos"),
                (_WIN_HINT_RE, "windows"),
                (_LINUX_HINT_RE, "linux"),
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
_INSTALL_WORDS = ("upgrad", "updat", "downgrad", "switch", "install", "setup")


def _has(low: str, *words: str) -> bool:
    return any(w in low for w in words)


def _channel(text: str) -> Found | None:
    m = _CHANNEL_RE.search(text)
    if not m:
        return None
    value = next(g for g in m.groups() if g).lower()
    return _found(value, text, m)


def _arch(text: str) -> Found | None:
    for m in _ARCH_FIELD_RE.finditer(text):
        raw = (m.group(1) if m.group(1) is not None else m.group(2) or "").lower()
        if "apple" in raw or re.search(r"\bm[1-4]\b", raw) or "arm64" in raw or "aarch64" in raw:
            return _found("apple", text, m)
        if "intel" in raw or "x86_64" in raw or "amd64" in raw:
            return _found("intel", text, m)
    return None


def _backend(text: str) -> Found | None:
    f = _BACKEND_FIELD_RE.search(text)
    if f:
        raw = f.group(1).lower()
        if "wsl" in raw:
            return _found("wsl2", text, f)
        if "hyper" in raw:
            return _found("hyper-v", text, f)
    for m in _BACKEND_RE.finditer(text):
        raw = m.group(1).lower()
        if "container" in raw:
            return _found("windows-containers", text, m)
        if "wsl" in raw:
            return _found("wsl2", text, m)
        if "hyper" in raw:
            return _found("hyper-v", text, m)
    return None


def _in_vm(text: str) -> Found | None:
    f = _VM_FIELD_RE.search(text)
    if f:
        raw = f.group(1).strip(" *_").lower()
        if raw.startswith(("yes", "y ", "true")) or raw == "y":
            return _found("yes", text, f)
        if raw.startswith(("no", "n ", "false")) or raw == "n":
            return _found("no", text, f)
    m = _VM_TEXT_RE.search(text)
    if m:
        return _found("yes", text, m)
    return None


def _emulation(text: str) -> Found | None:
    m = _EMULATION_RE.search(text)
    if not m:
        return None
    value = (
        "qemu" if ("qemu" in m.group(1).lower() or "platform" in m.group(1).lower()) else "rosetta"
    )
    return _found(value, text, m)


def _install_context(text: str) -> InstallContext | None:
    m = _UPGRADE_RE.search(text)
    if m:
        return InstallContext("upgrade", m.group(1), m.group(2), clip(m.group(0), 120))
    m = _DOWNGRADE_RE.search(text)
    if m:
        return InstallContext("downgrade", None, m.group(1), clip(m.group(0), 120))
    m = _SWITCH_RE.search(text)
    if m:
        return InstallContext(
            "channel-switch",
            m.group(1).lower() if m.group(1) else None,
            m.group(2).lower(),
            clip(m.group(0), 120),
        )
    m = _FAILED_INSTALL_RE.search(text)
    if m:
        return InstallContext("failed-install", evidence=clip(m.group(0), 120))
    m = _UPGRADE_TO_RE.search(text)
    if m:
        return InstallContext("upgrade", None, m.group(1), clip(m.group(0), 120))
    m = _UPGRADE_TEXT_RE.search(text)
    if m:
        return InstallContext("upgrade", evidence=clip(m.group(0), 120))
    m = _NEW_INSTALL_RE.search(text)
    if m:
        return InstallContext("new-install", evidence=clip(m.group(0), 120))
    return None
