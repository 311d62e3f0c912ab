"""Compile locale/*/LC_MESSAGES/*.po into .mo with Babel (pure Python).

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``; a fresh machine has only
Python, so ``make run`` and ``make test`` use this. ``--check`` prints each catalog's
statistics and fails when one has an untranslated or fuzzy entry (CI runs it).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalog_files() -> list[Path]:
    return sorted(
        po for base in settings.LOCALE_PATHS for po in Path(base).glob("*/LC_MESSAGES/*.po")
    )


def catalog_stats(po: Path) -> dict[str, int]:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    return {
        "total": len(messages),
        "untranslated": sum(
            1 for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)
        ),
        "fuzzy": sum(1 for m in messages if m.fuzzy),
    }


class Command(BaseCommand):
    help = "Compile the translation catalogs (Babel; no gettext binaries needed)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--check", action="store_true", help="fail on untranslated or fuzzy")

    def handle(self, *args, check: bool = False, **options) -> None:  # type: ignore[no-untyped-def]
        problems = []
        for po in catalog_files():
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as out:
                # use_fuzzy=False: a fuzzy guess is never shown to a reader
                write_mo(out, catalog, use_fuzzy=False)
            if check:
                stats = catalog_stats(po)
                name = f"{po.parent.parent.name}/{po.name}"
                self.stdout.write(
                    f"{name}: {stats['total']} messages, {stats['untranslated']} untranslated, "
                    f"{stats['fuzzy']} fuzzy"
                )
                if po.parent.parent.name != "en" and (stats["untranslated"] or stats["fuzzy"]):
                    problems.append(name)
        if problems:
            raise CommandError("incomplete catalogs: " + ", ".join(problems))
