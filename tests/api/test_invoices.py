"""test_invoices.py - agreements and invoice bases over HTTP: the real server on a
loopback port with a demo region (`hemgang demo --now 2024-06-15`), driven by
the region's and two municipalities' invoice officers and by users who may not
touch invoices. Covers the access matrix, building (preview, saved, rebuilt),
the issue's JSON shape, the audit records per episode, the whole dispute flow
with the right roles only and every refusal, the review, and the exports."""
import csv
import http.client
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, db_rows, fresh_db, make_demo  # noqa: E402

t = Checks("test_invoices")
db = fresh_db("invoices.db")
log = os.path.join(TMP, "invoices-server.log")
logins = {l["username"]: l for l in make_demo(db, episodes=500, now="2024-06-15")}
for name in ("faktura-region", "faktura-falun", "faktura-borlange", "avd12", "analytiker"):
    t.ok(name in logins, f"demo has the login {name}")

srv = Server(db, log).start()
port = srv.port


def client(name=None):
    c = Client(port)
    if name:
        t.eq(c.login(name)[0], 200, f"login {name}")
    return c


def raw_get(c, path):
    """GET returning (status, content type, bytes) for the exports."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": c.cookie})
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type", ""), r.read()
    finally:
        conn.close()


region, falun, borlange = client("faktura-region"), client("faktura-falun"), client("faktura-borlange")
ward, analyst, anonymous = client("avd12"), client("analytiker"), Client(port)

# ---- agreements: every logged-in user reads them ----
status, body, _ = ward.request("GET", "/api/v1/agreements")
t.eq(status, 200, "agreements list")
ids = [a["id"] for a in (body or {}).get("agreements", [])]
t.ok("statutory" in ids, "the statutory default is listed")
status, body, _ = ward.request("GET", "/api/v1/agreements/statutory")
t.eq(status, 200, "one agreement")
t.eq((body or {}).get("document", {}).get("format"), "hemgang-agreement/1", "the agreement's file")
t.eq((body or {}).get("agreement", {}).get("latest"), True, "the latest version")
t.eq(ward.request("GET", "/api/v1/agreements/statutory?version=2")[0], 200, "a version (2: the test amounts make_demo imports)")
t.eq(ward.request("GET", "/api/v1/agreements/statutory?version=x")[0], 400, "a bad version")
t.eq(ward.request("GET", "/api/v1/agreements/nope")[0], 404, "an unknown agreement")
t.eq(anonymous.request("GET", "/api/v1/agreements")[0], 401, "agreements need a login")

# ---- who may touch invoices ----
t.eq(anonymous.request("GET", "/api/v1/invoices")[0], 401, "invoices need a login")
for name, c in (("ward staff", ward), ("analyst", analyst)):
    status, body, _ = c.request("GET", "/api/v1/invoices")
    t.eq(status, 403, f"{name} may not list invoices")
    t.eq((body or {}).get("code"), "role_forbidden", f"{name}: problem code")
    t.eq(c.request("POST", "/api/v1/invoices", {"month": "2024-05"})[0], 403, f"{name} may not build")
status, body, _ = falun.request("POST", "/api/v1/invoices", {"month": "2024-05"})
t.eq(status, 403, "a municipality does not build invoices")
t.eq((body or {}).get("code"), "wrong_party", "wrong_party")

# ---- bad build requests ----
for label, req, field in (("no month", {}, "month"), ("bad month", {"month": "2024-13"}, "month"),
                          ("unknown field", {"month": "2024-05", "total": 1}, "total"),
                          ("bad municipality", {"month": "2024-05", "municipality": "20"}, "municipality"),
                          ("future cut-off", {"month": "2024-05", "cutoff": "2999-01-01T00:00:00Z"}, "cutoff"),
                          ("bad cut-off", {"month": "2024-05", "cutoff": "yesterday"}, "cutoff"),
                          ("bad preview", {"month": "2024-05", "preview": "yes"}, "preview")):
    status, body, _ = region.request("POST", "/api/v1/invoices", req)
    t.eq(status, 400, f"build: {label} is 400")
    t.eq((body or {}).get("field"), field, f"build: {label} names the field")
status, _, _ = region.request("POST", "/api/v1/invoices", {"month": "2024-05", "municipality": "0180"})
t.eq(status, 404, "a municipality outside the region is 404")

# ---- a preview saves nothing; pick the month with the most Falun lines ----
best, best_lines = None, -1
for month in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"):
    status, body, _ = region.request("POST", "/api/v1/invoices",
                                     {"month": month, "municipality": "2080", "cutoff": "2024-06-14T00:00:00Z",
                                      "preview": True})
    t.eq(status, 200, f"preview {month}")
    inv = (body or {}).get("invoices", [{}])[0]
    t.eq(inv.get("state"), "preview", f"preview {month}: state")
    if len(inv.get("lines", [])) > best_lines:
        best, best_lines = month, len(inv.get("lines", []))
# The demo is fixed by --now 2024-06-15 (and its default seed): April has Falun's most lines, two.
t.eq((best, best_lines), ("2024-04", 2), "the month with the most liable stays in Falun")
t.eq(region.request("GET", "/api/v1/invoices")[1].get("invoices"), [], "previews are not saved")

# ---- build the month ----
status, body, headers = region.request("POST", "/api/v1/invoices", {"month": best, "cutoff": "2024-06-14T00:00:00Z"})
t.eq(status, 201, "build")
invoices = (body or {}).get("invoices", [])
# April 2024 of the demo: one invoice per municipality with liable nights, each line exactly as the statutory
# rule gives it (3 calendar days of grace, 9 300 kr a night of 2024 from agreements/demo-amounts.json).
t.eq(sorted((i["municipality"], len(i["lines"]), i["total_ore"], len(i["exclusions"])) for i in invoices),
     [("2023", 1, 3720000, 0), ("2026", 1, 930000, 0), ("2029", 1, 14880000, 0), ("2062", 1, 10230000, 0),
      ("2080", 2, 11160000, 0), ("2081", 2, 10230000, 0), ("2084", 2, 5580000, 0)],
     "the month's invoices: municipality, lines, total, exclusions")
inv = next((i for i in invoices if i["municipality"] == "2080"), {})
t.ok(bool(inv), "Falun's invoice")
for key in ("municipality", "month", "agreement", "lines", "total_ore", "id", "cutoff", "exclusions", "state"):
    t.ok(key in inv, f"invoice has '{key}'")
t.eq(inv.get("state"), "draft", "a new invoice is a draft")
t.eq(inv.get("status"), "created", "status created")
t.eq((inv.get("month"), inv.get("agreement"), inv.get("total_ore")), ("2024-04", "statutory", 11160000),
     "Falun's month, agreement and total")
# ready 1 April, grace to the 4th, out on the 11th: the nights of 4-10 April; ready the 13th, out the 21st: 16-20.
t.eq([(l.get("episode"), l.get("ready_date"), l.get("grace_end"), l.get("discharge_date"), l.get("first_night"),
       l.get("last_night"), l.get("nights"), l.get("amount_ore")) for l in inv.get("lines", [])],
     [(37, "2024-04-01", "2024-04-04", "2024-04-11", "2024-04-04", "2024-04-10", 7, 6510000),
      (474, "2024-04-13", "2024-04-16", "2024-04-21", "2024-04-16", "2024-04-20", 5, 4650000)],
     "Falun's lines: episode, ready, grace end, discharge, first and last liable night, nights, amount")
t.eq(inv.get("exclusions"), [], "Falun has no excluded stay in April")
# An excluded stay: Leksand's May has one, with its reason and the nights not billed.
status, body, _ = region.request("POST", "/api/v1/invoices", {"month": "2024-05", "municipality": "2029",
                                                               "cutoff": "2024-06-14T00:00:00Z", "preview": True})
excl = ((body or {}).get("invoices") or [{}])[0].get("exclusions", [])
t.eq([(e.get("episode"), e.get("reason"), e.get("ready_date"), e.get("discharge_date"), e.get("unbilled_nights"),
       e.get("unbilled_ore")) for e in excl], [(22, "no_sip_call", "2024-05-17", "2024-05-22", 2, 1860000)],
     "an excluded stay names its reason and the nights it leaves unbilled")
inv_id = inv.get("id")
episodes = [l["episode"] for l in inv.get("lines", [])] + [e["episode"] for e in inv.get("exclusions", [])]

# every episode of the built invoices was audited as read by the region's officer
audited = {int(r[0]) for r in db_rows(db, "SELECT episode_id FROM audit_log WHERE action = 'invoice.read' AND "
                                          "username = 'faktura-region'")}
t.ok(set(episodes) <= audited, "building audits every episode it shows")

status, again, _ = region.request("POST", "/api/v1/invoices", {"month": best, "cutoff": "2024-06-14T00:00:00Z"})
t.eq(next((i["status"] for i in again["invoices"] if i["municipality"] == "2080"), None), "unchanged",
     "the same build again changes nothing")

# ---- visibility ----
t.eq(falun.request("GET", "/api/v1/invoices")[1].get("invoices"), [], "a draft is not shown to the municipality")
t.eq(falun.request("GET", f"/api/v1/invoices/{inv_id}")[0], 404, "a draft is 404 for the municipality")
t.eq(falun.request("GET", f"/api/v1/episodes/{episodes[0]}")[0], 404,
     "a draft's line does not lead the municipality's officer to its episode")
t.eq(region.request("GET", f"/api/v1/episodes/{episodes[0]}")[0], 200, "the region's officer follows its draft's line")
status, body, _ = region.request("GET", f"/api/v1/invoices/{inv_id}")
t.eq(status, 200, "the region reads its draft")
t.eq(region.request("GET", "/api/v1/invoices/999999")[0], 404, "unknown invoice")
t.eq(region.request("GET", "/api/v1/invoices/x")[0], 404, "bad invoice id")
t.eq(region.request("GET", "/api/v1/invoices?month=2024-99")[0], 400, "bad month filter")
t.eq(region.request("GET", "/api/v1/invoices?state=paid")[0], 400, "bad state filter")

# ---- the workflow, with the right roles only ----
path = f"/api/v1/invoices/{inv_id}"
status, body, _ = falun.request("POST", path + "/send", {})
t.eq(status, 404, "the municipality cannot even see the draft to send it")
status, body, _ = region.request("POST", path + "/dispute", {"reason": "x"})
t.eq(status, 409, "a draft cannot be disputed")
key = {"Idempotency-Key": f"send-{inv_id}"}
status, body, _ = region.request("POST", path + "/send", {"reason": "Månadens underlag"}, headers=key)
t.eq(status, 200, "the region sends")
t.eq((body or {}).get("state"), "sent", "sent")
steps_after_send = len((body or {}).get("steps", []))
status, body, _ = region.request("POST", path + "/send", {"reason": "Månadens underlag"}, headers=key)
t.eq((status, (body or {}).get("state")), (200, "sent"), "the same send again with its key (a lost answer) is 200")
t.eq(len((body or {}).get("steps", [])), steps_after_send, "and records no second step")
status, body, _ = region.request("POST", path + "/decision", {"outcome": "upheld", "reason": "x"}, headers=key)
t.eq((status, (body or {}).get("code"), (body or {}).get("field")), (409, "idempotency_key_reused", "Idempotency-Key"),
     "the key of another step is refused")
status, body, _ = region.request("POST", path + "/send", {})
t.eq((status, (body or {}).get("code")), (409, "wrong_state"), "sending twice without a key is 409 wrong_state")
status, body, _ = region.request("POST", path + "/send", {"color": "red"})
t.eq(status, 400, "an unknown member is 400")

status, body, _ = falun.request("GET", "/api/v1/invoices")
t.eq([i["id"] for i in (body or {}).get("invoices", []) if i["id"] == inv_id], [inv_id],
     "the municipality lists its sent invoice")
status, body, _ = falun.request("GET", path)
t.eq(status, 200, "the municipality reads its sent invoice")
t.eq(len((body or {}).get("lines", [])), len(inv.get("lines", [])), "with its lines")
t.eq(borlange.request("GET", path)[0], 404, "another municipality does not see it")
t.eq(borlange.request("POST", path + "/dispute", {"reason": "x"})[0], 404, "nor dispute it")

status, body, _ = region.request("POST", path + "/dispute", {"reason": "x"})
t.eq((status, (body or {}).get("code")), (403, "wrong_party"), "the region does not dispute its own invoice")
status, body, _ = falun.request("POST", path + "/dispute", {})
t.eq((status, (body or {}).get("code")), (422, "reason_required"), "a dispute needs a reason")
t.eq((body or {}).get("field"), "reason", "the refusal names the field")
status, body, _ = falun.request("POST", path + "/dispute", {"reason": "x", "lines": [0]})
t.eq(status, 400, "a bad line id is 400")
status, body, _ = falun.request("POST", path + "/dispute", {"reason": "x", "lines": [987654]})
t.eq((status, (body or {}).get("code")), (422, "unknown_line"), "a line not on the invoice")
first = inv["lines"][0]
status, body, _ = falun.request("POST", path + "/dispute",
                                {"reason": "Patienten var inte utskrivningsklar hela perioden", "lines": [first["episode"]]})
t.eq(status, 200, "the municipality disputes one line")
t.eq((body or {}).get("state"), "disputed", "disputed")

status, body, _ = falun.request("POST", path + "/decision", {"outcome": "upheld", "reason": "x"})
t.eq((status, (body or {}).get("code")), (403, "wrong_party"), "the municipality does not decide")
status, body, _ = region.request("POST", path + "/decision", {"reason": "x"})
t.eq((status, (body or {}).get("code")), (422, "outcome_required"), "a decision needs an outcome")
status, body, _ = region.request("POST", path + "/decision", {"outcome": "maybe", "reason": "x"})
t.eq(status, 400, "an unknown outcome is 400")
status, body, _ = region.request("POST", path + "/decision", {"outcome": "adjusted", "reason": "x"})
t.eq((status, (body or {}).get("code")), (422, "adjustments_required"), "adjusted needs amounts")
status, body, _ = region.request("POST", path + "/decision", {"outcome": "adjusted", "reason": "x",
                                                              "adjustments": [{"episode": first["episode"],
                                                                               "amount_ore": first["amount_ore"] + 1}]})
t.eq((status, (body or {}).get("code")), (422, "bad_amount"), "an adjusted amount above the line")
if len(inv["lines"]) > 1:
    other = inv["lines"][1]
    status, body, _ = region.request("POST", path + "/decision", {
        "outcome": "adjusted", "reason": "x", "adjustments": [{"episode": other["episode"], "amount_ore": 0}]})
    t.eq((status, (body or {}).get("code")), (422, "line_not_disputed"), "only disputed lines are adjusted")
status, body, _ = region.request("POST", path + "/decision", {
    "outcome": "adjusted", "reason": "Ett dygn avräknas",
    "adjustments": [{"episode": first["episode"], "amount_ore": first["amount_ore"] - first["amount_ore"] // first["nights"]}]})
t.eq(status, 200, "the region decides: adjusted")
t.eq((body or {}).get("state"), "decided", "decided")
t.eq((body or {}).get("outcome"), "adjusted", "outcome adjusted")
t.eq((body or {}).get("owed_ore"), inv["total_ore"] - first["amount_ore"] // first["nights"], "owed = total less one night")
t.eq((body or {}).get("total_ore"), inv["total_ore"], "the basis itself is unchanged")
steps = (body or {}).get("steps", [])
t.eq([(s["action"], s["username"], s["state"]) for s in steps],
     [("build", "faktura-region", "draft"), ("send", "faktura-region", "sent"),
      ("dispute", "faktura-falun", "disputed"), ("decide", "faktura-region", "decided")], "the whole trail")
t.eq([s["org"] for s in steps[1:]], ["R20", "2080", "R20"], "each step names the organisation")
t.ok(all(s["at"] for s in steps), "each step has its time")
t.eq(steps[2]["reason"], "Patienten var inte utskrivningsklar hela perioden", "the dispute's reason is kept")
t.eq(steps[2]["detail"], {"lines": [first["episode"]]}, "the disputed line is kept")
t.eq(steps[3]["detail"]["adjustments"][0]["before_ore"], first["amount_ore"], "the adjustment keeps the amount before")
status, body, _ = region.request("POST", path + "/decision", {"outcome": "upheld", "reason": "x"})
t.eq((status, (body or {}).get("code")), (409, "wrong_state"), "a decided invoice is final")

# ---- review and rebuild ----
status, body, _ = falun.request("GET", path + "/review")
t.eq(status, 200, "review")
t.eq((body or {}).get("reproducible"), True, "the invoice is reproducible from its cut-off")
t.eq((body or {}).get("mismatches"), [], "no mismatch")
status, body, _ = region.request("POST", "/api/v1/invoices", {"month": best, "municipality": "2080"})
t.eq(status, 201, "build as of now")
kept = (body or {}).get("invoices", [{}])[0]
t.eq((kept.get("id"), kept.get("status"), kept.get("state")), (inv_id, "kept", "decided"),
     "a decided invoice is kept, not rebuilt")
t.ok(isinstance(kept.get("differences"), list), "its differences are listed for review")

# ---- exports ----
status, ctype, data = raw_get(falun, path + "/export?format=csv")
t.eq(status, 200, "csv export")
t.ok(ctype.startswith("text/csv"), "csv content type")
rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
t.eq(len([r for r in rows if r["typ"] == "rad"]), len(inv["lines"]), "csv: one row per line")
t.eq([r["belopp öre"] for r in rows if r["typ"] == "summa"], [str(inv["total_ore"])], "csv: the total")
# the decision and its trail travel with the exports, in Swedish with local times (issue 18.6)
import datetime as _dt, re as _re, zipfile as _zip, zlib as _zlib, zoneinfo as _zi  # noqa: E401,E402
status, decided, _ = region.request("GET", path)
owed = decided.get("owed_ore")
t.ok(owed is not None and owed != inv["total_ore"], f"the decision changed what is owed ({owed})")
decision = [r for r in rows if r["typ"] == "beslut"]
t.eq([r["belopp öre"] for r in decision], [str(owed)], "csv: the amount owed after the decision")
t.ok(decision and decision[0]["orsak"] == "avgjord: justerad. Ett dygn avräknas",
     f"csv: the decision in Swedish with its reason: {decision[0]['orsak'] if decision else None}")
trail = [r["orsak"] for r in rows if r["typ"] == "händelse"]
t.eq(len(trail), len(decided.get("steps", [])), "csv: one row per step of the trail")
first_at = _dt.datetime.strptime(decided["steps"][0]["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
local = first_at.astimezone(_zi.ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")
t.ok(trail and trail[0].startswith(local + " byggt av faktura-region"), f"csv: the build at local time {local}: {trail[:1]}")
t.ok(any(" skicka av faktura-region" in x for x in trail) and any(" bestrid av faktura-falun" in x for x in trail)
     and any(" avgör: justerad av faktura-region" in x and x.endswith("Ett dygn avräknas") for x in trail),
     f"csv: send, dispute and decision in Swedish: {trail}")
owed_kr = f"{owed // 100},{owed % 100:02d}"
status, ctype, data = raw_get(falun, path + "/export?format=xlsx")
with _zip.ZipFile(io.BytesIO(data)) as z:
    strings = z.read("xl/sharedStrings.xml").decode()
t.ok(f"Att betala efter beslut: {owed_kr} kr (avgjord: justerad" in strings, "xlsx: the amount owed after the decision")
t.ok("status avgjord" in strings and "avgör: justerad" in strings, "xlsx: the state and the trail in Swedish")
status, ctype, data = raw_get(region, path + "/export?format=pdf")
text = b""
for m in _re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, _re.S):
    try:
        text += _zlib.decompress(m.group(1))
    except _zlib.error:
        text += m.group(1)
t.ok(f"Att betala efter beslut: {owed_kr} kr".encode("cp1252") in text, "pdf: the amount owed after the decision")
t.ok("Status: avgjord".encode("cp1252") in text and b"Historik:" in text, "pdf: the state and the trail in Swedish")
status, ctype, data = raw_get(falun, path + "/export?format=csv&comma=1")
t.ok(status == 200 and data.decode("utf-8-sig").splitlines()[0].count(",") >= 10, "csv with commas")
status, ctype, data = raw_get(falun, path + "/export?format=xlsx")
t.ok(status == 200 and data[:2] == b"PK", "xlsx export is a zip (an Excel workbook)")
status, ctype, data = raw_get(region, path + "/export?format=pdf")
t.ok(status == 200 and data[:5] == b"%PDF-" and ctype == "application/pdf", "pdf export")
t.eq(raw_get(falun, path + "/export?format=doc")[0], 400, "an unknown format is 400")
t.eq(raw_get(borlange, path + "/export?format=csv")[0], 404, "another municipality cannot export it")
n = int(db_rows(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.read' AND username = 'faktura-falun' "
                   "AND episode_id = ?", (first["episode"],))[0][0])
t.ok(n >= 4, "the municipality's reads and exports are audited per episode")

# ---- an invoice line leads to its episode, for both parties' invoice officers, read-only and audited ----
ep = first["episode"]
status, body, _ = falun.request("GET", f"/api/v1/episodes/{ep}")
t.eq(status, 200, "the municipality's invoice officer opens a line's episode")
t.ok(body and body.get("events"), "with its timeline")
t.eq(region.request("GET", f"/api/v1/episodes/{ep}")[0], 200, "so does the region's")
t.eq(borlange.request("GET", f"/api/v1/episodes/{ep}")[0], 404, "another municipality's officer does not")
status, _, _ = falun.request("POST", f"/api/v1/episodes/{ep}/events",
                             {"type": "deviation", "occurred_at": "2026-01-01T10:00:00Z", "category": "other",
                              "against_org": "2080"})
t.eq(status, 403, "an invoice officer writes nothing in the episode")
why = (db_rows(db, "SELECT reason FROM audit_log WHERE action = 'episode.read.invoice' AND username = 'faktura-falun' "
               "AND episode_id = ?", (ep,)) or [None])[0]
t.eq(why, (f"invoice {inv_id}",), "the read is audited with the invoice")

srv.stop()
t.finish()
