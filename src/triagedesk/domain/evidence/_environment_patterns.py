"""The regular expressions and keyword lists environment.py reads text with.

Each one is anchored at a line start or starts with a word, with bounded
repetitions and no nested quantifiers (see _text.py on hostile input).
"""

from __future__ import annotations

import re

IC = re.IGNORECASE
ML = re.MULTILINE
# "- macOS Version: 11.2.2", "OS Version: Windows 10 Pro 21H1", "Windows Version: 10.0.19043"
FIELD_RE = re.compile(
    r"^[ \t>*_-]{0,8}(?:\*\*)?(macOS|Mac ?OS ?X?|OS ?X|Windows|OS|Host OS|Operating system)"
    r"[ \t]{0,3}(?:version|build)?[ \t*]{0,3}:[ \t*]{0,3}([^\n]{1,120})$",
    IC | ML,
)
PRODUCT_FIELD_RE = re.compile(
    r"^[ \t>*_-]{0,8}(?:\*\*)?Docker(?: for Mac| for Windows| Desktop)?[ \t]{0,3}(?:version)?"
    r"[ \t*]{0,3}:[ \t*]{0,3}(?:version[ \t]{0,3}:?[ \t]{0,3})?"
    r"v?([0-9]{1,2}\.[0-9]{1,3}(?:\.[0-9]{1,4})*(?:[.-][0-9A-Za-z.-]{1,30})?)"
    r"(?:[ \t]{0,3}\((?:build[ \t:]{0,3})?([0-9A-Za-z.]{1,40})\))?",
    IC | ML,
)
PRODUCT_TEXT_RE = re.compile(
    r"\bDocker(?: for Mac| for Windows| Desktop)[ \t]{1,3}(?:version[ \t]{1,3}|v)?"
    r"([0-9]{1,2}\.[0-9]{1,3}(?:\.[0-9]{1,4}){1,2}(?:-[0-9A-Za-z.-]{1,30})?)"
    r"(?:[ \t]{0,3}\((?:build[ \t:]{0,3})?([0-9A-Za-z.]{1,40})\))?",
    IC,
)
# the 2016–2018 version scheme is Docker's own: 17.06.0-ce-mac19, 18.03.1-ce-win65
CE_VERSION_RE = re.compile(
    r"\b(1[6-9]\.\d{2}\.\d{1,2}-ce(?:-rc\d{1,2})?-(?:mac|win)\d{1,4})"
    r"(?:[ \t]{0,3}\((?:build[ \t:]{0,3})?([0-9A-Za-z.]{1,40})\))?",
    IC,
)
WIN_TEXT_RE = re.compile(
    r"\bWindows[ \t]{1,3}(10|11|Server(?:[ \t]{1,3}20[0-9]{2})?)\b"
    r"(?:[ \t]{1,3}(?:Pro|Home|Enterprise|Education|Insider|Pro for Workstations)\b)?"
    r"(?:[ \t]{0,3}\(?(\d{2}H\d|\d{4})\)?)?",
    IC,
)
WIN_BUILD_RE = re.compile(
    r"(?:OS[ \t]{0,3}build|Build|version[ \t]{1,3}10\.0\.)[ \t:]{0,3}(\d{5}(?:\.\d{1,5})?)"
    r"|Windows[ \t]{1,3}1[01][^\n(]{0,40}\((\d{5}\.\d{1,5})\)",
    IC,
)
MAC_TEXT_RE = re.compile(
    r"\b(?:macOS|Mac ?OS ?X|OS ?X)[ \t]{0,3}(?:version[ \t]{0,3})?(1[0-9](?:\.\d{1,2}){0,2}|[1-9](?:\.\d{1,2}){1,2})\b",
    IC,
)
MAC_NAMES = {
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
MAC_NAME_RE = re.compile(
    r"\b(El Capitan|High Sierra|Sierra|Mojave|Catalina|Big Sur|Monterey|Ventura|Sonoma|Sequoia)\b",
    IC,
)
MAC_HINT_RE = re.compile(
    r"\b(?:macOS|Mac ?OS|OS ?X|MacBook|iMac|Mac mini|Mac Pro|Docker for Mac|Apple ML[1-4]|"
    r"M[1-4] (?:Pro|Max|Ultra|chip)|hyperkit|osxfs|Homebrew|Finder)\b",
    IC,
)
WIN_HINT_RE = re.compile(
    r"\b(?:Windows|Win ?1[01]|Docker for Windows|WSL ?2?|Hyper-?V|PowerShell|C:\\)", IC
)
LINUX_HINT_RE = re.compile(
    r"\b(?:Docker Desktop for Linux|Ubuntu|Debian|Fedora|Arch Linux|Linux Mint|openSUSE|Pop!_OS)\b",
    IC,
)
CHANNEL_RE = re.compile(
    r"\b(stable|edge|beta)[ \t]{1,3}(?:channel|release|version|build)\b"
    r"|\bchannel[ \t]{0,3}[:=]?[ \t]{0,3}(stable|edge|beta)\b"
    r"|\b\d{1,2}\.\d{1,2}\.\d{1,2}[.-]?(?:ce-)?(?:mac|win)\d{1,4}[ \t]{0,3}\((stable|edge|beta)\)"
    r"|-(beta)\d{0,3}\b",
    IC,
)
ARCH_FIELD_RE = re.compile(
    r"Intel chip or Apple chip[ \t*]{0,3}:?[ \t*]{0,3}([^\n]{0,60})|"
    r"\b(Apple (?:M[1-4]|silicon|chip)|ML[1-4] (?:Pro|Max|Ultra|chip|Mac)|arm64|aarch64|"
    r"Intel (?:chip|Core|i[3579]|Mac|CPU|processor)|x86_64|amd64)\b",
    IC,
)
BACKEND_FIELD_RE = re.compile(
    r"WSL ?2 or Hyper-?V backend\??[ \t*]{0,3}:?[ \t*]{0,3}([^\n]{0,60})", IC
)
BACKEND_RE = re.compile(
    r"\b(WSL ?2|WSL 2 backend|Hyper-?V|Windows containers|windows container mode|"
    r"switch(?:ed)? to Windows containers)\b",
    IC,
)
VM_FIELD_RE = re.compile(
    r"(?:running inside a virtuali[sz]ed Windows[^\n?]{0,40}\??|virtuali[sz]ed\?)[ \t*]{0,3}:?"
    r"[ \t*]{0,3}([^\n]{0,60})",
    IC,
)
VM_TEXT_RE = re.compile(
    r"\b(?:inside|in|on) (?:a |an )?(?:VMware|VirtualBox|Parallels|Azure VM|EC2|virtual machine|"
    r"Hyper-V VM|cloud server|nested virtuali[sz]ation|VM)\b|\bnested virtuali[sz]ation\b",
    IC,
)
EMULATION_RE = re.compile(r"\b(Rosetta(?: 2)?|QEMU|--platform[ =]linux/amd64)\b", IC)
VERSION = r"v?(\d{1,2}\.\d{1,3}(?:\.\d{1,4}){0,2}(?:[.-][0-9A-Za-z]{1,20}){0,2})"
UPGRADE_RE = re.compile(
    r"\b(?:upgrad(?:e|ed|ing)|updat(?:e|ed|ing))[ \t]{1,3}(?:docker(?: desktop)?[ \t]{1,3})?"
    r"from[ \t]{1,3}(?:version[ \t]{1,3})?"
    + VERSION
    + r"[ \t]{1,3}to[ \t]{1,3}(?:version[ \t]{1,3})?"
    + VERSION,
    IC,
)
UPGRADE_TO_RE = re.compile(
    r"\b(?:upgrad(?:e|ed|ing)|updat(?:e|ed|ing))[ \t]{1,3}(?:docker(?: desktop)?[ \t]{1,3})?"
    r"to[ \t]{1,3}(?:version[ \t]{1,3})?" + VERSION,
    IC,
)
UPGRADE_TEXT_RE = re.compile(
    r"\b(?:since|after)[ \t]{1,3}(?:the[ \t]{1,3}|an?[ \t]{1,3}|my[ \t]{1,3})?(?:latest[ \t]{1,3}|last[ \t]{1,3}|recent[ \t]{1,3}|new[ \t]{1,3})?"
    r"(?:upgrade|update|updating|upgrading)\b|\b(?:upgraded|updated)[ \t]{1,3}(?:docker|to)\b"
    r"|\bDid the problem appear with an update\?[ \t*]{0,3}:?[ \t*]{0,3}yes\b",
    IC,
)
DOWNGRADE_RE = re.compile(
    r"\bdowngrad(?:e|ed|ing)\b(?:[^\n]{0,30}?\bto[ \t]{1,3}" + VERSION + ")?", IC
)
_CHANNEL_NOUN = r"(?:channel|builds?|releases?|versions?|track|program(?:me)?)"
# a move between channels; "early access" is the beta channel. Named groups: ``src`` (the
# channel left, if said), ``to`` (the channel joined; absent for early access = beta),
# ``noun`` ("channel", "builds"...: required after verbs that are not "switch", so
# "changed to Edge" the browser is not a channel switch)
SWITCH_RE = re.compile(
    r"\b(?P<verb>switch(?:ed|ing|es)?|mov(?:e|ed|es|ing)|chang(?:e|ed|es|ing)|went|go(?:ing)?)"
    r"[ \t]{1,3}(?:over[ \t]{1,3})?"
    r"(?:from[ \t]{1,3}(?:the[ \t]{1,3})?(?P<src>stable|edge|beta)[ \t]{1,3}"
    r"(?:" + _CHANNEL_NOUN + r"[ \t]{1,3})?)?"
    r"(?:back[ \t]{1,3})?(?:to|onto|into)[ \t]{1,3}(?:the[ \t]{1,3})?"
    r"(?:(?P<to>stable|edge|beta)\b|early[ \t-]access\b)"
    r"(?:[ \t]{0,3}\((?:beta|edge)\))?"
    r"(?P<noun>[ \t]{1,3}" + _CHANNEL_NOUN + r"\b)?",
    IC,
)
# joining a channel or changing the setting: "joined the beta program", "opted into the
# early access builds", "changed the update channel to beta"
JOIN_CHANNEL_RE = re.compile(
    r"\b(?:join(?:ed|ing)?|enrol(?:l|led|ling)?[ \t]{1,3}in(?:to)?|opt(?:ed|ing)?[ \t]{1,3}in(?:to)?"
    r"|sign(?:ed|ing)?[ \t]{1,3}up[ \t]{1,3}for)[ \t]{1,3}(?:the[ \t]{1,3})?"
    r"(?:(?P<to>beta|edge)|early[ \t-]access)(?:[ \t]{0,3}\((?:beta|edge)\))?"
    r"[ \t]{1,3}" + _CHANNEL_NOUN + r"\b"
    r"|\b(?:chang(?:e|ed|ing)|set|put)[ \t]{1,3}(?:the[ \t]{1,3}|my[ \t]{1,3})?"
    r"(?:update[ \t]{1,3})?channel[ \t]{1,3}(?:to|from[ \t]{1,3}(?P<src>stable|edge|beta)"
    r"[ \t]{1,3}to)[ \t]{1,3}(?:the[ \t]{1,3})?(?P<to2>stable|edge|beta)\b",
    IC,
)
FAILED_INSTALL_RE = re.compile(
    r"\binstall(?:er|ation)?[ \t]{1,3}(?:fails|failed|failing|crash(?:es|ed)?|hangs|"
    r"(?:is )?stuck|does(?: not|n't) (?:finish|complete|work))\b|"
    r"\b(?:cannot|can't|can ?not|unable to|fail(?:s|ed)? to)[ \t]{1,3}install\b",
    IC,
)
_DEVICE = (
    r"(?:laptop|machine|computer|pc|workstation|desktop|notebook|box|mac(?:book(?:[ \t]pro|[ \t]air)?)?"
    r"|imac|mac[ \t]mini|vm|system|windows(?:[ \t]1[01])?(?:[ \t]install(?:ation)?)?|os)"
)
NEW_INSTALL_RE = re.compile(
    # "fresh install", "clean installation", "new setup", "first install"
    r"\b(?:fresh|clean|new|first)[ \t]{1,3}(?:install(?:ation)?|set[ \t-]?up)\b"
    r"|\bre-?install(?:ed|ing)?\b|\b(?:just|newly|freshly)[ \t]{1,3}installed\b"
    # "installed Docker Desktop for the first time", "first time installing it"
    r"|\binstall(?:ed|ing)?\b[^\n.;!?]{0,60}?\bfor[ \t]{1,3}the[ \t]{1,3}(?:very[ \t]{1,3})?first"
    r"[ \t]{1,3}time\b"
    r"|\bfirst[ \t]{1,3}time[ \t]{1,3}(?:install(?:ing|ed)?|set(?:ting)?[ \t]{1,3}(?:it[ \t]{1,3})?up"
    r"|using|running|starting)\b"
    # "brand new laptop", "brand-new MacBook Pro", "a freshly set up machine"
    r"|\bbrand[ \t-]{1,3}new[ \t]{1,3}" + _DEVICE + r"\b"
    r"|\b(?:freshly|newly)[ \t]{1,3}(?:set[ \t-]?up|installed|provisioned|imaged|reimaged)"
    r"[ \t]{1,3}" + _DEVICE + r"\b"
    r"|\bfresh[ \t]{1,3}(?:windows|macos|os)[ \t]{1,3}install",
    IC,
)


KEYWORDS = (
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
    "early access",
    "early-access",
    "brand new",
    "brand-new",
    "first time",
    "fresh",
    "newly",
)
