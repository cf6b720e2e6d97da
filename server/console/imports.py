"""Import a walker's backup file: the same sync rules as a device's own sync."""
from flask import render_template, request

from ..access.audit_trail import record
from ..records.backup import BackupError, import_backup, read_backup
from . import bp
from .access import can_see, current_user, signed_in


@bp.route("/import", methods=["GET", "POST"])
@signed_in()
def import_page():
    """Upload a backup file and show what was accepted, duplicate, stale or refused."""
    if request.method == "GET":
        return render_template("console/import.html")
    upload = request.files.get("backup")
    if upload is None or not upload.filename:
        return render_template("console/import.html", error="Choose a backup file to import."), 400
    try:
        groups = read_backup(upload.read())
    except BackupError as error:
        return render_template("console/import.html", error=str(error), filename=upload.filename), 400
    user = current_user()
    summary = import_backup(groups, lambda walk: can_see(user, walk), request.remote_addr)
    record("backup_import", upload.filename[:200], {"counts": summary["counts"]}, commit=True)
    return render_template("console/import.html", summary=summary, filename=upload.filename)
