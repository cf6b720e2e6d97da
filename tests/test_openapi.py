"""The API description is generated from the routes and what each view declares, so it cannot drift."""
import pytest

from server.api.declare import declare, operation_of
from server.api.docs import PREFIX, api_routes, build_spec


def test_every_api_route_declares_its_operation(app):
    """Each route and method under /api/v1 is in the document, because each view declares its operation."""
    undeclared = sorted(f"{method.upper()} {rule.rule}" for rule, method, view in api_routes(app)
                        if operation_of(view) is None)
    assert undeclared == []
    paths = build_spec(app)["paths"]
    served = {(rule.rule.removeprefix(PREFIX).replace("<int:", "{").replace("<", "{").replace(">", "}"), method)
              for rule, method, _ in api_routes(app)}
    described = {(path, method) for path, operations in paths.items() for method in operations}
    assert described == served


def test_an_undeclared_route_stops_the_document(app):
    """A new route without a declaration cannot be served undocumented: building the document names it."""
    app.add_url_rule(f"{PREFIX}/undeclared", "undeclared", lambda: "")
    with pytest.raises(LookupError, match="/undeclared"):
        build_spec(app)


def test_the_summary_is_the_views_docstring():
    """What a client reads as an operation's summary is the first line of the view's docstring."""
    @declare()
    def view():
        """Say hello.

        At length."""
    assert (operation_of(view).summary, operation_of(view).description) == ("Say hello.", "At length.")


def test_guarded_views_document_the_bearer_token_and_walk_key_views_the_key(client):
    """Admin operations say they need the token and which role; the sync and media say they need the walk key."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    report = paths["/report"]["get"]
    assert report["security"] == [{"bearer": []}] and "admin" in report["description"]
    assert {"401", "403"} <= set(report["responses"])
    assert paths["/walks/{slug}/sync"]["post"]["security"] == [{"walkKey": []}]
    assert paths["/walks/{slug}/media/{sha256}"]["head"]["security"] == [{"walkKey": []}]
    assert "security" not in paths["/walks"]["get"]


def test_query_arguments_are_described_from_the_schema_the_view_parses(client, seeded, admin_headers):
    """A QR code's scale is documented with the range the server enforces, and a value outside it is refused."""
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/admin/walks/{slug}/qr.png"]["get"]
    scale = next(p for p in operation["parameters"] if p["name"] == "scale")
    assert scale["in"] == "query" and scale["schema"]["type"] == "integer"
    low, high = scale["schema"]["minimum"], scale["schema"]["maximum"]
    url = "/api/v1/admin/walks/prague-7/qr.png?scale="
    assert client.get(f"{url}{high}", headers=admin_headers).status_code == 200
    refused = client.get(f"{url}{high + 1}", headers=admin_headers)
    assert refused.status_code == 400 and "'scale'" in refused.get_json()["error"]["message"]
    assert client.get(f"{url}{low - 1}", headers=admin_headers).status_code == 400
    assert client.get(f"{url}1_0", headers=admin_headers).status_code == 400  # int() reads it; no client should


def test_sync_request_and_reply_are_the_shared_json_schemas(client):
    """The sync body and reply in the document are the walker app's JSON Schemas, not a second statement of them."""
    import json

    from server.answer_rules import SHARED_SCHEMA_DIR
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    sync = spec["paths"]["/walks/{slug}/sync"]["post"]
    assert sync["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SyncRequest"}
    assert sync["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SyncReply"}
    shared = json.loads((SHARED_SCHEMA_DIR / "sync-request.schema.json").read_text(encoding="utf-8"))
    assert schemas["SyncRequest.answer"]["properties"]["comment"] == shared["$defs"]["answer"]["properties"]["comment"]
    assert schemas["SyncRequest"]["properties"]["responses"]["items"] == {
        "$ref": "#/components/schemas/SyncRequest.response"}
    assert spec["openapi"] == "3.1.0"
