"""Checklists as XLSForm: exported for ODK/Kobo/Enketo, imported back, and foreign forms refused row by row."""
import io
import json

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from server.catalog.definitions import load_checklist, shared_definitions
from server.catalog.xlsform import checklist_to_xlsform, pyxform_problems, xlsform_to_checklist
from server.models import Checklist
from tests.definitions import small_checklist

SCALE = [["list_name", "name", "label::English (en)", "label::Czech (cs)"],
         ["s14", "1", "1 – poor", "1 – špatné"], ["s14", "2", "2", "2"], ["s14", "3", "3", "3"],
         ["s14", "4", "4 – good", "4 – dobré"]]


def workbook(survey, choices=SCALE, settings=(("form_id", "version"), ("brno-form", "1"))):
    """Return .xlsx bytes with the given rows per sheet (the first row is the header)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data, headers, **fields):
    return client.post("/api/v1/admin/checklists/import", headers=headers,
                       data={"file": (io.BytesIO(data), "form.xlsx"), **fields}, content_type="multipart/form-data")


def checklist_count(db):
    return db.session.execute(select(func.count()).select_from(Checklist)).scalar_one()


@pytest.mark.parametrize("path, definition", list(shared_definitions("checklists")), ids=lambda v: getattr(v, "stem", ""))
def test_every_shipped_checklist_exports_to_a_form_pyxform_converts(path, definition):
    """Each checklist in shared_schema/ becomes an XLSForm that pyxform turns into an XForm without errors."""
    assert pyxform_problems(checklist_to_xlsform(definition)) == []


def test_one_to_four_three_language_checklist_converts_with_pyxform():
    """A 1–4 checklist in English, Czech and Ukrainian, without "don't know", converts with pyxform too."""
    assert pyxform_problems(checklist_to_xlsform(small_checklist())) == []


@pytest.mark.parametrize("definition", [next(d for _, d in shared_definitions("checklists")), small_checklist()],
                         ids=["integra", "one-to-four"])
def test_export_then_import_gives_back_the_same_definition(definition):
    """Exporting a checklist and importing the file back yields exactly the definition it came from."""
    assert xlsform_to_checklist(checklist_to_xlsform(definition)) == definition


def test_exported_form_has_the_documented_shape(client, seeded):
    """The public .xlsx has groups per topic, select_one items with comments, language columns, choices, settings."""
    reply = client.get("/api/v1/checklists/integra-city-audit.xlsx")
    assert reply.status_code == 200 and reply.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(reply.data))
    survey = [row for row in book["survey"].iter_rows(values_only=True)]
    assert survey[0][:4] == ("type", "name", "label::English (en)", "label::Czech (cs)")
    assert survey[1][:2] == ("begin_group", "vision-services")
    assert survey[2][:2] == ("select_one scale_1_5", "vs1") and survey[3][:2] == ("text", "vs1_comment")
    assert [row[1] for row in book["choices"].iter_rows(values_only=True)][1:] == ["1", "2", "3", "4", "5",
                                                                                  "dont_know"]
    settings = list(book["settings"].iter_rows(values_only=True))
    assert dict(zip(settings[0], settings[1])) == {"form_title": "City Integration Audit checklist (INTEGRA)",
                                                  "form_id": "integra-city-audit", "version": "1",
                                                  "default_language": "English (en)"}
    assert client.get("/api/v1/checklists/integra-city-audit.xlsx?version=7").status_code == 404
    assert client.get("/api/v1/checklists/nothing.xlsx").status_code == 404


def test_import_through_the_api_makes_a_checklist_then_a_new_version(client, db, app, admin_headers):
    """An admin uploads a 1–4 form (201, version 1); the same form again changes nothing; an edit before any
    answers is saved over version 1, an edit after answers arrived is version 2."""
    from server.catalog.definitions import load_walk
    from tests.conftest import make_answer, make_record, post_sync
    from tests.definitions import small_walk
    definition = small_checklist()
    data = checklist_to_xlsform(definition)
    reply = upload(client, data, admin_headers)
    assert reply.status_code == 201 and reply.json == {"slug": "bike-audit", "version": 1}
    assert client.get("/api/v1/checklists/bike-audit").json["scale"] == definition["scale"]
    assert upload(client, data, admin_headers).json == {"slug": "bike-audit", "version": 1}
    definition["topics"][0]["items"][0]["text"]["en"] = "Reworded"
    reply = upload(client, checklist_to_xlsform(definition), admin_headers)
    assert reply.status_code == 200 and reply.json["version"] == 1
    assert client.get("/api/v1/checklists/bike-audit").json["topics"][0]["items"][0]["text"]["en"] == "Reworded"
    walk, _ = load_walk(small_walk())
    db.session.commit()
    post_sync(client, walk, [make_record([make_answer("q1_1", 3)], checklist="bike-audit")])
    definition["topics"][0]["items"][0]["text"]["en"] = "Reworded again"
    reply = upload(client, checklist_to_xlsform(definition), admin_headers)
    assert reply.status_code == 201 and reply.json["version"] == 2
    assert client.get("/api/v1/checklists/bike-audit?version=1").json["topics"][0]["items"][0]["text"]["en"] == \
        "Reworded"
    reply = upload(client, data, admin_headers, slug="bike-audit-copy")
    assert reply.status_code == 201 and reply.json["slug"] == "bike-audit-copy"


def test_a_form_written_by_hand_with_plain_labels_is_imported(client, db, admin_headers):
    """A person's form with a plain 'label' column, 'begin group' spelling and no comments is read as English."""
    survey = [["type", "name", "label", "label::Ukrainian (uk)"],
              ["begin group", "safety", "Safety", "Безпека"],
              ["select_one s14", "lights", "Street lights work", "Ліхтарі працюють"],
              ["select_one s14", "crossings", "Crossings are safe", None],
              ["end group", None, None, None]]
    choices = [["list_name", "name", "label"], ["s14", "1", "1"], ["s14", "2", "2"], ["s14", "3", "3"],
               ["s14", "4", "4"]]
    reply = upload(client, workbook(survey, choices), admin_headers)
    assert reply.status_code == 201, reply.json
    checklist = client.get("/api/v1/checklists/brno-form").json
    assert checklist["languages"] == ["en", "uk"] and checklist["scale"] == {"min": 1, "max": 4, "dont_know": False}
    assert checklist["topics"][0]["items"][1]["text"] == {"en": "Crossings are safe"}


def test_unsupported_rows_are_listed_with_row_numbers_and_nothing_is_saved(client, db, seeded, admin_headers):
    """A form with a location, a photo, skip logic and a multiple choice is refused row by row; no checklist is added."""
    survey = [["type", "name", "label::English (en)", "relevant"],
              ["begin_group", "streets", "Streets", None],
              ["select_one s14", "pavement", "The pavement is even", None],
              ["geopoint", "where", "Where are you?", None],
              ["image", "photo", "Take a photo", None],
              ["select_one s14", "ramps", "There are ramps", "${pavement} > 2"],
              ["select_multiple s14", "issues", "Issues", None],
              ["end_group", None, None, None]]
    before = checklist_count(db)
    reply = upload(client, workbook(survey), admin_headers)
    assert reply.status_code == 422
    error = reply.json["error"]
    assert error["code"] == "unsupported_form"
    assert [(p["sheet"], p["row"], p["type"]) for p in error["details"]] == [
        ("survey", 4, "geopoint"), ("survey", 5, "image"), ("survey", 6, "select_one s14"),
        ("survey", 7, "select_multiple s14")]
    assert "skip logic" in error["details"][2]["why"]
    assert checklist_count(db) == before
    assert client.get("/api/v1/checklists/brno-form").status_code == 404


def test_a_real_odk_form_full_of_other_types_gets_the_list_not_a_crash(client, db, admin_headers):
    """A Kobo-style survey (metadata, repeats, calculations, notes, integers, cascading choices) yields a 422 list."""
    survey = [["type", "name", "label", "hint", "calculation", "constraint", "required", "appearance"],
              ["start", "start", None, None, None, None, None, None],
              ["end", "end", None, None, None, None, None, None],
              ["deviceid", "deviceid", None, None, None, None, None, None],
              ["note", "intro", "Welcome", None, None, None, None, None],
              ["text", "name", "Your name", "first and last", None, None, "yes", None],
              ["integer", "age", "Age", None, None, ". < 120", None, None],
              ["select_one yes_no", "consent", "Do you agree?", None, None, None, "yes", "horizontal"],
              ["begin_repeat", "household", "Household members", None, None, None, None, None],
              ["select_one_from_file towns.csv", "town", "Town", None, None, None, None, None],
              ["end_repeat", None, None, None, None, None, None, None],
              ["calculate", "total", None, None, "${age} * 2", None, None, None],
              ["geoshape", "area", "Area", None, None, None, None, None],
              ["rank", "prefs", "Rank", None, None, None, None, None]]
    choices = [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]
    before = checklist_count(db)
    reply = upload(client, workbook(survey, choices, (("form_title", "form_id"), ("Household", "hh_2024"))),
                   admin_headers)
    assert reply.status_code == 422, reply.data[:300]
    rows = {p["row"] for p in reply.json["error"]["details"] if p["sheet"] == "survey"}
    assert rows == set(range(2, 15))
    assert all(p["why"] for p in reply.json["error"]["details"])
    assert checklist_count(db) == before


@pytest.mark.parametrize("data", [b"", b"not a spreadsheet", b"PK\x03\x04broken zip",
                                  "type,name\nselect_one s,a\n".encode()])
def test_a_file_that_is_not_a_workbook_is_refused_in_the_envelope(client, db, admin_headers, data):
    """An empty, broken or CSV upload is a 422 with a readable reason, never a server error."""
    reply = upload(client, data, admin_headers)
    assert reply.status_code == 422 and ".xlsx" in reply.json["error"]["details"][0]["why"]


def test_import_needs_an_admin_and_a_file(client, db, admin_headers):
    """Without a token the import is refused; without the file field it says which field is missing."""
    assert upload(client, checklist_to_xlsform(small_checklist()), {}).status_code == 401
    reply = client.post("/api/v1/admin/checklists/import", headers=admin_headers, data={"slug": "x"},
                        content_type="multipart/form-data")
    assert reply.status_code == 400 and reply.json["error"]["details"][0]["path"] == "file"
    reply = client.post("/api/v1/admin/checklists/import", headers=admin_headers, json={"file": "x"})
    assert reply.status_code == 415


def test_cli_loads_a_form_and_lists_the_rows_of_one_it_refuses(app, db, runner, tmp_path):
    """`flask load-xlsform` loads a checklist form, and for a foreign one prints each row's problem and exits 1."""
    good = tmp_path / "bike.xlsx"
    good.write_bytes(checklist_to_xlsform(small_checklist()))
    result = runner.invoke(args=["load-xlsform", str(good)])
    assert result.exit_code == 0 and "bike-audit: new version 1" in result.output
    bad = tmp_path / "odk.xlsx"
    bad.write_bytes(workbook([["type", "name", "label"], ["begin_group", "g", "G"], ["geopoint", "gps", "Where"],
                              ["select_one s14", "a", "A"], ["end_group", None, None]]))
    before = checklist_count(db)
    result = runner.invoke(args=["load-xlsform", str(bad)])
    assert result.exit_code == 1
    assert "survey row 3: geopoint:" in result.output and "Nothing was saved" in result.output
    assert checklist_count(db) == before


def test_a_form_that_breaks_the_checklist_contract_is_refused_by_the_same_checks(client, db, admin_headers):
    """An imported form goes through the checklist schema: a label off the scale is refused, nothing saved."""
    definition = small_checklist()
    load_checklist(definition)
    db.session.commit()
    survey = [["type", "name", "label"], ["begin_group", "t", "T"], ["select_one s14", "Bad Id", "A"],
              ["select_one s14", "a", None], ["end_group", None, None]]
    reply = upload(client, workbook(survey), admin_headers)
    assert reply.status_code == 422
    assert [p["row"] for p in reply.json["error"]["details"]] == [3, 4]
    assert json.dumps(reply.json).count("English") == 1
