"""test_whatif.py - POST /api/v1/whatif (issue 15.5) on a real server over a demo
database whose invoices were built (and one sent): the agreement in force as a
scenario gives every invoice; an uploaded agreement at twice the amount gives
twice every month; more grace days cost less; a municipality's analyst sees its
own rows and only sent invoices; CSV; and every bad input is a problem naming
its field."""
import copy
import datetime
import http.client
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import HEMGANG, TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402

t = Checks("test_whatif")
db = fresh_db("whatif-api.db")
log = os.path.join(TMP, "whatif-api-server.log")
make_demo(db, episodes=500)
today = datetime.date.today()
months = []
y, m = today.year, today.month
for _ in range(8):
    months.append(f"{y:04d}-{m:02d}")
    y, m = (y, m - 1) if m > 1 else (y - 1, 12)
months.reverse()
for month in months:
    subprocess.run([HEMGANG, "invoice", "--db", db, "build", "--month", month], check=True, capture_output=True, timeout=120)
listed = json.loads(subprocess.run([HEMGANG, "invoice", "--db", db, "list", "--format", "json"], check=True,
                                   capture_output=True, text=True, timeout=60).stdout)
listed = listed["invoices"] if isinstance(listed, dict) else listed
falun = [i for i in listed if i["municipality"] == "2080" and i["total_ore"] > 0]
sent = falun[0]
subprocess.run([HEMGANG, "invoice", "--db", db, "send", str(sent["id"])], check=True, capture_output=True, timeout=60)
srv = Server(db, log).start()


def client(username=None):
    c = Client(srv.port)
    if username:
        t.eq(c.login(username)[0], 200, f"login {username}")
    return c


region, falun_analyst, journal = client("analytiker"), client("analytiker-falun"), client("journal")
period = {"from": months[0] + "-01", "to": months[-1] + "-01"}
amounts = json.load(open("agreements/demo-amounts.json"))

# ---- the agreement in force as the scenario: every invoice ----
status, body, _ = region.request("POST", "/api/v1/whatif", dict(period, agreements=[{"id": "statutory"}]))
t.eq(status, 200, "region analyst: what-if")
rows = body.get("rows", [])
t.ok(len(rows) >= 8 * 10, "rows for every municipality and month")
t.ok(all(r["municipality"].startswith("20") for r in rows), "a region sees its county")
t.eq(body["scenarios"][0]["agreement"], "statutory", "scenario named")
t.eq(body["scenarios"][0]["version"], 2, "the latest version of the imported agreement")
invoiced = [r for r in rows if r["invoiced_ore"] is not None]
t.ok(len(invoiced) >= 20 and sum(r["invoiced_ore"] for r in invoiced) > 0, "invoices beside the rows")
t.ok(all(r["scenarios"][0]["total_ore"] == (r["invoiced_ore"] or 0) for r in rows), "in force = invoiced on every row")
t.ok(any(r["invoiced_ore"] is None for r in rows), "no invoice: null, not 0")
row_sent = [r for r in rows if r["municipality"] == "2080" and r["month"] == sent["month"]]
t.eq(row_sent[0]["invoice_state"] if row_sent else None, "sent", "the sent invoice's state")
t.eq(row_sent[0]["invoiced_ore"] if row_sent else None, sent["total_ore"], "the sent invoice's total")

# ---- uploaded agreements ----
double = copy.deepcopy(amounts)
double.update(id="dubbel", name="Dubbelt belopp", version=1)
for r in double["rates"]:
    r["amount_ore"] *= 2
slow = copy.deepcopy(amounts)
slow.update(id="fem-vardagar", name="5 vardagar", version=1, count="weekdays")
slow["grace_days"] = {k: 5 for k in slow["grace_days"]}
status, body, _ = region.request("POST", "/api/v1/whatif", dict(period, agreements=[
    {"id": "statutory", "version": 2}, {"document": double}, {"document": slow}]))
t.eq(status, 200, "uploaded agreements")
rows = body.get("rows", [])
t.eq([s["agreement"] for s in body["scenarios"]], ["statutory", "dubbel", "fem-vardagar"], "three scenarios")
t.ok(all(r["scenarios"][1]["total_ore"] == 2 * r["scenarios"][0]["total_ore"] for r in rows), "twice the amount, twice every month")
t.ok(all(r["scenarios"][2]["total_ore"] <= r["scenarios"][0]["total_ore"] for r in rows), "5 weekdays never cost more than 3 days")
t.ok(sum(r["scenarios"][2]["total_ore"] for r in rows) < sum(r["scenarios"][0]["total_ore"] for r in rows), "and cost less in all")
t.ok(all(r["scenarios"][1]["nights"] == r["scenarios"][0]["nights"] for r in rows), "the same nights at twice the amount")
status, listed_agreements, _ = region.request("GET", "/api/v1/agreements")
t.ok("dubbel" not in json.dumps(listed_agreements), "an uploaded agreement is not stored")

# ---- a municipality's analyst ----
status, body, _ = falun_analyst.request("POST", "/api/v1/whatif", dict(period, agreements=[{"id": "statutory"}]))
t.eq(status, 200, "municipality analyst")
rows = body.get("rows", [])
t.eq({r["municipality"] for r in rows}, {"2080"}, "only its own municipality")
t.eq(len(rows), len(months), "one row a month")
t.ok(all(r["invoiced_ore"] is None or r["invoice_state"] != "draft" for r in rows), "drafts are not shown to a municipality")
t.eq([r["invoiced_ore"] for r in rows if r["month"] == sent["month"]], [sent["total_ore"]], "the sent invoice is")
t.ok(any(r["invoiced_ore"] is None and r["recomputed_ore"] > 0 for r in rows), "a month with a draft only: null")
status, body, _ = falun_analyst.request("POST", "/api/v1/whatif?municipality=2081", dict(period, agreements=[{"id": "statutory"}]))
t.eq((status, body.get("code")), (403, "scope_forbidden"), "another municipality: 403")
status, body, _ = region.request("POST", "/api/v1/whatif?municipality=2081", dict(period, agreements=[{"id": "statutory"}]))
t.eq({r["municipality"] for r in body.get("rows", [])}, {"2081"}, "a region narrows to one municipality")

# ---- yardsticks (issue 15.4): the agreement's target beside the mean liable days ----
yard = copy.deepcopy(amounts)
yard.update(version=3, yardstick={"baseline_year": 2017, "targets_centidays": {"2080": 250}})
yard_file = os.path.join(TMP, "whatif-yardstick.json")
json.dump(yard, open(yard_file, "w"))
subprocess.run([HEMGANG, "agreement", "--db", db, "import", yard_file], check=True, capture_output=True, timeout=60)
q = f"/api/v1/indicators?from={period['from']}&to={months[-1]}-28&by=municipality&measures=liable_days_mean,liable_days_target,target_baseline_year"
status, body, _ = region.request("GET", q)
t.eq(status, 200, "indicators with the yardstick")
by = {r["keys"]["municipality"]: r["values"] for r in body.get("rows", [])}
t.eq((by.get("2080", {}).get("liable_days_target"), by.get("2080", {}).get("target_baseline_year")), (2.5, 2017), "Falun's target")
t.eq(by.get("2081", {}).get("liable_days_target", "absent"), None, "no target for Borlänge")
t.ok(isinstance(by.get("2080", {}).get("liable_days_mean"), (int, float)) or "liable_days_mean" in body["rows"][0].get("suppressed", []),
     "the mean beside it (or suppressed)")
status, body, _ = falun_analyst.request("GET", q)
t.eq([r["values"]["liable_days_target"] for r in body.get("rows", [])], [2.5], "the municipality sees its own target")

# ---- csv ----
conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
conn.request("POST", "/api/v1/whatif?format=csv", body=json.dumps(dict(period, agreements=[{"id": "statutory"}, {"document": double}])),
             headers={"Content-Type": "application/json", "Cookie": region.cookie})
resp = conn.getresponse()
text = resp.read().decode()
conn.close()
t.eq(resp.status, 200, "csv")
t.ok(resp.getheader("Content-Type", "").startswith("text/csv"), "text/csv")
lines = text.splitlines()
t.eq(lines[0] if lines else "", "municipality,month,invoiced_ore,recomputed_ore,statutory_v3_ore,dubbel_v1_ore", "csv header (the latest version)")
t.ok(len(lines) > 8 * 10, "a csv line per row")

# ---- refusals ----
status, _, _ = Client(srv.port).request("POST", "/api/v1/whatif", dict(period, agreements=[{"id": "statutory"}]))
t.eq(status, 401, "a login is needed")
status, body, _ = journal.request("POST", "/api/v1/whatif", dict(period, agreements=[{"id": "statutory"}]))
t.eq(status, 403, "an integration account is refused")
bad_doc = copy.deepcopy(amounts)
bad_doc["grace_days"]["somatic"] = 400
for label, body_in, want_status, field in (
        ("no from", {"to": period["to"], "agreements": [{"id": "statutory"}]}, 400, "from"),
        ("bad to", dict(period, to="2026-13-01", agreements=[{"id": "statutory"}]), 400, "to"),
        ("backwards", {"from": period["to"], "to": period["from"], "agreements": [{"id": "statutory"}]}, 400, "to"),
        ("eleven years", {"from": "2015-01-01", "to": "2026-01-01", "agreements": [{"id": "statutory"}]}, 400, "to"),
        ("no agreements", dict(period, agreements=[]), 400, "agreements"),
        ("nine agreements", dict(period, agreements=[{"id": "statutory"}] * 9), 400, "agreements"),
        ("unknown key", dict(period, agreements=[{"id": "statutory"}], colour="red"), 400, "colour"),
        ("unknown agreement", dict(period, agreements=[{"id": "statutory"}, {"id": "nope"}]), 422, "agreements[1]"),
        ("bad scenario shape", dict(period, agreements=[{"id": 7}]), 400, "agreements[0]"),
        ("broken document", dict(period, agreements=[{"document": bad_doc}]), 422, "agreements[0]")):
    status, body, _ = region.request("POST", "/api/v1/whatif", body_in)
    t.eq((status, body.get("field") if isinstance(body, dict) else None), (want_status, field), f"refused: {label}")
status, body, _ = region.request("POST", "/api/v1/whatif", dict(period, agreements=[{"document": bad_doc}]))
t.ok("grace" in (body.get("detail") or ""), "the broken document's field is named")
status, _, _ = region.request("POST", "/api/v1/whatif", raw=b"not json")
t.ok(status in (400, 415), "not JSON is refused")

srv.stop()
t.finish()
