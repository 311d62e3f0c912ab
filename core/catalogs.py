"""Reading the translation catalogs (Babel), for the catalog commands and the i18n tests."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

# What xgettext writes into a new catalog's header; Babel cannot parse it.
_PLACEHOLDER_PLURALS = b"nplurals=INTEGER; plural=EXPRESSION;"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """``path`` as a Babel catalog, also straight from ``makemessages`` (its placeholder
    plural header read as English's two forms until ``catalog_json`` sets the real one)."""
    text = path.read_bytes().replace(_PLACEHOLDER_PLURALS, b"nplurals=2; plural=(n != 1);")
    return read_po(io.BytesIO(text), locale=locale)
