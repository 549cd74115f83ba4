"""test_meta.py - the rules the web UI shows its forms by (GET /api/v1/rules, issue 17.6), served from the
core's tables, against the real server on a fresh demo database: each role's event types are exactly those the
server then accepts or refuses with role_forbidden, and each type's author kinds, notice and after-discharge
flags are the core's."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402

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

srv.stop()
t.finish()
