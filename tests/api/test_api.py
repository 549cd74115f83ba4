"""test_api.py - the JSON API end to end: the real server on a loopback port with
a fresh demo database, driven over HTTP by users of three organisations, plus
every error status, the access matrix, idempotency, the audit trail, the
OpenAPI description against the registered routes, and a rebuild."""
import datetime
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import HEMGANG, TMP, Checks, Client, Server, fresh_db, is_pg, make_demo, make_pnr, pg_query  # noqa: E402

t = Checks("test_api")
db = fresh_db("api.db")
log = os.path.join(TMP, "api-server.log")
logins = make_demo(db, episodes=40)
by_role = {}
for l in logins:
    by_role.setdefault(l["role"], []).append(l)
for role in ("ward_staff", "primary_care", "municipal_assessor", "municipal_nurse", "analyst", "invoice_officer",
             "admin", "integration"):
    t.ok(role in by_role, f"demo has a {role} login")

srv = Server(db, log, ["--access-log"]).start()
port = srv.port


def client(login=None):
    c = Client(port)
    if login:
        status, _, _ = c.login(login["username"])
        t.eq(status, 200, f"login {login['username']}")
    return c


def me(c):
    status, body, _ = c.request("GET", "/api/v1/session")
    return body


now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
today = datetime.date.today()

# ---- health, unauthenticated ----
status, body, headers = Client(port).request("GET", "/healthz")
t.eq(status, 200, "healthz")
t.eq(body.get("demo"), True, "healthz says demo")
status, body, _ = Client(port).request("GET", "/api/v1/worklist")
t.eq(status, 401, "worklist without login is 401")
t.eq(body.get("code"), "unauthenticated", "401 problem code")
status, _, headers = Client(port).request("GET", "/api/v1/worklist")
t.ok(headers.get("Content-Type", "").startswith("application/problem+json"), "401 is problem+json")

# ---- the three parties of one episode ----
ward_login = by_role["ward_staff"][0]
ward = client(ward_login)
ward_me = me(ward)
ward_unit = ward_me["user"]["units"][0]

# A primary care user and a municipal assessor; the patient lives in the assessor's municipality.
pc_login = by_role["primary_care"][0]
mun_login = by_role["municipal_assessor"][0]
pc, mun = client(pc_login), client(mun_login)
pc_unit = me(pc)["user"]["units"][0]
mun_me = me(mun)
mun_unit = mun_me["user"]["units"][0]
municipality = mun_me["user"]["organisation"]
# A foreign organisation: an assessor of another municipality.
foreign_login = next(l for l in by_role["municipal_assessor"] if l["org"] != municipality)
foreign = client(foreign_login)

admit = {"occurred_at": iso(now - datetime.timedelta(hours=2)), "ward": ward_unit,
         "patient": {"personnummer": "19121212-1212", "name": "Tolvan Testsson",
                     "registered_municipality": municipality, "primary_care_unit": pc_unit,
                     "address": "Storgatan 1"}}
status, body, headers = ward.request("POST", "/api/v1/episodes", admit, headers={"Idempotency-Key": "adm-1"})
t.eq(status, 201, "admission creates an episode")
eid = body["episode_id"]
t.ok(headers.get("Location", "").endswith(f"/api/v1/episodes/{eid}"), "Location header")
status, again, _ = ward.request("POST", "/api/v1/episodes", admit, headers={"Idempotency-Key": "adm-1"})
t.eq(status, 200, "repeated idempotency key answers 200")
t.eq(again.get("episode_id"), eid, "repeated key returns the original episode")
t.eq(again.get("replayed"), True, "repeated key says replayed")

ev = lambda typ, **kw: dict({"type": typ, "occurred_at": iso(datetime.datetime.now(datetime.timezone.utc))}, **kw)  # noqa: E731
path = f"/api/v1/episodes/{eid}/events"
status, body, _ = ward.request("POST", path, ev("admission_notice", recipients=[{"unit": pc_unit}, {"unit": mun_unit}], reason="fall_injury",
                                                 expected_discharge_date=str(today + datetime.timedelta(days=5))))
t.eq(status, 201, "admission notice")
notice_seq = body.get("seq")

for who, c in (("primary care", pc), ("municipality", mun)):
    status, wl, _ = c.request("GET", "/api/v1/worklist")
    t.eq(status, 200, f"{who} worklist")
    t.ok(any(n["episode_id"] == eid and n["seq"] == notice_seq for n in wl["new_notices"]),
         f"{who} sees the new notice in the worklist")
    status, body, _ = c.request("POST", f"/api/v1/episodes/{eid}/acknowledgements", {"seq": notice_seq})
    t.eq(status, 201, f"{who} acknowledges")
    status, wl, _ = c.request("GET", "/api/v1/worklist")
    t.ok(not any(n["episode_id"] == eid and n["seq"] == notice_seq for n in wl["new_notices"]),
         f"{who}: acknowledged notice leaves the worklist")

status, body, _ = ward.request("POST", path, ev("ready_for_discharge"))
t.eq(status, 201, "ready for discharge")
status, wl, _ = ward.request("GET", "/api/v1/worklist")
row = next((r for r in wl.get("ready_waiting", []) if r["id"] == eid), None)
t.ok(row is not None, "the ready patient waits in the ward's worklist")

# The statutory rule on fixed dates, never recomputed from the clock: a patient of the same municipality admitted
# on Monday 3 March 2025 and ready on Wednesday the 5th waits in the worklist with liability from Saturday the 8th
# (3 calendar days); discharged on Wednesday the 12th, the episode page counts 7 ready-days and the 4 liable
# nights of 8-11 March (at stake: no SIP was called).
fixed = {"occurred_at": "2025-03-03T08:00:00Z", "ward": ward_unit,
         "patient": {"personnummer": make_pnr(7001), "name": "Fasta Datumsson", "registered_municipality": municipality,
                     "primary_care_unit": pc_unit, "address": "Storgatan 2"}}
status, body, _ = ward.request("POST", "/api/v1/episodes", fixed)
t.eq(status, 201, "fixed dates: admitted")
fixed_id = (body or {}).get("episode_id")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{fixed_id}/events",
                               {"type": "admission_notice", "occurred_at": "2025-03-03T10:00:00Z",
                                "recipients": [{"unit": pc_unit}, {"unit": mun_unit}], "reason": "fall_injury",
                                "expected_discharge_date": "2025-03-10"})
t.eq(status, 201, "fixed dates: admission notice")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{fixed_id}/events",
                               {"type": "ready_for_discharge", "occurred_at": "2025-03-05T09:00:00Z"})
t.eq(status, 201, "fixed dates: ready for discharge")
status, wl, _ = ward.request("GET", "/api/v1/worklist")
frow = next((r for r in (wl or {}).get("ready_waiting", []) if r["id"] == fixed_id), {})
t.eq((frow.get("ready_at"), frow.get("liability_from")), ("2025-03-05T09:00:00Z", "2025-03-08"),
     "fixed dates: liability starts after the statutory 3 calendar days")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{fixed_id}/events",
                               {"type": "discharged", "occurred_at": "2025-03-12T10:00:00Z", "destination": "own_home"})
t.eq(status, 201, "fixed dates: discharged")
status, body, _ = ward.request("GET", f"/api/v1/episodes/{fixed_id}")
liab = (body or {}).get("liability") or {}
t.eq((liab.get("ready_date"), liab.get("liable_from"), liab.get("ready_days"), liab.get("nights"), liab.get("billing")),
     ("2025-03-05", "2025-03-08", 7, 4, "no_sip_call"),
     "fixed dates: ready date, first liable night, ready-days, liable nights, and no SIP was called")
status, body, _ = pc.request("POST", path, ev("care_contact_appointed", name="Sara Sjöberg", title="distriktssköterska",
                                              phone="023-49 00 00"))
t.eq(status, 201, "care contact appointed by primary care")
meeting = iso(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
status, body, _ = pc.request("POST", path, ev("sip_called", meeting_at=meeting, place="home"))
t.eq(status, 201, "SIP called")
status, body, _ = mun.request("POST", path, ev("municipality_ready"))
t.eq(status, 201, "municipality ready to receive")
status, body, _ = ward.request("POST", path, ev("discharged", destination="own_home"))
t.eq(status, 201, "discharged")

for who, c in (("ward", ward), ("primary care", pc), ("municipality", mun)):
    status, body, headers = c.request("GET", f"/api/v1/episodes/{eid}")
    t.eq(status, 200, f"{who} reads the episode")
    if status == 200:
        types = [e["type"] for e in body["events"]]
        t.ok({"admitted", "admission_notice", "acknowledged", "ready_for_discharge", "care_contact_appointed",
              "sip_called", "discharged"} <= set(types), f"{who} sees the whole timeline")
        t.eq(body["episode"]["status"], "discharged", f"{who} sees status discharged")
        etag = headers.get("ETag")
        status2, _, _ = c.request("GET", f"/api/v1/episodes/{eid}", headers={"If-None-Match": etag})
        t.eq(status2, 304, f"{who}: conditional GET answers 304")

status, body, _ = foreign.request("GET", f"/api/v1/episodes/{eid}")
t.eq(status, 404, "a user of another municipality gets 404, not 403")
status, body, _ = foreign.request("POST", path, ev("deviation", category="other", against_org=municipality))
t.eq(status, 404, "foreign user cannot write either")
status, body, _ = foreign.request("GET", f"/api/v1/episodes?limit=1000")
t.ok(status == 200 and all(e["id"] != eid for e in body["episodes"]), "foreign list does not show the episode")

# ---- protected identity: the address stays with the authoring ward ----
secret = dict(admit, occurred_at=iso(now - datetime.timedelta(minutes=30)))
secret["patient"] = dict(admit["patient"], personnummer="19900602-2397", name="Skyddad Person",
                         address="Hemliga vägen 7", protected_identity=True)
status, body, _ = ward.request("POST", "/api/v1/episodes", secret)
t.eq(status, 201, "admission with protected identity")
sid = body["episode_id"]
status, _, _ = ward.request("POST", f"/api/v1/episodes/{sid}/events",
                            ev("admission_notice", recipients=[{"unit": pc_unit}, {"unit": mun_unit}], reason="other",
                               expected_discharge_date=str(today + datetime.timedelta(days=3))))
t.eq(status, 201, "notice for the protected patient")
status, body, _ = ward.request("GET", f"/api/v1/episodes/{sid}")
t.eq(body["episode"]["patient"].get("address"), "Hemliga vägen 7", "the authoring ward sees the address")
for who, c in (("primary care", pc), ("municipality", mun)):
    status, body, _ = c.request("GET", f"/api/v1/episodes/{sid}")
    t.eq(status, 200, f"{who} reads the protected episode")
    t.ok("Hemliga" not in json.dumps(body), f"{who} never gets the protected address, not even in the events")
    t.eq(body["episode"]["patient"].get("address_hidden"), True, f"{who} is told the address is hidden")

# ---- every error status ----
status, body, _ = ward.request("POST", path, raw=b"{not json")
t.eq(status, 400, "invalid JSON is 400")
t.ok(body and "line" in body, "400 names line and column")
status, body, _ = ward.request("POST", path, raw=b"hello", content_type="text/plain")
t.eq(status, 415, "text/plain is 415")
status, body, _ = ward.request("POST", path, raw=b"[" * 100 + b"]" * 100)
t.eq(status, 400, "too deep JSON is 400")
# An over-large body: announce 2 MiB and expect 413 before the body is sent.
import socket  # noqa: E402
with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nCookie: {ward.cookie}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {2 * 1024 * 1024}\r\n\r\n".encode())
    first = sock.recv(200).split(b"\r\n")[0]
t.eq(first.split(b" ")[1] if b" " in first else first, b"413", "an over-large body is 413")
status, body, _ = ward.request("GET", "/api/v1/episodes/999999")
t.eq(status, 404, "unknown episode is 404")
status, body, _ = ward.request("PUT", "/api/v1/episodes")
t.eq(status, 405, "wrong method is 405")
analyst = client(by_role["analyst"][0])
status, body, _ = analyst.request("GET", "/api/v1/episodes")
t.eq(status, 403, "an analyst may not list identifiable episodes")
status, body, _ = ward.request("POST", path, ev("ready_for_discharge"))
t.eq(status, 409, "an event after discharge is 409")
t.eq(body.get("code"), "after_discharge", "409 carries the rule's code")
# A second episode to provoke a field error (422).
admit2 = dict(admit, occurred_at=iso(now - datetime.timedelta(hours=1)))
admit2["patient"] = dict(admit["patient"], personnummer="19121212-1213")
status, body, _ = ward.request("POST", "/api/v1/episodes", admit2)
t.eq(status, 422, "an invalid personnummer is 422")
t.eq(body.get("field"), "patient.personnummer", "422 names the field")
admit2["patient"]["personnummer"] = "191212121212"
status, body, _ = ward.request("POST", "/api/v1/episodes", admit2)
t.eq(status, 201, "second episode")
eid2 = body["episode_id"]
status, body, _ = ward.request("POST", f"/api/v1/episodes/{eid2}/events",
                               ev("admission_notice", recipients=[{"unit": pc_unit}], expected_discharge_date="2001-01-01"))
t.eq(status, 422, "an expected date before admission is 422")
t.eq(body.get("field"), "expected_discharge_date", "the field is named")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{eid2}/events", ev("admission_notice", recipients=[{"unit": "NO-SUCH-UNIT"}],
                                                                               expected_discharge_date=str(today)))
t.eq(status, 422, "unknown recipient unit is 422")
t.eq(body.get("field"), "recipients[0].unit", "the recipient is named")
status, body, _ = pc.request("POST", f"/api/v1/episodes/{eid}/events", ev("discharged", destination="own_home"))
t.eq(status, 403, "primary care may not discharge")
key_reuse = {"Idempotency-Key": "reuse-1"}
status, _, _ = ward.request("POST", f"/api/v1/episodes/{eid2}/events", ev("deviation", category="other", against_org=municipality), headers=key_reuse)
t.eq(status, 201, "deviation with a key")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{eid2}/events", ev("expected_date_changed", expected_discharge_date=str(today)), headers=key_reuse)
t.eq(status, 409, "a key reused for another event type is 409")

# ---- search is audited with a reason ----
status, body, _ = ward.request("POST", "/api/v1/search", {"personnummer": "191212121212"})
t.eq(status, 422, "search without a reason is 422")
status, body, _ = ward.request("POST", "/api/v1/search", {"personnummer": "19121212-1212", "reason": "vårdplanering"})
t.eq(status, 200, "search with a reason")
t.ok(any(e["id"] == eid for e in body["episodes"]), "search finds the episode")

# ---- access matrix: every route for every role and a foreign organisation ----
routes = [("GET", "/api/v1/session", None), ("GET", "/api/v1/organisations", None), ("GET", "/api/v1/units", None),
          ("GET", f"/api/v1/units/{ward_unit}", None), ("GET", "/api/v1/episodes", None),
          ("GET", f"/api/v1/episodes/{eid}", None), ("GET", "/api/v1/worklist", None),
          ("POST", "/api/v1/search", {"personnummer": "19121212-1212", "reason": "test"}),
          ("GET", "/api/v1/users", None), ("GET", "/api/v1/audit?episode=1", None),
          ("POST", f"/api/v1/episodes/{eid2}/events", ev("deviation", category="other", against_org=municipality)),
          ("POST", f"/api/v1/episodes/{eid2}/acknowledgements", {"seq": 2}),
          ("POST", "/api/v1/episodes", admit2)]
# expected status per (route index) for: ward, primary care (party), assessor (party), nurse, analyst,
# invoice officer, admin, integration, foreign assessor, anonymous
P = {"ward": ward_login, "pc": pc_login, "mun": mun_login}
matrix = {
    "ward_staff": [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 201, 409, 201],
    "primary_care": [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 404, 404, 403],
    "municipal_assessor": [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 404, 404, 403],
    "municipal_nurse": [200, 200, 200, 200, 200, 404, 200, 200, 403, 403, 404, 404, 403],
    "analyst": [200, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403],
    "invoice_officer": [200, 200, 200, 200, 200, 404, 200, 200, 403, 403, 404, 404, 403],
    "admin": [200, 200, 200, 200, 403, 403, 403, 403, 200, 200, 403, 403, 403],
    "integration": [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 201, 409, 201],  # acts for the wards
    "foreign": [200, 200, 200, 200, 200, 404, 200, 200, 403, 403, 404, 404, 403],
    "anonymous": [401] * 13,
}
# the party users of the episode, one login per other role, a foreign assessor, nobody
nurse = next((l for l in by_role["municipal_nurse"] if l["org"] != municipality), by_role["municipal_nurse"][0])
who = {"ward_staff": ward_login, "primary_care": pc_login, "municipal_assessor": mun_login, "municipal_nurse": nurse,
       "analyst": by_role["analyst"][0], "invoice_officer": by_role["invoice_officer"][0], "admin": by_role["admin"][0],
       "integration": by_role["integration"][0], "foreign": foreign_login, "anonymous": None}
for name, expected in matrix.items():
    c = client(who[name]) if who[name] else Client(port)
    for i, (method, rpath, body) in enumerate(routes):
        if name in ("ward_staff", "integration") and rpath == "/api/v1/episodes":
            body = dict(admit2, occurred_at=iso(datetime.datetime.now(datetime.timezone.utc)))
            # another patient each time: one patient has one open episode
            body["patient"] = dict(admit2["patient"], personnummer=make_pnr(4000 + len(name)))
        status, _, _ = c.request(method, rpath, body)
        t.eq(status, expected[i], f"access {name} {method} {rpath}")

# ---- audit: every read and write of patient data ----
out = subprocess.run([HEMGANG, "audit", "--db", db, "--episode", str(eid)], capture_output=True, text=True, timeout=60)
t.eq(out.returncode, 0, "hemgang audit runs")
t.ok(ward_login["username"] in out.stdout and pc_login["username"] in out.stdout and mun_login["username"] in out.stdout,
     "audit lists the three users of the episode")
t.ok("episode.read" in out.stdout and "event.append" in out.stdout, "audit has reads and writes")
out = subprocess.run([HEMGANG, "audit", "--db", db, "--user", ward_login["username"]], capture_output=True, text=True, timeout=60)
t.ok("search.pnr" in out.stdout and "vårdplanering" in out.stdout, "the search is audited with its reason")

# ---- integrations use bearer tokens ----
token = subprocess.run([HEMGANG, "user", "--db", db, "token", by_role["integration"][0]["username"], "test"],
                       capture_output=True, text=True, timeout=60).stdout.strip()
bearer = Client(port)
bearer.token = token
status, body, _ = bearer.request("GET", "/api/v1/session")
t.eq(status, 200, "a bearer token authenticates")
t.eq((body or {}).get("user", {}).get("role"), "integration", "as the integration user")
bearer.token = token[:-1] + ("A" if token[-1] != "A" else "B")
t.eq(bearer.request("GET", "/api/v1/session")[0], 401, "a wrong token is 401")
bearer.token = "not-a-token"
t.eq(bearer.request("GET", "/api/v1/session")[0], 401, "a malformed token is 401")
status, _, _ = ward.request("DELETE", "/api/v1/session")
t.eq(status, 200, "logout")
t.eq(ward.request("GET", "/api/v1/session")[0], 401, "the session ends with logout")

# ---- metrics ----
status, _, headers = Client(port).request("GET", "/metrics")
t.eq(status, 200, "metrics")

# ---- OpenAPI describes exactly the registered routes ----
status, spec, _ = Client(port).request("GET", "/api/openapi.json")
t.eq(status, 200, "openapi.json is served")
out = subprocess.run([HEMGANG, "routes"], capture_output=True, text=True, timeout=30)
registered = set(tuple(l.split("\t")) for l in out.stdout.splitlines() if l)
described = set()
for p, ops in (spec or {}).get("paths", {}).items():
    for m in ops:
        if m in ("get", "post", "put", "patch", "delete"):
            described.add((m.upper(), p))
t.ok(len(registered) > 10, "hemgang routes lists the routes")
t.eq(sorted(registered - described), [], "every registered route is described in OpenAPI")
t.eq(sorted(described - registered), [], "OpenAPI describes no route the server lacks")

# ---- login rate limiting, per account and per address (last: it locks accounts out) ----
bad = Client(port)
codes = [bad.login(foreign_login["username"], "wrong")[0] for _ in range(6)]
t.eq(codes[:5], [401] * 5, "five bad passwords are 401")
t.eq(codes[5], 429, "the sixth attempt on one account is rate limited (429)")
t.eq(bad.login(foreign_login["username"])[0], 429, "even the right password waits out the lock")
codes = [bad.login(f"nosuchuser{i}", "wrong")[0] for i in range(20)]
t.ok(429 in codes, "many failures from one address are rate limited too")
t.eq(Client(port).login(ward_login["username"])[0], 429, "the address lock applies to every account")

srv.stop()
with open(log) as f:
    text = f.read()
t.ok("19121212" not in text and "1212-1212" not in text, "the server log holds no personnummer")

# ---- rebuild yields identical projections ----
def dump():
    if is_pg(db):  # the same rows from PostgreSQL (tests/pg/pg.sh), as text
        cols = {t: [r[0] for r in pg_query(db, "SELECT column_name FROM information_schema.columns WHERE table_name = "
                                               f"'{t}' AND column_name <> 'updated_at' ORDER BY ordinal_position")]
                for t in ("episode_projection", "episode_parties", "pending_acks")}
        return [(t,) + r for t, order in (("episode_projection", "episode_id"), ("episode_parties", "episode_id, unit_id"),
                                          ("pending_acks", "episode_id, seq, unit_id"))
                for r in pg_query(db, f"SELECT {', '.join(cols[t])} FROM {t} ORDER BY {order}")]
    con = sqlite3.connect(db)
    rows = []
    for table, order in (("episode_projection", "episode_id"), ("episode_parties", "episode_id, unit_id"),
                         ("pending_acks", "episode_id, seq, unit_id")):
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] != "updated_at"]
        rows += [(table,) + r for r in con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}")]
    con.close()
    return rows

before = dump()
out = subprocess.run([HEMGANG, "rebuild", "--db", db], capture_output=True, text=True, timeout=120)
t.eq(out.returncode, 0, "rebuild runs")
after = dump()
t.ok(len(before) > 100, "projections are populated")
t.ok(before == after, "rebuild yields identical projections")
t.finish()
