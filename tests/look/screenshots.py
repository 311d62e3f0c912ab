"""``make screenshots``: every page x role x size into var/screenshots/, with an index.

Runs on its own throw-away SQLite database (DUET_VAR_DIR=var/screenshots/state) seeded
with the demo data, behind a real Daphne, in the Debian Chromium. Each picture's
problems (overflow, hidden things shown, axe serious/critical) are listed in the index.

    python -m tests.look.screenshots [--port 8150] [--only directory,room] [--no-axe]
        [--language ja] [--sizes phone]

``--language``: every demo account (and anonymous visitors, by cookie) reads Duet in that
language; the pictures are named ``<language>--<role>--<page>--<size>.png``.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "screenshots"
STATE = OUT / "state"


def _prepare_env() -> None:
    if STATE.exists():
        shutil.rmtree(STATE)
    STATE.mkdir(parents=True)
    os.environ["DUET_VAR_DIR"] = str(STATE)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _start_daphne(port: int) -> subprocess.Popen:
    log = open(STATE / "daphne.log", "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env={**os.environ, "SITE_URL": f"http://127.0.0.1:{port}", "LOG_LEVEL": "WARNING"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"daphne exited: {(STATE / 'daphne.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("daphne did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8150)))
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--no-axe", action="store_true")
    parser.add_argument("--language", default="", help="a code from settings.LANGUAGES")
    parser.add_argument("--sizes", default="", help="comma-separated: desktop,phone")
    args = parser.parse_args()
    _prepare_env()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.conftest import BROWSER_ARGS
    from tests.look import harness

    call_command("migrate", verbosity=0)
    harness.seed()
    if args.language:
        if args.language not in dict(settings.LANGUAGES):
            raise SystemExit(f"--language must be one of {', '.join(dict(settings.LANGUAGES))}")
        from accounts.models import User

        User.objects.update(language=args.language)
    sizes = {n for n in args.sizes.split(",") if n} or set(harness.SIZES)
    prefix = f"{args.language}--" if args.language else ""
    only = {n for n in args.only.split(",") if n}
    pages = [p for p in harness.catalogue() if not only or p.name in only]
    base = f"http://127.0.0.1:{args.port}"
    server = _start_daphne(args.port)
    rows = []
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
            for role in harness.ROLES:
                for size, (w, h) in harness.SIZES.items():
                    if size not in sizes:
                        continue
                    ctx = browser.new_context(
                        viewport={"width": w, "height": h},
                        permissions=["camera", "microphone"],
                        device_scale_factor=1,
                    )
                    ctx.add_cookies(harness.session_cookie(role, base))
                    if args.language:
                        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "url": base}
                        ctx.add_cookies([{**cookie, "value": args.language}])
                    page = ctx.new_page()
                    for p in (p for p in pages if p.role == role):
                        page.goto(base + p.path, wait_until="networkidle")
                        page.wait_for_timeout(300)
                        problems = harness.look(page, axe=not args.no_axe)
                        name = f"{prefix}{role}--{p.name}--{size}.png"
                        page.screenshot(path=str(OUT / name), full_page=True)
                        rows.append((role, p.name, size, p.path, name, problems))
                        print(f"{name}: {len(problems)} problem(s)", flush=True)
                    ctx.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    _index(rows)
    print(f"Wrote {len(rows)} screenshots; open {OUT / 'index.html'}")


def _index(rows) -> None:
    parts = [
        "<!doctype html><meta charset=utf-8><title>Duet screenshots</title>",
        "<style>body{font:14px system-ui;margin:20px}"
        "figure{display:inline-block;vertical-align:top;margin:0 16px 24px 0}"
        "img{border:1px solid #ccc;max-width:420px;max-height:560px;"
        "object-fit:cover;object-position:top}li{color:#a33a2a}</style>",
        "<h1>Duet: every page, role and size</h1>",
    ]
    for role in dict.fromkeys(r[0] for r in rows):
        parts.append(f"<h2>{html.escape(role)}</h2>")
        for _, name, size, path, png, problems in (r for r in rows if r[0] == role):
            issues = (
                "".join(f"<li>{html.escape(x)}</li>" for x in problems)
                or "<li style=color:#256b42>no problems found</li>"
            )
            title = f"<b>{html.escape(name)}</b> · {size} · <code>{html.escape(path)}</code>"
            parts.append(
                f"<figure><a href='{png}'><img src='{png}' alt='{html.escape(name)} {size}'></a>"
                f"<figcaption>{title}<ul>{issues}</ul></figcaption></figure>"
            )
    (OUT / "index.html").write_text("\n".join(parts))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    main()
