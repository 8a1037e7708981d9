"""Photos: checked with Pillow, re-encoded (which drops EXIF, GPS included), stored under the instance folder.

A photo is read into memory up to the size limit, opened by Pillow (a renamed executable or a document is
refused), turned upright, shrunk to at most ``MAX_SIDE`` pixels and saved again as a JPEG without metadata. Files
live in ``<instance>/uploads/repair_team/<community id>/<order id>/<random name>.jpg``; they are served only by a
view that checks who may see the order.
"""

import io
import logging
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from timebank.clock import now
from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.i18n import _, ngettext

from .models import RepairPhoto

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 1600
#: Refuse images with more pixels than this before decoding them (a small file can unpack to gigabytes).
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 82


@dataclass
class CheckedPhoto:
    """A photo that passed the checks: JPEG bytes without metadata, ready to store."""

    data: bytes
    width: int
    height: int


def _is_upload(storage):
    return storage is not None and getattr(storage, "filename", "")


def uploads_in(files):
    """The files a person actually chose (browsers send an empty part for an empty file input)."""
    return [storage for storage in (files or []) if _is_upload(storage)]


def check_photo(storage, max_bytes, field):
    """Read, check and re-encode one uploaded photo; ``ValidationFailed`` naming ``field`` when it is not one."""
    data = storage.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationFailed(_("“%(name)s” is larger than %(mb)d MB. Take the photo again at a lower resolution, "
                                 "or choose a smaller one.", name=_short_name(storage.filename),
                                 mb=max_bytes // (1024 * 1024)), field=field)
    if not data:
        raise ValidationFailed(_("“%(name)s” is empty.", name=_short_name(storage.filename)), field=field)
    not_a_photo = ValidationFailed(_("“%(name)s” is not a photo. Choose a JPEG, PNG or WebP picture.",
                                     name=_short_name(storage.filename)), field=field)
    try:
        with warnings.catch_warnings():
            # Pillow only warns about a huge image below twice its own limit: treat it as the bomb it may be.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _reencode(data, storage.filename, field, not_a_photo)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise not_a_photo from None


def _reencode(data, filename, field, not_a_photo):
    with Image.open(io.BytesIO(data)) as probe:
        if probe.format not in ACCEPTED_FORMATS:
            raise not_a_photo
        width, height = probe.size
        if width * height > MAX_PIXELS:
            raise ValidationFailed(_("“%(name)s” has too many pixels. Choose a smaller picture.",
                                     name=_short_name(filename)), field=field)
        probe.verify()  # a truncated or corrupt file fails here, before any decoding work
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)  # phones store the rotation in EXIF, which is dropped below
        if upright.mode != "RGB":
            upright = _flatten(upright)
        upright.thumbnail((MAX_SIDE, MAX_SIDE))
        out = io.BytesIO()
        # No exif= and no icc_profile=: the new file carries none of the original metadata (GPS, camera, time).
        upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return CheckedPhoto(out.getvalue(), upright.width, upright.height)


def _flatten(image):
    """RGB on a white background (transparent PNGs would turn black as JPEG)."""
    image = image.convert("RGBA")
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _short_name(filename):
    name = Path(filename or "").name
    return name if len(name) <= 40 else name[:37] + "…"


def check_photos(files, max_bytes, max_count, field):
    """Check every chosen file; refuse more than ``max_count``. Returns ``[CheckedPhoto]``; nothing is stored."""
    chosen = uploads_in(files)
    if len(chosen) > max_count:
        raise ValidationFailed(ngettext("At most %(num)d photo.", "At most %(num)d photos.", max_count), field=field)
    return [check_photo(storage, max_bytes, field) for storage in chosen]


def _folder(community_id, order_id):
    return Path(current_app.instance_path) / "uploads" / "repair_team" / str(community_id) / str(order_id)


def photo_path(photo):
    return _folder(photo.community_id, photo.order_id) / photo.stored_name


def store_photos(order, checked, kind, uploader, written):
    """Add a ``RepairPhoto`` row per checked photo and write its file. Paths written are appended to ``written``
    so that the caller can remove them if its transaction fails."""
    photos = []
    folder = _folder(order.community_id, order.id)
    folder.mkdir(parents=True, exist_ok=True)
    for item in checked:
        name = secrets.token_hex(16) + ".jpg"  # unguessable, and never the uploader's own file name
        path = folder / name
        path.write_bytes(item.data)
        written.append(path)
        photo = RepairPhoto(community_id=order.community_id, order_id=order.id, kind=kind, stored_name=name,
                            size_bytes=len(item.data), width=item.width, height=item.height,
                            uploaded_by_id=uploader.id, created_at=now())
        db.session.add(photo)
        photos.append(photo)
    db.session.flush()
    return photos


def remove_files(paths):
    """Undo ``store_photos`` after a failed transaction."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("could not remove an orphaned repair photo")
