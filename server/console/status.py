"""Live sync status of a walk: what arrived per station and device, and what was refused."""
from flask import render_template, request

from ..records.status import walk_status, walk_tally
from . import bp
from .access import signed_in, walk_or_404

REFRESH_SECONDS = 10


@bp.get("/walks/<slug>/status")
@signed_in()
def walk_status_page(slug):
    """Show what has arrived for a walk; the page refreshes itself every few seconds."""
    walk = walk_or_404(slug)
    status = walk_status(walk)
    if request.args.get("fragment"):
        # The page's script swaps this part in place, so reading and scrolling are not interrupted.
        response = render_template("console/status_body.html", walk=walk, status=status)
        return response, 200, {"Cache-Control": "no-store"}
    return render_template("console/status.html", walk=walk, status=status, refresh=REFRESH_SECONDS)


@bp.get("/walks/<slug>/tally")
@signed_in()
def walk_tally_fragment(slug):
    """Return the walk page's live tally (checklists in all and per station), which the page swaps in by itself."""
    walk = walk_or_404(slug)
    response = render_template("console/walks/tally.html", walk=walk, tally=walk_tally(walk))
    return response, 200, {"Cache-Control": "no-store"}
