"""Draw the walker app's icons (a map pin over a checkmark) into pwa/icons/ with Pillow.

Run: .venv/bin/python scripts/make_pwa_icons.py   (then scripts/build_precache.py)
"""
from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "pwa" / "icons"
BRAND = (11, 61, 145)
WHITE = (255, 255, 255)


def draw_icon(size, maskable=False):
    """Return the icon at `size` px; a maskable icon keeps its drawing inside the central safe zone."""
    image = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(image)
    scale = 0.6 if maskable else 0.8
    unit = size * scale / 10
    left = (size - 10 * unit) / 2
    top = (size - 10 * unit) / 2

    def at(x, y):
        return (left + x * unit, top + y * unit)

    # Pin: a circle with a point below it.
    draw.ellipse([at(2, 0.5), at(8, 6.5)], fill=WHITE)
    draw.polygon([at(2.6, 4.6), at(7.4, 4.6), at(5, 9.5)], fill=WHITE)
    # Checkmark inside the pin head.
    draw.line([at(3.4, 3.6), at(4.6, 4.8), at(6.7, 2.3)], fill=BRAND, width=max(2, round(unit * 0.8)), joint="curve")
    return image


def main():
    """Write the 192 and 512 px icons, plain and maskable."""
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw_icon(size).quantize(colors=8).save(ICONS / f"icon-{size}.png", optimize=True)
        draw_icon(size, maskable=True).quantize(colors=8).save(ICONS / f"maskable-{size}.png", optimize=True)
    print(f"icons written to {ICONS}")


if __name__ == "__main__":
    main()
