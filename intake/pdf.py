"""Signed copies as PDF, rendered by WeasyPrint from an HTML template (see README:
it is maintained, typesets any script we serve — Japanese, Polish — with the system's
Pango/HarfBuzz, and keeps the document's HTML the single source of its look)."""

from __future__ import annotations

from django.template.loader import render_to_string

from intake.models import Signature


def signed_copy_pdf(signatures: list[Signature], *, signer_name: str) -> bytes:
    import weasyprint  # imported here: loading Pango costs time only when a PDF is asked for

    html = render_to_string(
        "intake/signed_copy_pdf.html", {"signatures": signatures, "signer_name": signer_name}
    )
    return weasyprint.HTML(string=html).write_pdf()
