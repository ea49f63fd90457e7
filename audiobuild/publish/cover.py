"""Cover art: find and check a user's cover, or draw a default one (the only module using Pillow)."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin, UnidentifiedImageError

from audiobuild.errors import ConfigError

if TYPE_CHECKING:
    from audiobuild.config import Config

COVER_SIZE = 1400  # Apple's minimum; square, RGB, no alpha
_DRAWN_BY = "audiobuild default cover 1"  # bump when the drawing changes
MIN_SIZE, MAX_SIZE = 1400, 3000


def check_cover(path: Path) -> None:
    """Raise ConfigError unless `path` is a square RGB PNG/JPEG of 1400-3000 px."""
    try:
        with Image.open(path) as image:
            size, mode, kind = image.size, image.mode, image.format
    except FileNotFoundError:
        raise ConfigError(path, "no such file (the cover podcast.toml names)") from None
    except (OSError, UnidentifiedImageError) as error:
        raise ConfigError(path, f"cover is not a readable image ({error})") from None
    if kind not in ("PNG", "JPEG"):
        raise ConfigError(path, f"cover must be PNG or JPEG, not {kind}")
    if size[0] != size[1] or not MIN_SIZE <= size[0] <= MAX_SIZE:
        raise ConfigError(path, f"cover must be square, {MIN_SIZE}-{MAX_SIZE} px; it is {size[0]}x{size[1]}")
    if mode != "RGB":
        raise ConfigError(path, f"cover must be RGB without alpha; it is {mode}")


def draw_cover(title: str) -> bytes:
    """A default square PNG cover: the podcast title over a calm gradient and a waveform."""
    size = COVER_SIZE
    top, bottom = (24, 46, 74), (14, 110, 120)
    gradient = Image.linear_gradient("L").resize((size, size))
    image = Image.composite(Image.new("RGB", (size, size), bottom), Image.new("RGB", (size, size), top), gradient)
    draw = ImageDraw.Draw(image)
    # A stylised waveform: bar heights from a fixed pattern, so the cover is reproducible.
    bars, centre = 41, int(size * 0.68)
    for index in range(bars):
        height = 40 + ((index * 37) % 11) * 18 + (60 if 12 < index < 28 else 0)
        x = int(size * 0.1) + index * int(size * 0.8 / bars)
        draw.rounded_rectangle((x, centre - height // 2, x + 14, centre + height // 2), radius=7, fill=(240, 200, 90))
    font = ImageFont.load_default(size=110)
    lines = textwrap.wrap(title, width=18)[:4]
    y = int(size * 0.14)
    for line in lines:
        draw.text((size // 2, y), line, font=font, fill=(250, 250, 245), anchor="mt")
        y += 135
    small = ImageFont.load_default(size=48)
    draw.text((size // 2, int(size * 0.9)), "read by audiobuild", font=small, fill=(200, 220, 225), anchor="mt")
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", title)  # which title it shows: `cover_bytes` redraws it when the title changes
    info.add_text("Software", _DRAWN_BY)
    image.save(out, format="PNG", pnginfo=info)  # not optimize=True: 0.06 s more for 4% less
    return out.getvalue()


def cover_source(config: Config) -> Path:
    """The configured cover's path: as given when absolute, else beside podcast.toml."""
    cover = Path(config.podcast.cover)
    return cover if cover.is_absolute() or config.path is None else config.path.parent / cover


def cover_bytes(output: Path, config: Config) -> bytes:
    """The cover: the configured file (checked: ConfigError), else the default one for the podcast's title.

    The default cover already published is kept while it shows the same title
    (drawing one takes a tenth of a second), and drawn again when the title changes.
    """
    if config.podcast.cover:
        check_cover(cover_source(config))
        return cover_source(config).read_bytes()
    published = output / config.podcast.cover_file
    try:
        with Image.open(published) as image:
            drawn = getattr(image, "text", {})
            if drawn.get("Software") == _DRAWN_BY and drawn.get("Title") == config.podcast.title:
                return published.read_bytes()
    except (OSError, UnidentifiedImageError):  # none yet, or not one of ours
        pass
    return draw_cover(config.podcast.title)
