"""test_meta.py - the rules the web UI shows its forms by (GET /api/v1/rules, issue 17.6), served from the
core's tables, against the real server on a fresh demo database: each role's event types are exactly those the
server then accepts or refuses with role_forbidden, and each type's author kinds, notice and after-discharge
flags are the core's. And every answer the web UI reads has the shape of the docs/openapi.json schema its
TypeScript types are generated from (issue 17.6)."""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402
from openapi_shape import faults  # noqa: E402

t = Checks("test_meta")
db = fresh_db("meta.db")
make_demo(db, episodes=20)
srv = Server(db, os.path.join(TMP, "meta-server.log")).start()

anon = Client(srv.port)
status, body, _ = anon.request("GET", "/api/v1/rules")
t.eq(status, 401, "the rules need a login")

ward = Client(srv.port)
t.eq(ward.login("avd12")[0], 200, "login avd12")
status, rules, headers = ward.request("GET", "/api/v1/rules")
t.eq(status, 200, "rules")
roles, types = rules.get("roles", {}), rules.get("event_types", {})
t.eq(sorted(roles), sorted(["ward_staff", "primary_care", "municipal_assessor", "municipal_nurse", "analyst",
                            "invoice_officer", "admin", "integration", "municipal_ifo"]), "every role (IFO: issue 14.7)")
t.ok("municipal_decision" in roles["municipal_ifo"] and "legal_form_set" in roles["ward_staff"],
     "the care process steps are in the rules (issue 14)")
t.eq((types["discharged"]["notice"], types["care_plan_established"]["after_discharge"]), (True, False),
     "the discharge is a notice; the samordnad vårdplan is established before the patient leaves")
t.ok("admission_notice" in roles["ward_staff"] and "care_contact_appointed" not in roles["ward_staff"],
     "a ward sends the admission notice, never appoints the care contact")
t.ok("care_contact_appointed" in roles["primary_care"] and "admission_notice" not in roles["primary_care"],
     "primary care appoints the care contact, never sends the admission notice")
t.ok("sip_called" in roles["municipal_assessor"], "a municipality may call the SIP (issue 14.2)")
t.eq((roles["analyst"], roles["admin"], roles["invoice_officer"]), ([], [], []), "roles that send no events")
t.eq(set(roles["integration"]), set(roles["ward_staff"]) | set(roles["primary_care"]) |
     set(roles["municipal_assessor"]), "a records system acts for its units")
t.eq(types["admission_notice"]["author_kinds"], ["ward"], "a ward authors the admission notice")
t.eq(types["care_contact_appointed"]["author_kinds"], ["primary_care", "specialist_outpatient"],
     "outpatient care appoints the care contact")
t.eq((types["admission_notice"]["notice"], types["ready_for_discharge"]["notice"], types["deviation"]["notice"]),
     (True, True, False), "notices")
t.eq((types["discharged"]["after_discharge"], types["acknowledged"]["after_discharge"]), (False, True),
     "what is allowed after the discharge")
t.eq((types["municipality_ready"]["needs_party"], types["admission_notice"]["needs_party"]), (True, False),
     "what needs the author to be a party")
t.eq(types["admission_notice"]["sv"], "inskrivningsmeddelande", "Swedish names")

# The list is what the server enforces: a type outside the ward's list is refused by role.
status, eps, _ = ward.request("GET", "/api/v1/episodes")
episode = next((e["id"] for e in eps.get("episodes", []) if e.get("status") in ("admitted", "ready")), None)
t.ok(episode is not None, "an admitted episode to try")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{episode}/events",
                               {"type": "care_contact_appointed", "name": "Sara Svensson",
                                "occurred_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
t.eq((status, body.get("code")), (403, "role_forbidden"), "the server refuses what the rules leave out")

# ---- every answer the web UI reads has the shape of its schema in docs/openapi.json ----
# The UI's TypeScript types are generated from those schemas (web/build.sh), so an answer that breaks its schema
# is a page reading a member that is not there.
spec = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.json")))


def shape(client, method, path, schema, body=None):
    status, answer, _ = client.request(method, path, body)
    t.ok(status in (200, 201), f"{method} {path}: {status}")
    bad = faults(spec, {"$ref": "#/components/schemas/" + schema}, answer)
    t.eq(bad[:5], [], f"{method} {path} is a {schema}")
    return answer if isinstance(answer, dict) else {}


def client(username):
    c = Client(srv.port)
    t.eq(c.login(username)[0], 200, f"login {username}")
    return c


t.ok(faults(spec, {"$ref": "#/components/schemas/Rules"}, {"roles": {}}) == ["$.event_types: missing"] and
     faults(spec, {"$ref": "#/components/schemas/Liability"}, {"ready_days": "3"})[0].startswith("$.agreement"),
     "the shape check finds a missing member and a wrong type")
for path, schema in (("/api/v1/session", "Session"), ("/api/v1/units", "Units"), ("/api/v1/organisations",
                     "Organisations"), ("/api/v1/rules", "Rules"), ("/api/v1/worklist", "Worklist")):
    shape(ward, "GET", path, schema)
listed = shape(ward, "GET", "/api/v1/episodes?limit=100", "EpisodePage").get("episodes", [])
for e in listed:
    shape(ward, "GET", f"/api/v1/episodes/{e['id']}", "EpisodeView")
if listed:
    shape(ward, "POST", "/api/v1/search", "EpisodeList", {"personnummer": listed[0]["patient"]["personnummer"],
                                                          "reason": "test_meta"})
gone = [(ward, e["id"]) for e in listed if e["status"] == "discharged"]
for username in ("bist-falun", "ssk-falun", "vc-falun"):
    c = client(username)
    notices = shape(c, "GET", "/api/v1/worklist", "Worklist").get("new_notices", [])[:2]
    for e in shape(c, "GET", "/api/v1/episodes?limit=20", "EpisodePage").get("episodes", []):
        shape(c, "GET", f"/api/v1/episodes/{e['id']}", "EpisodeView")
        if e["status"] == "discharged":
            gone.append((c, e["id"]))
    if notices:
        shape(c, "POST", "/api/v1/acknowledgements", "BulkAckResult",
              {"items": [{"episode_id": n["episode_id"], "seq": n["seq"]} for n in notices]})
t.ok(gone, "a discharged patient for a survey link")
if gone:
    link = shape(gone[0][0], "POST", f"/api/v1/episodes/{gone[0][1]}/survey-invitations", "SurveyInvitation", {})
    shape(Client(srv.port), "GET", f"/api/v1/survey/{link.get('token')}", "SurveyForm")

analyst = client("analytiker")
today = datetime.date.today()
first = (today.replace(day=1) - datetime.timedelta(days=330)).replace(day=1)
shape(analyst, "GET", "/api/v1/indicators/catalogue", "Catalogue")
for q in ("by=month&measures=brief", "by=municipality,month&measures=ready_days,ready_days_mean,ready_nights",
          "by=track&measures=survey_answers"):
    shape(analyst, "GET", f"/api/v1/indicators?from={first}&to={today}&{q}", "IndicatorTable")
shape(analyst, "GET", "/api/v1/point-measurements/current", "PointMeasurement")
saved = shape(analyst, "POST", "/api/v1/point-measurements", "PointMeasurement", {"label": "test_meta"})
shape(analyst, "GET", "/api/v1/point-measurements", "PointMeasurementList")
shape(analyst, "GET", f"/api/v1/point-measurements/{saved.get('id')}", "PointMeasurement")
shape(analyst, "GET", f"/api/v1/forecast?from={today + datetime.timedelta(days=1)}&to={today + datetime.timedelta(days=28)}",
      "Forecast")
shape(analyst, "POST", "/api/v1/whatif", "WhatIf", {"from": str(first), "to": str(today.replace(day=1)),
                                                    "agreements": [{"id": "statutory"}]})

officer = client("faktura-region")
for a in shape(officer, "GET", "/api/v1/agreements", "AgreementList").get("agreements", [])[:3]:
    shape(officer, "GET", f"/api/v1/agreements/{a['id']}?version={a['version']}", "AgreementAnswer")
month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
shape(officer, "POST", "/api/v1/invoices", "InvoiceList", {"month": month, "preview": True})
shape(officer, "POST", "/api/v1/invoices", "InvoiceList", {"month": month})
invoices = shape(officer, "GET", "/api/v1/invoices", "InvoiceList").get("invoices", [])
t.ok(invoices, "invoices built")
for inv in invoices[:4]:
    shape(officer, "GET", f"/api/v1/invoices/{inv['id']}", "Invoice")
    shape(officer, "GET", f"/api/v1/invoices/{inv['id']}/review", "InvoiceReview")

srv.stop()
t.finish()
