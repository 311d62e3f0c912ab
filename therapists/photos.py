"""Therapist photos: accept only real images, of a bounded size, re-encoded clean.

Re-encoding with Pillow drops metadata (camera EXIF can carry GPS coordinates)
and anything smuggled after the image data.
"""

from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000  # refuses decompression bombs before decoding
MIN_SIDE = 120
OUTPUT_SIDE = 640
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


class InvalidPhoto(DomainError):
    status = 422

    def __init__(self, detail: str, code: str) -> None:
        super().__init__(detail, code=code, field="photo")


def process_photo(upload: UploadedFile) -> ContentFile:
    """A square JPEG of the upload, or ``InvalidPhoto`` saying what to fix."""
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise InvalidPhoto(
            _("This photo is %(size)s MB; the limit is %(limit)s MB. Export a smaller JPEG or PNG.")
            % {
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "limit": MAX_PHOTO_BYTES // 1024 // 1024,
            },
            code="photo_too_large",
        )
    data = upload.read()
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidPhoto(
            _("This photo is over the %(limit)s MB limit.")
            % {"limit": MAX_PHOTO_BYTES // 1024 // 1024},
            code="photo_too_large",
        )
    not_image = InvalidPhoto(
        _("This file is not a photo we can read. Upload a JPEG, PNG or WebP image."),
        code="photo_not_image",
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_image from None
    if fmt not in ALLOWED_FORMATS:
        raise InvalidPhoto(
            _("%(format)s images are not accepted. Upload a JPEG, PNG or WebP image.")
            % {"format": fmt},
            code="photo_format",
        )
    if width * height > MAX_SOURCE_PIXELS:
        raise InvalidPhoto(
            _("This image has too many pixels. Resize it below 40 megapixels."),
            code="photo_too_large",
        )
    if min(width, height) < MIN_SIDE:
        raise InvalidPhoto(
            _(
                "This photo is %(width)s×%(height)s pixels; use one at least %(min)s pixels on "
                "each side so it looks sharp."
            )
            % {"width": width, "height": height, "min": MIN_SIDE},
            code="photo_too_small",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            side = min(OUTPUT_SIDE, *image.size)
            image = ImageOps.fit(image.convert("RGB"), (side, side))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise not_image from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
