"""Hand catalogs to translators as JSON and take their work back (Babel; no gettext).

    manage.py catalog_json export --lang ja --out /tmp/ja [--chunk 250] [--all]
    manage.py catalog_json import /tmp/ja/*.done.json

Export writes the messages of ``locale/<lang>/LC_MESSAGES/{django,djangojs}.po`` that
still need a translation (``--all``: every message) as chunks of
``{"domain", "context", "id", "plural_forms", "translation"}``; a plural message's ``id``
and ``translation`` are lists (one form per ``plural_forms``). Import writes the
translations back, clears ``fuzzy`` and sets each language's plural rule (below), so
``compile_catalogs --check`` counts nothing missing.
"""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.catalogs import read_catalog

# gettext plural rules. CLDR's extra "many" form of Spanish and Portuguese only applies to
# exact millions ("1 000 000 de sesiones"), which Duet never counts: two forms there.
PLURALS = {
    "es": (2, "(n != 1)"),
    "pt_BR": (2, "(n > 1)"),
    "pl": (3, "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
    "ja": (1, "0"),
    "hi": (2, "(n != 1)"),
    "en": (2, "(n != 1)"),
}
DOMAINS = ("django", "djangojs")


def po_path(lang: str, domain: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / lang / "LC_MESSAGES" / f"{domain}.po"


def load(lang: str, domain: str) -> Catalog:
    catalog = read_catalog(po_path(lang, domain))
    catalog.locale = lang
    count, expr = PLURALS[lang]
    # Babel writes the Plural-Forms header from these (gettext's rule, not CLDR's).
    catalog._num_plurals = count  # type: ignore[assignment]
    catalog._plural_expr = expr  # type: ignore[assignment]
    catalog.fuzzy = False
    return catalog


def save(catalog: Catalog, lang: str, domain: str) -> None:
    with po_path(lang, domain).open("wb") as out:
        write_po(out, catalog, width=100, omit_header=False)


def _missing(message, count: int) -> bool:  # type: ignore[no-untyped-def]
    if message.fuzzy:  # msgmerge's guess from a similar old string: never shown, redo it
        return True
    if isinstance(message.id, tuple):
        strings = message.string if isinstance(message.string, tuple) else ()
        return len([s for s in strings if s]) < count
    return not message.string


class Command(BaseCommand):
    help = "Export catalogs to JSON chunks for translators, or import their translations."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["export", "import", "normalize"])
        parser.add_argument("files", nargs="*")
        parser.add_argument("--lang")
        parser.add_argument("--out")
        parser.add_argument("--chunk", type=int, default=250)
        parser.add_argument("--all", action="store_true")

    def handle(self, *args, action: str, **options) -> None:  # type: ignore[no-untyped-def]
        if action == "export":
            self._export(options["lang"], Path(options["out"]), options["chunk"], options["all"])
        elif action == "import":
            self._import([Path(f) for f in options["files"]])
        else:
            for lang in PLURALS:
                for domain in DOMAINS:
                    if po_path(lang, domain).exists():
                        save(load(lang, domain), lang, domain)

    def _export(self, lang: str, out: Path, chunk: int, everything: bool) -> None:
        if lang not in PLURALS:
            raise CommandError(f"--lang must be one of {', '.join(PLURALS)}")
        out.mkdir(parents=True, exist_ok=True)
        items = []
        count = PLURALS[lang][0]
        for domain in DOMAINS:
            if not po_path(lang, domain).exists():
                continue
            for message in load(lang, domain):
                if not message.id or not (everything or _missing(message, count)):
                    continue
                plural = isinstance(message.id, tuple)
                items.append(
                    {
                        "domain": domain,
                        "context": message.context,
                        "id": list(message.id) if plural else message.id,
                        "plural_forms": count if plural else 1,
                        "translation": [""] * count if plural else "",
                    }
                )
        for number, start in enumerate(range(0, len(items), chunk), 1):
            path = out / f"{lang}-{number:02d}.json"
            path.write_text(json.dumps(items[start : start + chunk], ensure_ascii=False, indent=1))
        self.stdout.write(f"{lang}: {len(items)} messages in {-(-len(items) // chunk)} files")

    def _import(self, files: list[Path]) -> None:
        by_target: dict[tuple[str, str], list[dict]] = {}
        for path in files:
            lang = path.name.split("-")[0]
            if lang not in PLURALS:
                raise CommandError(f"{path}: name it <lang>-NN.json (lang: {', '.join(PLURALS)})")
            for item in json.loads(path.read_text()):
                by_target.setdefault((lang, item["domain"]), []).append(item)
        for (lang, domain), items in sorted(by_target.items()):
            catalog = load(lang, domain)
            done = 0
            for item in items:
                key = tuple(item["id"]) if isinstance(item["id"], list) else item["id"]
                message = catalog.get(key[0] if isinstance(key, tuple) else key, item["context"])
                translation = item["translation"]
                if message is None or not translation:
                    continue
                if isinstance(translation, list):
                    if len(translation) != PLURALS[lang][0] or not all(translation):
                        raise CommandError(f"{lang} {key!r}: needs {PLURALS[lang][0]} forms")
                    message.string = tuple(translation)
                else:
                    message.string = translation
                message.flags.discard("fuzzy")
                done += 1
            save(catalog, lang, domain)
            self.stdout.write(f"{lang}/{domain}: {done} translations written")
