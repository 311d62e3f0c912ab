"""The committed catalogs: every marked string is in them, translated in all five
languages, and every translation keeps its placeholders (a lost ``%(name)s`` would be a
KeyError, a 500, in one language only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.i18n import catalogs

LOCALE = catalogs.ROOT / "locale"
LANGUAGES = ["es", "ja", "pl", "hi", "pt_BR"]
DOMAINS = ["django", "djangojs"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|(?<!%)%[sdif]")
TAG = re.compile(r"</?([a-z]+)")
# What may follow a % in a formatted message; anything else breaks `%` formatting
# (blocktranslate then quietly falls back to English).
FORMAT_TOKEN = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]")


def _committed(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_string_is_in_the_catalogs(pseudo_locale_dir, domain):
    fresh = catalogs.msgids(pseudo_locale_dir / catalogs.PSEUDO / "LC_MESSAGES" / f"{domain}.po")
    for language in ["en", *LANGUAGES]:
        missing = fresh - catalogs.msgids(_committed(language, domain))
        assert not missing, (
            f"{language}/{domain}.po lacks {len(missing)} marked strings (run `make messages` "
            f"and translate them), e.g. {sorted(map(str, missing))[:5]}"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders_and_tags(language):
    problems = []
    for domain in DOMAINS:
        catalog = catalogs.read(_committed(language, domain))
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                problems.append(f"untranslated or fuzzy: {ids[0]!r}")
                continue
            wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
            tags = sorted(TAG.findall(ids[0]))
            for string in strings:
                got = set(PLACEHOLDER.findall(string))
                # A plural form may leave the count out ("one session" -> "jedna sesja").
                if not got <= wanted or (len(ids) == 1 and got != wanted):
                    problems.append(f"placeholders {sorted(got)} != {sorted(wanted)}: {ids[0]!r}")
                if "python-format" in message.flags and "%" in FORMAT_TOKEN.sub("", string):
                    problems.append(f"a lone % (write %%): {ids[0]!r} -> {string!r}")
                if sorted(TAG.findall(string)) != tags:
                    problems.append(f"tags differ: {ids[0]!r} -> {string!r}")
    assert not problems, f"{language}: {len(problems)} problems:\n" + "\n".join(problems[:30])
