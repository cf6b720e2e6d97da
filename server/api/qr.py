"""Admin API: QR codes of walk and station links, and the printable walk sheets."""
from flask import Response

from ..access.auth import require, require_walk_access
from ..catalog.definitions import get_checklist
from ..errors import ApiError
from ..catalog.links import public_base, station_url, walk_url
from ..documents.qr import png_bytes, svg_bytes
from ..reports.queries import find_walk
from ..documents.qr_sheets import sheets_pdf, walk_sheets
from . import bp
from .declare import declare, query_args
from .schemas import QrQuerySchema, SheetsQuerySchema


def _image(data, mimetype, filename):
    # The codes carry the walk key, which a rotation replaces: never let a cache keep them.
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _png_options():
    """Read ?scale= (pixels per module) or ?size= (image width in pixels), not both."""
    options = query_args()
    return {"scale": options.get("scale"), "size": options.get("size")}


def _walk_for(slug):
    walk = find_walk(slug)
    require_walk_access(walk)
    return walk


def _station_for(walk, code):
    station = walk.station(code)
    if station is None:
        raise ApiError(404, f"No station '{code}' on walk '{walk.slug}'.")
    return station


@bp.get("/admin/walks/<slug>/stations/<code>/qr.svg")
@declare(reply="image/svg+xml")
@require("admin", "facilitator")
def station_qr_svg(slug, code):
    """Return a station's QR code as SVG, sized in millimetres for printing."""
    walk = _walk_for(slug)
    station = _station_for(walk, code)
    return _image(svg_bytes(station_url(walk, station)), "image/svg+xml", f"{walk.slug}-{station.code}.svg")


@bp.get("/admin/walks/<slug>/stations/<code>/qr.png")
@declare(reply="image/png", query=QrQuerySchema)
@require("admin", "facilitator")
def station_qr_png(slug, code):
    """Return a station's QR code as PNG (?scale= pixels per module, or ?size= pixels wide)."""
    walk = _walk_for(slug)
    station = _station_for(walk, code)
    options = _png_options()
    return _image(png_bytes(station_url(walk, station), **options), "image/png", f"{walk.slug}-{station.code}.png")


@bp.get("/admin/walks/<slug>/qr.svg")
@declare(reply="image/svg+xml")
@require("admin", "facilitator")
def walk_qr_svg(slug):
    """Return the QR code of the walk's start link as SVG."""
    walk = _walk_for(slug)
    return _image(svg_bytes(walk_url(walk)), "image/svg+xml", f"{walk.slug}-join.svg")


@bp.get("/admin/walks/<slug>/qr.png")
@declare(reply="image/png", query=QrQuerySchema)
@require("admin", "facilitator")
def walk_qr_png(slug):
    """Return the QR code of the walk's start link as PNG (?scale= or ?size=)."""
    walk = _walk_for(slug)
    return _image(png_bytes(walk_url(walk), **_png_options()), "image/png", f"{walk.slug}-join.png")


@bp.get("/admin/walks/<slug>/sheets.pdf")
@declare(reply="application/pdf", query=SheetsQuerySchema)
@require("admin", "facilitator")
def walk_sheets_pdf(slug):
    """Return the walk's printable sheets: a join sheet, then a page (or a card) per station."""
    walk = _walk_for(slug)
    options = query_args()
    layout, lang = options["layout"], options["lang"]
    definition = get_checklist(walk.checklist_slug, walk.checklist_version).definition
    languages = definition.get("languages") or ["en"]
    if lang not in languages:
        message = f"'lang' must be one of the checklist's languages: {', '.join(languages)}."
        raise ApiError(400, message, code="invalid", details={"lang": [message]})
    data = sheets_pdf(walk_sheets(walk, definition, lang, base=public_base()), layout)
    return _image(data, "application/pdf", f"{walk.slug}-{layout}-{lang}.pdf")
