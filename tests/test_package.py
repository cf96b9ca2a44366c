"""The package as an IT team gets it: a wheel built from a clean copy, installed, run elsewhere."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader
from twilio.request_validator import RequestValidator

from tests.support.processes import stop_group

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("pl", "ro", "ur", "pa", "gu", "so")
DEMO_NUMBER = "+441134960000"


def msgstr(lang: str, msgid: str) -> str:
    """The translation the language's .po file gives."""
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        text = read_po(source, locale=lang).get(msgid).string
    assert text and text != msgid, (lang, msgid)
    return text


def gurmukhi_letters(text: str) -> str:
    """Only the Gurmukhi letters, in order.

    Shaped text reads back with vowel signs moved and some glyph clusters as private-use
    codes; the letters themselves keep their order.
    """
    return "".join(c for c in text if "\u0a05" <= c <= "\u0a39" or "\u0a59" <= c <= "\u0a5e")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Installed:
    """A wheel installed into a venv of its own, and the empty folder it is run from."""

    wheel: Path
    venv: Path
    folder: Path
    env: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    def frontline(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run the installed `frontline` command in the empty folder."""
        return _run([str(self.venv / "bin" / "frontline"), *args], self, timeout)


def _run(argv: list[str], where: Installed | Path, timeout: float = 600, env=None):
    cwd = where.folder if isinstance(where, Installed) else where
    env = where.env if isinstance(where, Installed) else env
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _clean_copy(target: Path) -> None:
    """The files a clone would have (tracked and new, nothing ignored: no .venv, no .mo)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build the wheel from a clean copy, install it with its dependencies into a fresh venv."""
    base = tmp_path_factory.mktemp("package")
    timings: dict[str, float] = {}
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FRONTLINE_", "PYTHON", "VIRTUAL_ENV"))
    }
    start = time.monotonic()
    source = base / "clone"
    _clean_copy(source)
    assert not list(source.glob("locales/*/LC_MESSAGES/*.mo")), "the copy must hold no catalogs"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), "."],
        source,
        env=env,
    )
    (wheel,) = (base / "dist").glob("frontline_connect-*.whl")
    timings["build"] = time.monotonic() - start
    start = time.monotonic()
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base, env=env)
    _run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], base, env=env)
    timings["install"] = time.monotonic() - start
    folder = base / "empty"
    folder.mkdir()
    env = {**env, "FRONTLINE_ENV": "development", "PATH": f"{venv / 'bin'}:{env['PATH']}"}
    return Installed(wheel, venv, folder, env, timings)


def test_the_wheel_holds_every_kind_of_file_the_service_reads(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    for lang in LANGS:
        assert f"locales/{lang}/LC_MESSAGES/messages.mo" in names, lang
        assert f"locales/{lang}/glossary.toml" in names, lang
    wanted = {
        "page templates": r"service/templates/public/organisation\.html",
        "console templates": r"service/console/templates/console/.+\.html",
        "console static": r"service/console/static/console\.(css|js)",
        "kiosk templates": r"kiosk/templates/kiosk/home\.html",
        "kiosk service worker": r"kiosk/templates/kiosk/sw\.js",
        "kiosk static": r"kiosk/static/kiosk\.(css|js)",
        "voice flows": r"ivr_flows/main\.yaml",
        "voices": r"ivr_flows/config/voices\.yaml",
        "migrations": r"service/migrations/versions/0001_.+\.py",
        "migration template": r"service/migrations/script\.py\.mako",
        "print layouts": r"print_templates/pack\.py",
        "catalog template": r"locales/messages\.pot",
        "glossaries": r"locales/(en|pl|ro|ur|pa|gu|so)/glossary\.toml",
    }
    for kind, pattern in wanted.items():
        assert any(re.fullmatch(pattern, n) for n in names), kind
    # Every template and static file in the source is in the wheel.
    for folder in (
        "service/templates",
        "service/console/templates",
        "kiosk/templates",
        "kiosk/static",
        "service/console/static",
    ):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                assert str(path.relative_to(ROOT)) in names, path


def test_installed_it_runs_from_an_empty_folder_in_every_channel(installed):
    started = time.monotonic()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert installed.frontline("--version").stdout.strip() == f"frontline, version {version}"
    # The code runs from the venv, not from any source folder.
    where = _run(
        [
            str(installed.venv / "bin" / "python"),
            "-c",
            "import service, locales, ivr_flows as f;"
            "print(service.__file__, locales.__file__, f.__file__)",
        ],
        installed,
    ).stdout.split()
    assert all(p.startswith(str(installed.venv)) for p in where), where

    installed.frontline("db", "upgrade")
    assert installed.frontline("demo").stdout.strip() == "Demo organisation loaded."
    assert (installed.folder / "instance" / "frontline.db").exists()

    pack = installed.frontline("pack", "--site", "eastfield-depot", "--lang", "pa", "-o", "p.pdf")
    assert "pages" in pack.stdout
    text = " ".join(page.extract_text() for page in PdfReader(installed.folder / "p.pdf").pages)
    for heading in ("How to join", "When we meet"):
        assert gurmukhi_letters(msgstr("pa", heading)) in gurmukhi_letters(text), heading
        assert heading not in text, heading

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**installed.env, "FRONTLINE_PUBLIC_URL": url}
    log = (installed.folder.parent / "run.log").open("w+")
    server = subprocess.Popen(
        ["frontline", "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        cwd=installed.folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        page = _get(f"{url}/?lang=pl", server, log)
        assert "Northgate City Council" in page
        assert msgstr("pl", "Staff networks, what is on and where to get support.") in page
        assert msgstr("pl", "Networks") in page

        kiosk = _get(f"{url}/kiosk/eastfield-depot/?lang=ur", server, log)
        assert msgstr("ur", "Get support") in kiosk
        assert 'dir="rtl"' in kiosk
        for asset in re.findall(r'(?:src|href)="(/kiosk/static/[^"?]+)', kiosk):
            assert _get(f"{url}{asset}", server, log), asset

        token = (installed.folder / "instance" / "dev-twilio-auth-token").read_text().strip()
        form = {
            "CallSid": "CA" + "1" * 32,
            "AccountSid": "AC" + "0" * 32,
            "From": "+447400123456",
            "To": DEMO_NUMBER,
            "CallStatus": "ringing",
            "Direction": "inbound",
        }
        signature = RequestValidator(token).compute_signature(f"{url}/twilio/voice", form)
        request = urllib.request.Request(
            f"{url}/twilio/voice",
            data=urllib.parse.urlencode(form).encode(),
            headers={"X-Twilio-Signature": signature},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            twiml = response.read().decode()
        assert "<Gather" in twiml and "<Say" in twiml, twiml
        assert "press 1" in twiml.lower(), twiml
        unsigned = urllib.request.Request(
            f"{url}/twilio/voice", data=urllib.parse.urlencode(form).encode()
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned, timeout=10)
        refused.value.close()
        assert refused.value.code == 403
    finally:
        stop_group(server)
        log.close()
    installed.timings["run"] = time.monotonic() - started
    print("\npackage test timings (s):", {k: round(v, 1) for k, v in installed.timings.items()})


def _get(url: str, server: subprocess.Popen, log: io.TextIOBase) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return html.unescape(response.read().decode())
        except urllib.error.HTTPError:
            raise
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise AssertionError(f"the server did not answer {url}:\n{log.read()}") from None
            time.sleep(0.3)
