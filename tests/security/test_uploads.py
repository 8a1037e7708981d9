"""Uploads (every FileField: honour-award nomination photos, repair request/finish photos, receipts): the content
decides, not the name or the declared type; sizes and pixel counts are bounded; EXIF (GPS, camera) is dropped by
re-encoding; photos are served as JPEG with nosniff, an inline Content-Disposition and private caching."""

import io
import re
import struct
import zlib

from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from .conftest import client_for, row_counts
from .world import jpeg_with_gps


def _png_bomb(side=30_000):
    """A tiny PNG whose header promises 900 million pixels (a zip bomb for image decoders)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\x00" * (1 + side // 8) * 64, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


HOSTILE_FILES = {
    "html named .jpg": ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
    "svg with a script": ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                          "image/svg+xml"),
    "jpeg header then garbage": ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 2000, "image/jpeg"),
    "pdf": ("photo.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "image/jpeg"),
    "executable": ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 500, "image/jpeg"),
    "gif": ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    "too large (12 MB)": ("big.jpg", b"\xff\xd8\xff" + b"\x00" * (12 * 1024 * 1024), "image/jpeg"),
    "decompression bomb": ("bomb.png", _png_bomb(), "image/png"),
    "path in the name": ("../../../instance/secret_key", jpeg_with_gps()[:100], "image/jpeg"),
}

#: (what, form page, file field, account) for each upload form of the bundled plugins.
UPLOAD_FORMS = [
    ("nomination photo", "/c/maple/p/honor-awards/campaigns/{campaign_open}/nominate", "photos", "a.res"),
    ("repair request photo", "/c/maple/p/repair-team/new", "photos", "a.res"),
]


def test_hostile_uploads_are_refused_and_change_nothing(app, world, page_forms):
    wrong = []
    for what, (name, content, mimetype) in HOSTILE_FILES.items():
        for label, page, field, username in UPLOAD_FORMS:
            action, client = page.format(**world), client_for(app, username)
            before = row_counts(app)  # after logging in (which leaves a line in the audit log)
            data = dict(page_forms[action].plausible_data(),
                        **{field: FileStorage(io.BytesIO(content), name, content_type=mimetype)})
            response = post_multipart(client, action, data)
            if response.status_code not in (200, 400, 413):
                wrong.append(f"{label}, {what}: {response.status_code}")
            elif row_counts(app) != before:
                wrong.append(f"{label}, {what}: something was stored")
            elif response.status_code != 413 and "photo" not in response.get_data(as_text=True).lower() \
                    and "照片" not in response.get_data(as_text=True):
                wrong.append(f"{label}, {what}: no message about the photo")
    assert not wrong, "\n".join(wrong)


def post_multipart(client, url, data):
    """A multipart POST encoded in memory (the test client would spool a large body to a temporary file that it
    never closes)."""
    stream, _length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(url, data=stream.getvalue(), content_type=f"multipart/form-data; boundary={boundary}")


def test_a_real_photo_is_stored_without_its_metadata(app, world, page_forms):
    client = client_for(app, "a.res")
    action = "/c/maple/p/repair-team/new"
    data = {"category": "water", "description": "卫生间下水道堵了，水排不下去。", "urgency": "normal",
            "household_id": world["homes"]["a.res"], "contact_phone": "13912340006",
            "photos": (io.BytesIO(jpeg_with_gps()), "照片.jpg", "image/jpeg")}
    response = client.post(action, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, re.findall(r'class="(?:field-)?error[^"]*">([^<]+)<',
                                                   response.get_data(as_text=True))
    order_page = client.get(response.headers["Location"]).get_data(as_text=True)
    photo_path = next(part.split('"')[0] for part in order_page.split('src="')[1:] if "/photos/" in part)
    _check_served_photo(client.get(photo_path))


def test_uploaded_photos_are_served_safely(app, world):
    """The world's photos were uploaded with EXIF (camera model, GPS position): none of it is served."""
    _check_served_photo(client_for(app, "a.coord").get(
        "/c/maple/p/honor-awards/nominations/{nomination}/photos/{nomination_photo}.jpg".format(**world)))
    _check_served_photo(client_for(app, "a.vol").get(
        "/c/maple/p/repair-team/orders/{repair_order}/photos/{repair_photo}".format(**world)))


def _check_served_photo(response):
    data = response.get_data()
    response.close()  # a file sent by send_file: let the file handle go
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert "private" in response.headers["Cache-Control"]
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        exif = image.getexif()
        assert not exif.get(0x8825) and not exif.get(0x0110), "GPS position or camera model left in the photo"
        assert "exif" not in image.info
