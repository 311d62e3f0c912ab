"""Fresh string extraction and the pseudo-locale, for the i18n tests.

``extract(dest)`` runs Django's ``makemessages`` (GNU xgettext, installed by
``make test-deps``) over a mirror of the source tree made of symlinks, so the committed
``locale/`` is never touched, and returns the catalogs it wrote. ``pseudo_catalogs``
turns them into the test-only language ``qps``: every message wrapped in ⟦…⟧, its
letters accented and its length grown by about 40 %, placeholders and markup kept. A page
rendered in ``qps`` that still shows plain English words outside ⟦…⟧ has a string nobody
marked; lengthened text shows what overflows at 390 px.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from core.catalogs import read_catalog

ROOT = Path(__file__).resolve().parents[2]
PSEUDO = "qps"
# Not source: tools, tests, generated files and third-party scripts.
SKIP = {".git", ".venv", "var", "locale", "tests", "bench", "docs", "deploy", "node_modules"}
IGNORE = ["static/vendor/*", "static/vendor", "*.min.js"]

_EXTRACT = """
import sys, django
from django.conf import settings
django.setup()
settings.LOCALE_PATHS = [sys.argv[1]]
from django.core.management import call_command
kw = dict(locale=[sys.argv[2]], symlinks=True, no_location=True, no_obsolete=True,
          ignore_patterns=sys.argv[3].split(","), verbosity=0)
call_command("makemessages", **kw)
call_command("makemessages", domain="djangojs", **kw)
"""


def extract(dest: Path, language: str = PSEUDO) -> dict[str, Path]:
    """Every marked string of the source tree, as ``{domain: po path}`` under ``dest``."""
    mirror = dest / "mirror"
    mirror.mkdir(parents=True, exist_ok=True)
    for entry in ROOT.iterdir():
        if entry.name in SKIP or entry.name.startswith("."):
            continue
        link = mirror / entry.name
        if not link.exists():
            link.symlink_to(entry)
    locale_dir = mirror / "locale"
    locale_dir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DUET_VAR_DIR": str(dest / "var"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", _EXTRACT, str(locale_dir), language, ",".join(IGNORE)],
        cwd=mirror,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"makemessages failed:\n{result.stdout}\n{result.stderr}")
    out = locale_dir / language / "LC_MESSAGES"
    return {domain: out / f"{domain}.po" for domain in ("django", "djangojs")}


read = read_catalog


def msgids(path: Path) -> set[str | tuple[str, ...]]:
    return {m.id for m in read(path) if m.id}


_KEEP = re.compile(
    r"%\(\w+\)[sdif]|%[sdif%]|\{\{.*?\}\}|\{%.*?%\}|<[^>]+>|&\w+;|&#\d+;|https?://\S+|\{\w*\}"
)
_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀċđéƒĝĥíĵķĺɱñóƥɋŕšţúʋŵӿýžÁƁĊĐÉƑĜĤÍĴĶĹṀÑÓƤɊŔŠŢÚƲŴӾÝŽ",
)


def pseudo(text: str) -> str:
    """``Book %(n)s sessions`` -> ``⟦Ɓóóķ %(n)s šéššíóñš ·····⟧``: letters accented
    outside placeholders and tags, about 40 % longer, whitespace at either end kept
    (text emails keep their layout)."""
    if not text.strip():
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    core = text.strip()
    parts, last = [], 0
    for match in _KEEP.finditer(core):
        parts.append(core[last : match.start()].translate(_ACCENTS))
        parts.append(match.group(0))
        last = match.end()
    parts.append(core[last:].translate(_ACCENTS))
    letters = sum(ch.isalpha() for ch in core)
    # Grown like real text: in words of up to six characters, never one unbreakable run.
    extra = max(2, int(letters * 0.4)) if letters > 3 else 0
    padding = "".join(" " + "·" * min(6, extra - i) for i in range(0, extra, 6))
    return f"{lead}⟦{''.join(parts)}{padding}⟧{trail}"


def pseudo_catalogs(extracted: dict[str, Path]) -> None:
    """Fill the extracted ``qps`` catalogs with pseudo text and compile them next to it."""
    for path in extracted.values():
        source = read(path)
        catalog = Catalog(locale="en", domain=path.stem, fuzzy=False)
        for message in source:
            if not message.id:
                continue
            if isinstance(message.id, tuple):
                string: str | tuple[str, ...] = (pseudo(message.id[0]), pseudo(message.id[1]))
            else:
                string = pseudo(message.id)
            catalog.add(message.id, string, context=message.context, flags=())
        with path.open("wb") as out:
            write_po(out, catalog)
        with path.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog)
