"""The flask CLI: seeding, tokens, loading definitions, listing walks, exporting."""
import csv
import json

import pytest

from sqlalchemy import func, select

from server.catalog.definitions import shared_definitions
from server.models import ApiToken, Checklist, Walk
from tests.conftest import bearer, make_answer, make_record, post_sync


def test_seed_is_idempotent(runner, db):
    """Running seed twice loads the checklist and the three walks once."""
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "1 new checklist version(s), 1 new audit(s) and 3 new walk(s)" in first.output
    second = runner.invoke(args=["seed"])
    assert "0 new checklist version(s), 0 new audit(s) and 0 new walk(s)" in second.output
    assert db.session.execute(select(func.count()).select_from(Walk)).scalar_one() == 3
    assert db.session.execute(select(func.count()).select_from(Checklist)).scalar_one() == 1


def test_create_token_prints_a_working_token_last(runner, client, seeded):
    """The token printed as the last line opens the admin API."""
    result = runner.invoke(args=["create-token", "--role", "admin", "--label", "report script"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/admin/walks", headers=bearer(token)).status_code == 200


def test_facilitator_token_needs_a_known_walk(runner, db, seeded):
    """A facilitator token is bound to walks that exist."""
    assert runner.invoke(args=["create-token", "--role", "facilitator"]).exit_code == 1
    result = runner.invoke(args=["create-token", "--role", "facilitator", "--walk", "atlantis"])
    assert result.exit_code == 1 and "No walk 'atlantis'" in result.output
    result = runner.invoke(args=["create-token", "--role", "facilitator", "--walk", "libus"])
    assert result.exit_code == 0
    token = db.session.execute(select(ApiToken)).scalar_one()
    assert [w.slug for w in token.walks] == ["libus"]


def test_load_checklist_versions_a_changed_file(runner, client, seeded, tmp_path):
    """The same file changes nothing; a changed file is saved over version 1 until checklists answered with it
    arrive, then it becomes version 2; a broken one is explained."""
    path, definition = next(shared_definitions("checklists"))
    result = runner.invoke(args=["load-checklist", str(path)])
    assert "unchanged, still version 1" in result.output
    definition["title"]["en"] = "INTEGRA city audit (2019 edition)"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(definition), encoding="utf-8")
    assert "saved in place, still version 1" in runner.invoke(args=["load-checklist", str(changed)]).output
    post_sync(client, seeded["prague-7"], [make_record([make_answer("vs1", 4)])])
    definition["title"]["en"] = "INTEGRA city audit (2020 edition)"
    changed.write_text(json.dumps(definition), encoding="utf-8")
    assert "new version 2" in runner.invoke(args=["load-checklist", str(changed)]).output
    del definition["topics"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(definition), encoding="utf-8")
    result = runner.invoke(args=["load-checklist", str(broken)])
    assert result.exit_code == 1 and "topics" in result.output
    not_json = tmp_path / "notjson.json"
    not_json.write_text("{", encoding="utf-8")
    result = runner.invoke(args=["load-checklist", str(not_json)])
    assert result.exit_code == 1 and "Error" in result.output


def test_walks_list_shows_counts(runner, client, seeded):
    """Facilitators see each walk with its stations, its walk code and how many checklists arrived."""
    post_sync(client, seeded["libus"], [make_record([make_answer("vs1", 2)])])
    output = runner.invoke(args=["walks", "list"]).output
    line = next(line for line in output.splitlines() if line.startswith("libus"))
    assert "5 stations" in line and "1 checklists" in line and "open" in line
    assert f"walk code {seeded['libus'].printed_code}" in line


def test_export_writes_the_file_with_progress(runner, client, seeded, tmp_path):
    """The export command writes the same wide CSV as the API, with a progress bar."""
    post_sync(client, seeded["libus"], [make_record([make_answer("vs1", 2, comment="Libuš: přístupnost")])])
    out = tmp_path / "wide.csv"
    result = runner.invoke(args=["export", "--layout", "wide", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exporting 1 checklists" in result.output
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["vs1_comment"] == "Libuš: přístupnost"
    out_json = tmp_path / "all.json"
    assert runner.invoke(args=["export", "--format", "json", "--out", str(out_json)]).exit_code == 0
    assert len(json.loads(out_json.read_text(encoding="utf-8"))["responses"]) == 1


def test_load_example_fills_the_report_with_the_2018_figures(runner, client, seeded, admin_headers):
    """A new admin loads the 2018 example and sees its figures; loading it again adds nothing."""
    result = runner.invoke(args=["load-example"])
    assert result.exit_code == 0 and "26 accepted" in result.output
    assert "26 duplicate" in runner.invoke(args=["load-example"]).output
    report = client.get("/api/v1/report?checklist=integra-city-audit", headers=admin_headers).json
    assert report["responses"] == 26
    assert report["topics"][0]["items"][0]["mean"] == 3.92


@pytest.mark.parametrize(("public_url", "warned"), [(None, "PUBLIC_URL is not set"), ("http://192.168.1.20:5000", "https"),
                                                     ("https://audit.example.org", None)])
def test_check_links_warns_when_phones_cannot_use_the_codes(runner, app, public_url, warned):
    """scripts/start says when codes would open localhost or plain http, and is silent for an https address."""
    app.config["PUBLIC_URL"] = public_url
    result = runner.invoke(args=["check-links"])
    assert result.exit_code == 0
    if warned:
        assert warned in result.output and "PUBLIC_URL" in result.output
    else:
        assert result.output == ""


def test_scripts_start_checks_the_links():
    """scripts/start runs the link check before it serves, so a fresh install with no PUBLIC_URL is warned."""
    from pathlib import Path
    start = (Path(__file__).resolve().parents[1] / "scripts" / "start").read_text()
    assert "flask\" --app server check-links" in start and start.index("check-links") < start.index("gunicorn\"")
