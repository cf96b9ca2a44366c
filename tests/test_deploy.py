"""deploy/: the systemd units and nginx site an IT team runs, checked by the tools themselves."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.certificates import self_signed

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = ("frontline-web.service", "frontline-scheduler.service", "frontline-worker@1.service")
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HOST_UNITS = next(
    (
        p
        for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))
        if (p / "sysinit.target").exists()
    ),
    None,
)

needs_systemd = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None or HOST_UNITS is None,
    reason="systemd-analyze or systemd's own units are missing: `make test-tools` installs systemd",
)


def unit(name: str) -> configparser.ConfigParser:
    """A unit file's settings (the last value of a repeated key)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name.replace("@1", "@"))
    return parser


def _system_root(tmp_path: Path, units: Path) -> Path:
    """A filesystem root holding systemd's own units, ours, and the programs ours start."""
    root = tmp_path / "root"
    shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    shutil.copytree(units, root / "etc/systemd/system")
    for program in ("opt/frontline/bin/gunicorn", "opt/frontline/bin/frontline", "bin/kill"):
        (root / program).parent.mkdir(parents=True, exist_ok=True)
        (root / program).write_text("#!/bin/sh\n")
        (root / program).chmod(0o755)
    return root


def _verify(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", f"--root={root}", *UNITS, "frontline.target"],
        capture_output=True,
        text=True,
        check=False,
    )


@needs_systemd
def test_systemd_analyze_verifies_every_unit_without_a_word(tmp_path):
    result = _verify(_system_root(tmp_path, DEPLOY / "systemd"))
    print(f"systemd-analyze verify: exit {result.returncode}, output {result.stderr!r}")
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@needs_systemd
def test_the_check_catches_a_broken_unit(tmp_path):
    # The same check refuses a misspelt setting and a program that is not there.
    broken = tmp_path / "broken"
    shutil.copytree(DEPLOY / "systemd", broken)
    web = broken / "frontline-web.service"
    web.write_text(
        web.read_text()
        .replace("ProtectSystem=strict", "ProtectSytem=strict")
        .replace("/opt/frontline/bin/gunicorn", "/opt/frontline/bin/gunicron")
    )
    result = _verify(_system_root(tmp_path, broken))
    assert "Unknown key 'ProtectSytem'" in result.stderr
    assert result.returncode != 0 and "gunicron is not executable" in result.stderr


@needs_systemd
@pytest.mark.parametrize("name", UNITS)
def test_each_service_is_hardened(tmp_path, name):
    service = unit(name)["Service"]
    assert service["DynamicUser"] == "yes" and service["User"] == "frontline"
    assert service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "yes"
    assert service["EnvironmentFile"] == "/etc/frontline/frontline.env"
    assert service["CapabilityBoundingSet"] == ""
    root = _system_root(tmp_path, DEPLOY / "systemd")
    report = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", f"--root={root}", name],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", report).group(1))
    print(f"{name}: exposure {exposure}")
    # systemd's scale: 0 (locked down) to 10 (unprotected); below 2 it calls "OK".
    assert exposure < 2.0, report


def test_one_scheduler_and_the_other_workers_without_periodic_jobs():
    scheduler = unit("frontline-scheduler.service")["Service"]["ExecStart"]
    worker = unit("frontline-worker@1.service")["Service"]["ExecStart"]
    assert scheduler.split()[1:3] == ["worker", "--workers"] and "--no-periodic" not in scheduler
    assert worker.split()[1:2] == ["worker"] and worker.endswith("--no-periodic")
    web = unit("frontline-web.service")["Service"]["ExecStart"]
    # gunicorn listens on loopback only: the proxy alone may set the X-Forwarded-* headers.
    assert "--bind 127.0.0.1:8000" in web and "service:create_app()" in web
    wanted = unit("frontline.target")["Unit"]["Wants"].split()
    assert set(wanted) == set(UNITS)


def test_the_environment_file_example_is_for_production_and_kept_private():
    example = (DEPLOY / "frontline.env.example").read_text()
    settings = dict(
        line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#")
    )
    assert settings["FRONTLINE_ENV"] == "production"
    assert settings["FRONTLINE_PROXY_FIX"] == "true"
    assert settings["FRONTLINE_SECRET_KEY"] == "" and settings["FRONTLINE_DATA_KEY"] == ""
    from service.config import Config

    known = {f"FRONTLINE_{name}" for name in Config.__dataclass_fields__}
    assert set(settings) <= known
    assert "-m 0600" in example and "-m 0600" in (ROOT / "docs" / "deploy.md").read_text()


def _nginx_test(tmp_path: Path, site: str) -> subprocess.CompletedProcess:
    """`nginx -t` on the site inside a minimal nginx.conf, everything under a temporary prefix."""
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    cert, key = self_signed(prefix, "frontline.example.org", ("fullchain.pem", "privkey.pem"))
    site = (
        site.replace("/etc/ssl/frontline/fullchain.pem", str(cert))
        .replace("/etc/ssl/frontline/privkey.pem", str(key))
        .replace("/var/log/nginx/", f"{prefix}/logs/")
    )
    (prefix / "frontline.conf").write_text(site)
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\n"
        f"http {{\n  include {prefix}/frontline.conf;\n}}\n"
    )
    return subprocess.run(
        [NGINX, "-t", "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )


needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is missing: `make test-tools` installs Debian's nginx"
)


@needs_nginx
def test_nginx_accepts_the_site(tmp_path):
    result = _nginx_test(tmp_path, (DEPLOY / "nginx" / "frontline.conf").read_text())
    print(f"nginx -t: exit {result.returncode}\n{result.stderr}")
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr
    broken = _nginx_test(tmp_path / "b", "server { proxy_set_headr Host $host; }")
    assert broken.returncode != 0 and "unknown directive" in broken.stderr


def test_nginx_sets_each_forwarded_header_that_proxy_fix_trusts():
    from werkzeug.middleware.proxy_fix import ProxyFix

    from service import create_app
    from service.config import Config

    site = (DEPLOY / "nginx" / "frontline.conf").read_text()
    headers = dict(re.findall(r"^\s*proxy_set_header (X-Forwarded-\S+) (\S+);", site, re.M))
    # Overwritten with what nginx saw, never appended to what the client sent ($proxy_add_...).
    assert headers == {
        "X-Forwarded-For": "$remote_addr",
        "X-Forwarded-Proto": "$scheme",
        "X-Forwarded-Host": "$host",
        "X-Forwarded-Port": "$server_port",
    }
    app = create_app(
        Config(
            ENV="development",
            PROXY_FIX=True,
            INSTANCE_DIR="/nonexistent",
            SECRET_KEY="s",
            DATA_KEY="d",
            TWILIO_AUTH_TOKEN="t",
        )
    )
    fix = app.wsgi_app
    assert isinstance(fix, ProxyFix)
    # One trusted hop for each header nginx sets, and none for the prefix it does not.
    assert (fix.x_for, fix.x_proto, fix.x_host, fix.x_port, fix.x_prefix) == (1, 1, 1, 1, 0)
    body = re.search(r"client_max_body_size (\d+)k;", site)
    assert body and int(body.group(1)) <= 1024
    # The kiosk's service worker is proxied, not cached, at the path the app serves it from.
    assert re.search(r"location ~ \^/kiosk/\[\^/\]\+/sw\\\.js\$", site)
    assert "location = /metrics" in site


def test_the_deploy_guide_starts_with_the_install_in_order():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    install = guide[guide.index("## Install") : guide.index("## Components")]
    steps = [
        "pip install dist/frontline_connect-",
        "/etc/frontline/frontline.env",
        "frontline db upgrade",
        "frontline create-manager",
        "frontline twilio-configure",
        "systemctl enable --now frontline.target",
        "nginx -t",
    ]
    places = [install.index(step) for step in steps]
    assert places == sorted(places)
    assert guide.index("## Install") < guide.index("## Components")
    assert "fonts-noto-core" in install
