"""Cover art: the default is valid for Apple; a configured one is checked."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from audiobuild.errors import ConfigError
from audiobuild.publish.cover import check_cover, draw_cover


def test_default_cover_is_a_square_rgb_png_apple_accepts(tmp_path):
    path = tmp_path / "cover.png"
    path.write_bytes(draw_cover("Interviews, read aloud"))
    check_cover(path)
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        assert image.size == (1400, 1400) and image.mode == "RGB"


def test_default_cover_is_reproducible():
    assert draw_cover("A title") == draw_cover("A title") != draw_cover("Another title")


@pytest.mark.parametrize(
    ("size", "mode", "kind", "message"),
    [
        ((1400, 1500), "RGB", "PNG", "must be square"),
        ((1000, 1000), "RGB", "PNG", "1400-3000 px"),
        ((3200, 3200), "RGB", "JPEG", "1400-3000 px"),
        ((1400, 1400), "RGBA", "PNG", "RGB without alpha"),
        ((1400, 1400), "RGB", "GIF", "PNG or JPEG"),
    ],
)
def test_bad_covers_are_rejected(tmp_path, size, mode, kind, message):
    path = tmp_path / f"cover.{kind.lower()}"
    Image.new(mode, size).save(path, format=kind)
    with pytest.raises(ConfigError, match=message):
        check_cover(path)


def test_a_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "cover.png"
    path.write_text("not an image")
    with pytest.raises(ConfigError, match="not a readable image"):
        check_cover(path)


def test_a_cover_that_is_not_there_is_no_such_file(tmp_path):
    with pytest.raises(ConfigError) as raised:
        check_cover(tmp_path / "cover.png")
    assert str(raised.value) == f"{tmp_path / 'cover.png'}: no such file (the cover podcast.toml names)"


def test_the_default_cover_follows_the_podcasts_title(tmp_path):
    from audiobuild.config import Config, Podcast
    from audiobuild.publish.cover import cover_bytes

    first = Config(podcast=Podcast(title="First name"))
    (tmp_path / "cover.png").write_bytes(cover_bytes(tmp_path, first))
    assert cover_bytes(tmp_path, first) == (tmp_path / "cover.png").read_bytes()  # kept, not drawn again
    renamed = cover_bytes(tmp_path, Config(podcast=Podcast(title="A new name")))
    assert renamed == draw_cover("A new name") != draw_cover("First name")
