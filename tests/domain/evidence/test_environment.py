from __future__ import annotations

import pytest

from triagedesk.domain.evidence.environment import find_environment

WIN_2021 = """- Windows Version: Windows 10 Pro (21H1) OS build 19043.1165
- Docker Desktop Version: 3.6.0 (67351)
- WSL2 or Hyper-V backend? WSL2
- Are you running inside a virtualized Windows e.g. on a cloud server or on a mac VM: No
"""
MAC_2021 = """- macOS Version: 11.2.2
- Intel chip or Apple chip: Apple M1
- Docker Desktop Version: 4.41.2
"""
OLD_MAC = """Docker for Mac: version: 17.06.0-ce-mac19 (4cdec42)
macOS: version 10.12.5 (build: 16F73)
"""

# (text, {field: value}) — only the listed fields are checked; None means "not found"
CASES = [
    (
        WIN_2021,
        {
            "os": "windows",
            "os_build": "19043.1165",
            "product_version": "3.6.0",
            "product_build": "67351",
            "backend": "wsl2",
            "in_vm": "no",
        },
    ),
    (
        MAC_2021,
        {"os": "macos", "os_version": "11.2.2", "arch": "apple", "product_version": "4.41.2"},
    ),
    (
        OLD_MAC,
        {
            "os": "macos",
            "os_version": "10.12.5",
            "os_build": "16F73",
            "product_version": "17.06.0-ce-mac19",
            "product_build": "4cdec42",
        },
    ),
    (
        "Running Docker Desktop 2.3.0.3 on Catalina",
        {"os": "macos", "os_version": "10.15", "product_version": "2.3.0.3"},
    ),
    ("I'm on Big Sur with an Intel Core i7", {"os": "macos", "os_version": "11", "arch": "intel"}),
    (
        "Version 18.03.1-ce-win65 (17513) on Windows 10 Pro",
        {"os": "windows", "product_version": "18.03.1-ce-win65", "product_build": "17513"},
    ),
    ("Windows 11 with Hyper-V", {"os": "windows", "os_version": "11", "backend": "hyper-v"}),
    ("- Windows 11 Enterprise 25H2 (26200.5870)", {"os": "windows", "os_build": "26200.5870"}),
    ("I switched to Windows containers and it hangs", {"backend": "windows-containers"}),
    ("running it inside a VMware VM on Windows Server 2019", {"in_vm": "yes", "os": "windows"}),
    ("images built with --platform linux/amd64 under QEMU crash", {"emulation": "qemu"}),
    ("Docker Desktop for Linux on Ubuntu 22.04", {"os": "linux"}),
    ("using the edge channel", {"channel": "edge"}),
    ("Docker Desktop 1.12.0-beta21 (build: 5971)", {"product_version": "1.12.0-beta21"}),
    ("nothing useful here", {"os": None, "product_version": None, "channel": None}),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_environment_fields(text: str, expected: dict[str, str | None]) -> None:
    env = find_environment(text)
    for name, value in expected.items():
        got = getattr(env, name)
        assert (got.value if got is not None else None) == value, name


def test_every_found_value_carries_its_evidence() -> None:
    env = find_environment(WIN_2021)
    for name in env.known:
        if name != "install_context":
            assert getattr(env, name).evidence
    assert env.in_vm_flag is False


@pytest.mark.parametrize(
    ("text", "kind", "from_version", "to_version"),
    [
        ("after upgrading from 3.5.2 to 3.6.0 nothing starts", "upgrade", "3.5.2", "3.6.0"),
        (
            "It broke after I updated Docker Desktop from 4.8.1 to 4.9.0",
            "upgrade",
            "4.8.1",
            "4.9.0",
        ),
        ("since the last update the whale is red", "upgrade", None, None),
        ("I upgraded to 2.1.0.1 and now", "upgrade", None, "2.1.0.1"),
        ("Did the problem appear with an update? yes", "upgrade", None, None),
        ("fresh install on a new laptop", "new-install", None, None),
        ("I reinstalled twice", "new-install", None, None),
        ("the installer fails with exit code 1603", "failed-install", None, None),
        ("I can't install Docker Desktop on Windows 10 Home", "failed-install", None, None),
        ("switched to the edge channel yesterday", "channel-switch", None, "edge"),
        ("switched from stable to beta", "channel-switch", "stable", "beta"),
        ("downgraded to 4.30.0 and it works", "downgrade", None, "4.30.0"),
    ],
)
def test_install_context(
    text: str, kind: str, from_version: str | None, to_version: str | None
) -> None:
    ic = find_environment(text).install_context
    assert ic is not None
    assert (ic.kind, ic.from_version, ic.to_version) == (kind, from_version, to_version)
    assert ic.evidence


def test_no_install_context_in_plain_text() -> None:
    assert find_environment("the container exits with code 137").install_context is None


def test_long_text_is_narrowed_but_keeps_facts_at_the_end() -> None:
    text = ("log line without keywords\n" * 2000) + "- macOS Version: 12.6\n"
    env = find_environment(text)
    assert env.os is not None and env.os.value == "macos"
    assert env.os_version is not None and env.os_version.value == "12.6"


# (text, kind, channel moved to) — wordings the first patterns missed, and look-alikes
INSTALL_WORDING_CASES = [
    ("First start after a fresh install: the VM never boots.", "new-install", None),
    ("Brand-new MacBook Pro, Docker is the first thing I set up.", "new-install", None),
    ("New laptop from IT, installed Docker Desktop for the very first time.", "new-install", None),
    ("This is my first time installing it on this PC.", "new-install", None),
    ("A freshly imaged machine, nothing else on it.", "new-install", None),
    ("Clean installation of 4.31.1 on Windows 11.", "new-install", None),
    ("Since I moved to the beta channel the dashboard is blank.", "channel-switch", "beta"),
    ("After changing to the edge builds it hangs.", "channel-switch", "edge"),
    ("I went over to the early-access builds last week.", "channel-switch", "beta"),
    ("switching to early access (beta) releases broke login", "channel-switch", "beta"),
    ("Joined the beta program yesterday and now nothing starts.", "channel-switch", "beta"),
    ("I changed the update channel to stable again.", "channel-switch", "stable"),
    ("moved from the edge channel back to the stable channel", "channel-switch", "stable"),
    # look-alikes: no install context
    ("A fresh boot works, a wake from sleep does not.", None, None),
    ("I changed to Edge and the dashboard renders.", None, None),  # the browser
    ("The first time it starts it is slow, later it is fine.", None, None),
    ("We moved to the new office network last month.", None, None),
    ("Brand new error message after lunch.", None, None),
]


@pytest.mark.parametrize(("text", "kind", "channel"), INSTALL_WORDING_CASES)
def test_install_context_wordings(text: str, kind: str | None, channel: str | None) -> None:
    ic = find_environment(text).install_context
    if kind is None:
        assert ic is None, ic
        return
    assert ic is not None and ic.kind == kind and ic.evidence
    assert ic.to_version == channel


def test_channel_switch_keeps_the_channel_left() -> None:
    ic = find_environment("moved from the edge channel back to the stable channel").install_context
    assert ic is not None and (ic.from_version, ic.to_version) == ("edge", "stable")
