"""Photo checks: a renamed executable, an oversize file, a request larger than the form accepts, an image with GPS
EXIF, a decompression bomb; where photos are stored and who may see them."""

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select
from timebank_plugins.repair_team import photos, services
from timebank_plugins.repair_team.models import RepairOrder, RepairPhoto

from timebank.errors import ValidationFailed
from timebank.extensions import db

from .conftest import Upload, jpeg_bytes, post_form

NEW = "/c/maple/p/repair-team/new"


@pytest.fixture
def app_config():
    return {"PLUGIN_SETTINGS": {"repair_team": {"max_photo_mb": 1}}}  # small limits keep the test files small


def login(client, username):
    client.post("/login", data={"username": username, "password": "test-pass-123"})
    client.post("/account/language", data={"locale": "en"})


def status(client, url):
    response = client.get(url)
    response.close()  # a sent file stays open until the response is closed
    return response.status_code


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 13.0, 45.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 12.0)
    return exif


def form(repair):
    return {"category": "water", "description": "厨房水龙头一直滴水", "urgency": "normal",
            "household_id": str(repair["home"])}


def counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count(RepairOrder.id))),
                db.session.scalar(select(func.count(RepairPhoto.id))))


def stored_files(app):
    root = Path(app.instance_path) / "uploads" / "repair_team"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_a_photo_with_gps_is_stored_without_any_metadata(app, client, repair):
    original = jpeg_bytes(exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has GPS
    login(client, "res")
    response = post_form(client, NEW, form(repair), [("photos", original, "IMG_2041.jpg")])
    assert response.status_code == 302
    [path] = stored_files(app)
    assert path.parent.parent.name == str(repair["community"])  # instance/uploads/repair_team/<community>/<order>/
    assert path.name != "IMG_2041.jpg" and path.suffix == ".jpg"
    with Image.open(path) as stored:
        assert stored.format == "JPEG" and "exif" not in stored.info
        assert not stored.getexif() and not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"TestPhone" not in path.read_bytes()


def test_a_renamed_executable_is_refused_and_nothing_is_written(app, client, repair):
    login(client, "res")
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2000
    page = post_form(client, NEW, form(repair), [("photos", program, "photo.jpg")])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "“photo.jpg” is not a photo" in text and 'id="photos-error"' in text
    assert counts(app) == (0, 0) and stored_files(app) == []


def test_an_oversize_photo_gets_a_clear_message_beside_the_field(app, client, repair):
    login(client, "res")
    big = jpeg_bytes()[:-2] + b"\x00" * (1024 * 1024 + 10)
    page = post_form(client, NEW, form(repair), [("photos", big, "big.jpg")])
    text = page.get_data(as_text=True)
    assert "“big.jpg” is larger than 1 MB" in text and 'id="photos-error"' in text
    assert counts(app) == (0, 0)


def test_a_request_larger_than_the_form_accepts_gets_a_clear_page_not_an_error(app, client, repair):
    login(client, "res")
    huge = b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024)  # 1 MB × 3 photos + 1 MB of form fields is the limit
    page = post_form(client, NEW, form(repair), [("photos", huge, "huge.jpg")])
    text = page.get_data(as_text=True)
    assert page.status_code == 413
    assert "The photos are too large" in text and "at most 3 photos of up to 1 MB each" in text
    assert "Nothing was saved" in text
    assert counts(app) == (0, 0)


def test_too_many_photos_are_refused(app, client, repair):
    login(client, "res")
    page = post_form(client, NEW, form(repair), [("photos", jpeg_bytes(), f"p{n}.jpg") for n in range(4)])
    assert "At most 3 photos." in page.get_data(as_text=True)
    assert counts(app) == (0, 0)


def test_pngs_and_webps_are_accepted_gifs_and_bombs_are_not(ctx):
    def check(data, name):
        return ctx(lambda c, users: photos.check_photo(Upload(data, name), 1024 * 1024, "photos"))

    transparent = io.BytesIO()
    Image.new("RGBA", (50, 40), (255, 0, 0, 0)).save(transparent, "PNG")
    assert check(transparent.getvalue(), "a.png").data[:2] == b"\xff\xd8"  # stored as JPEG
    assert check(jpeg_bytes(fmt="WEBP"), "a.webp").width == 640
    with pytest.raises(ValidationFailed, match="not a photo"):
        check(jpeg_bytes(fmt="GIF"), "a.gif")
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, "PNG")  # tiny file, 48 million pixels
    with pytest.raises(ValidationFailed, match="too many pixels"):
        check(bomb.getvalue(), "bomb.png")
    with pytest.raises(ValidationFailed, match="not a photo"):
        check(jpeg_bytes()[:300], "truncated.jpg")


def test_large_photos_are_shrunk(ctx):
    checked = ctx(lambda c, users: photos.check_photo(Upload(jpeg_bytes(size=(4000, 3000))), 1024 * 1024, "p"))
    assert (checked.width, checked.height) == (1600, 1200)


def test_photos_are_shown_only_to_people_who_may_see_the_order(app, client, ctx, repair, order_for, advance, make):
    order_id = order_for(photo_files=[Upload(jpeg_bytes())])
    photo_id = ctx(lambda c, users: services.photos_of(services.order_in(c, order_id))[0].id)
    url = f"/c/maple/p/repair-team/orders/{order_id}/photos/{photo_id}"
    login(client, "res")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.get_data()[:2] == b"\xff\xd8"
    response.close()
    for other in ("res2", "vol", "oak.coord"):  # another resident, a volunteer not on the job, another community
        client.post("/logout")
        login(client, other)
        assert client.get(url).status_code == 404
    advance(order_id, "assigned")
    client.post("/logout")
    login(client, "vol")
    assert status(client, url) == 200  # the volunteer doing the job
    client.post("/logout")
    login(client, "coord")
    assert status(client, url) == 200
    assert client.get(f"/c/maple/p/repair-team/orders/{order_id}/photos/999").status_code == 404
