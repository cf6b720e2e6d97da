"""QR codes for walk and station links, as SVG and PNG bytes (pure: a URL in, an image out).

Printed codes live outdoors: a sheet taped to a lamp post gets rain, creases and glare, so the
codes use error correction Q (a quarter of the symbol may be lost) and the quiet zone of four
modules that the QR standard asks for.

Scanning from about 1 m: a phone camera app decodes preview frames about 1,920 px wide that
cover about 1.4 m at that distance, i.e. ~0.7 mm per pixel, and wants two to three pixels per
module, hence printed modules of at least MODULE_MM = 2.5 mm. A station link such as
https://audit.example.org/w/prague-7/P7-1#k=<16 characters> (60 bytes) is version 5 at level Q:
37 modules, so ~9–11 cm wide, the usual "a tenth of the scanning distance".
"""
import io
from dataclasses import dataclass

import qrcode
from PIL import Image

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
ERROR_CORRECTION_NAME = "Q"
QUIET_ZONE = 4  # modules of white around the symbol
MODULE_MM = 2.5  # printed module size for scanning from ~1 m (see above)
PNG_SCALE = 10  # default pixels per module
PNG_SCALE_RANGE = (2, 40)
PNG_SIZE_RANGE = (100, 4000)  # total width in pixels


@dataclass(frozen=True)
class QrCode:
    """A QR symbol: `modules[y][x]` is True where the module is dark, quiet zone included."""

    url: str
    version: int
    modules: tuple

    @property
    def width(self):
        """Modules per side, quiet zone included."""
        return len(self.modules)

    def dark_runs(self):
        """Yield (x, y, length) for each horizontal run of dark modules."""
        for y, row in enumerate(self.modules):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    yield start, y, x - start
                else:
                    x += 1


def make_qr(url):
    """Encode a URL exactly as given, in the smallest version that holds it at level Q."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(url, optimize=0)  # one byte-mode segment: every reader returns it unchanged
    code.make(fit=True)
    return QrCode(url, code.version, tuple(tuple(bool(m) for m in row) for row in code.get_matrix()))


def _mm(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def svg_bytes(url, module_mm=MODULE_MM):
    """Return the QR code as an SVG document sized in millimetres for printing."""
    code = make_qr(url)
    side = _mm(code.width * module_mm)
    # One path of unit-high runs: no seams between modules when a viewer anti-aliases.
    path = "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in code.dark_runs())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{side}mm" height="{side}mm" '
        f'viewBox="0 0 {code.width} {code.width}" shape-rendering="crispEdges">'
        f'<rect width="{code.width}" height="{code.width}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>\n'
    ).encode()


def png_scale(width_modules, scale=None, size=None):
    """Return pixels per module from a `scale` or a total `size` in pixels (whole modules only)."""
    if size is not None:
        return max(1, size // width_modules)
    return scale or PNG_SCALE


def png_bytes(url, scale=None, size=None):
    """Return the QR code as a 1-bit PNG; `scale` is pixels per module, `size` the width to fit."""
    code = make_qr(url)
    scale = png_scale(code.width, scale, size)
    image = Image.new("1", (code.width, code.width), 1)
    image.putdata([0 if dark else 1 for row in code.modules for dark in row])
    image = image.resize((code.width * scale, code.width * scale), Image.NEAREST)
    # The resolution makes a print at "100 %" come out with MODULE_MM modules.
    dpi = round(scale * 25.4 / MODULE_MM)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()
