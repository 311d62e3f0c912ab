"""Signed copies as PDF, rendered by WeasyPrint from an HTML template (see README:
it is maintained, typesets any script we serve — Japanese, Polish — with the system's
Pango/HarfBuzz, and keeps the document's HTML the single source of its look)."""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from intake.models import Signature


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_counter() -> str:
    """The footer's "Page 2 of 5" as a CSS ``content`` value, in the reader's language
    (the numbers are WeasyPrint's page counters)."""
    text = _("Page %(page)s of %(pages)s")
    counters = {"page": "counter(page)", "pages": "counter(pages)"}
    parts = re.split(r"%\((page|pages)\)s", text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(counters[part])
        elif part:
            out.append(_css_string(part.replace("%%", "%")))
    return " ".join(out)


def signed_copy_pdf(signatures: list[Signature], *, signer_name: str) -> bytes:
    import weasyprint  # imported here: loading Pango costs time only when a PDF is asked for

    html = render_to_string(
        "intake/signed_copy_pdf.html",
        {"signatures": signatures, "signer_name": signer_name, "page_counter": page_counter()},
    )
    return weasyprint.HTML(string=html).write_pdf()
