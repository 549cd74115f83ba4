"""test_trust.py - the four defects that made daily work untrustworthy (issue 10), each against the
real server on a loopback port and a fresh demo database:

1. the worklist shows the newest notices first, with paging, a true total, a filter by notice type,
   and several notices can be acknowledged at once;
2. a patient with an open episode cannot be admitted again (409 linking to the open episode);
3. an administrator reads only the audit records of their own organisation;
4. an Idempotency-Key replays only the identical request."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, fresh_db, make_demo  # noqa: E402

t = Checks("test_trust")
db = fresh_db("trust.db")
log = os.path.join(TMP, "trust-server.log")
logins = {l["username"]: l for l in make_demo(db, episodes=400)}
for name in ("avd12", "vc-falun", "bist-falun", "bist-borlange", "admin", "admin-falun"):
    t.ok(name in logins, f"demo has {name}")
srv = Server(db, log).start()
port = srv.port


def client(username):
    c = Client(port)
    status, _, _ = c.login(username)
    t.eq(status, 200, f"login {username}")
    return c


def me(c):
    return c.request("GET", "/api/v1/session")[1]["user"]


now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
today = datetime.date.today()
ward, pc, mun, other_mun = client("avd12"), client("vc-falun"), client("bist-falun"), client("bist-borlange")
ward_unit, pc_unit, mun_unit = me(ward)["units"][0], me(pc)["units"][0], me(mun)["units"][0]


def admission(pnr, name, hours_ago=1):
    return {"occurred_at": iso(now - datetime.timedelta(hours=hours_ago)), "ward": ward_unit,
            "patient": {"personnummer": pnr, "name": name, "registered_municipality": "2080",
                        "primary_care_unit": pc_unit, "address": "Åsgatan 3"}}


# ---- 1. the newest notices first, paging, total, type filter, acknowledge several ----
status, body, _ = ward.request("POST", "/api/v1/episodes", admission("19400101-0190", "Nyström, Nils"))
t.eq(status, 201, "a patient is admitted today")
new_eid = body.get("episode_id")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{new_eid}/events",
                               {"type": "admission_notice", "occurred_at": iso(now), "reason": "infection",
                                "recipients": [{"unit": pc_unit}, {"unit": mun_unit}],
                                "expected_discharge_date": str(today + datetime.timedelta(days=6))})
t.eq(status, 201, "the admission notice is sent today")
notice_seq = body.get("seq")

for who, c in (("primary care", pc), ("municipality", mun)):
    status, wl, _ = c.request("GET", "/api/v1/worklist")
    t.eq(status, 200, f"{who}: worklist")
    notices = wl.get("new_notices", [])
    t.ok(len(notices) > 0, f"{who}: has new notices")
    first = notices[0] if notices else {}
    t.eq((first.get("episode_id"), first.get("seq")), (new_eid, notice_seq),
         f"{who}: today's admission notice is the first row")
    sent = [n["sent_at"] for n in notices]
    t.eq(sent, sorted(sent, reverse=True), f"{who}: newest first")
    total = wl.get("new_notices_total")
    t.ok(isinstance(total, int) and total >= len(notices), f"{who}: a total is given")
    t.eq(wl.get("new_notices_limit"), 50, f"{who}: the default page is 50")

status, wl, _ = mun.request("GET", "/api/v1/worklist")
total = wl["new_notices_total"]
t.ok(total > 60, f"the municipality has more notices than one page ({total})")
status, p1, _ = mun.request("GET", "/api/v1/worklist?limit=20")
status, p2, _ = mun.request("GET", "/api/v1/worklist?limit=20&offset=20")
t.eq(len(p1["new_notices"]), 20, "page 1 has 20 rows")
t.eq(len(p2["new_notices"]), 20, "page 2 has 20 rows")
t.eq(p1["new_notices_total"], total, "the total does not depend on the page")
key = lambda n: (n["episode_id"], n["seq"], n["unit"])  # noqa: E731
t.eq(set(map(key, p1["new_notices"])) & set(map(key, p2["new_notices"])), set(), "pages do not overlap")
t.ok(p1["new_notices"][-1]["sent_at"] >= p2["new_notices"][0]["sent_at"], "page 2 continues where page 1 ends")
status, big, _ = mun.request("GET", "/api/v1/worklist?limit=500")
t.eq(len(big["new_notices"]), min(total, 500), "a page of 500 holds everything up to 500")
status, last, _ = mun.request("GET", f"/api/v1/worklist?limit=50&offset={total}")
t.eq(last["new_notices"], [], "past the end: an empty page")
status, only, _ = mun.request("GET", "/api/v1/worklist?notice_type=ready_for_discharge&limit=500")
t.eq(status, 200, "filter by notice type")
t.ok(len(only["new_notices"]) > 0, "there are ready notices")
t.ok(all(n["type"] == "ready_for_discharge" for n in only["new_notices"]), "only ready notices")
t.ok(only["new_notices_total"] < total, "the filtered total is smaller")
status, adm, _ = mun.request("GET", "/api/v1/worklist?notice_type=admission_notice&limit=500")
t.eq(adm["new_notices_total"] + only["new_notices_total"] <= total, True, "type totals add up to at most the whole")
for bad, field in (("notice_type=admitted", "notice_type"), ("notice_type=nonsense", "notice_type"),
                   ("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset")):
    status, body, _ = mun.request("GET", f"/api/v1/worklist?{bad}")
    t.ok(status in (400, 422), f"worklist?{bad} is refused ({status})")
    t.eq(body.get("field"), field, f"worklist?{bad} names the field")

# acknowledge several at once
pick = [{"episode_id": n["episode_id"], "seq": n["seq"]} for n in p1["new_notices"][:3]]
status, body, _ = mun.request("POST", "/api/v1/acknowledgements", {"items": pick})
t.eq(status, 200, "bulk acknowledgement")
t.eq([r.get("status") for r in body.get("results", [])], [201, 201, 201], "each item acknowledged")
t.eq(body.get("acknowledged"), 3, "three acknowledged")
status, after, _ = mun.request("GET", "/api/v1/worklist?limit=500")
t.eq(after["new_notices_total"], total - 3, "the total drops by three")
left = set((n["episode_id"], n["seq"]) for n in after["new_notices"])
t.eq([p for p in pick if (p["episode_id"], p["seq"]) in left], [], "the acknowledged notices left the list")
for p in pick:
    status, ep, _ = mun.request("GET", f"/api/v1/episodes/{p['episode_id']}")
    acks = [e for e in ep.get("events", []) if e["type"] == "acknowledged" and e.get("ack_seq") == p["seq"]
            and e.get("author", {}).get("unit") == mun_unit]
    t.eq(len(acks), 1, f"episode {p['episode_id']}: one acknowledged event by the municipality")
status, body, _ = mun.request("POST", "/api/v1/acknowledgements", {"items": pick[:1]})
t.eq(body["results"][0].get("status"), 409, "acknowledging again is 409")
t.eq(body["results"][0].get("code"), "ack_duplicate", "ack_duplicate")
status, body, _ = other_mun.request("POST", "/api/v1/acknowledgements", {"items": [{"episode_id": new_eid, "seq": notice_seq}]})
t.eq(body["results"][0].get("status"), 404, "another municipality's episode is 404 for that item")
status, body, _ = mun.request("POST", "/api/v1/acknowledgements", {"items": []})
t.eq((status, body.get("field")), (422, "items"), "no items is 422 naming items")
status, body, _ = mun.request("POST", "/api/v1/acknowledgements", {"items": [{"episode_id": "x", "seq": 1}]})
t.eq((status, body.get("field")), (422, "items[0]"), "a bad item is 422 naming it")
status, body, _ = client("analytiker").request("POST", "/api/v1/acknowledgements", {"items": pick})
t.eq(status, 403, "an analyst may not acknowledge")

# ---- 2. one patient, one open episode ----
status, body, headers = ward.request("POST", "/api/v1/episodes", admission("19400101-0190", "Nyström, Nisse"))
t.eq(status, 409, "the same personnummer cannot be admitted again while in hospital")
t.eq(body.get("code"), "patient_has_open_episode", "the problem says why")
t.eq(body.get("field"), "patient.personnummer", "and names the field")
t.eq(body.get("episode_id"), new_eid, "and links to the open episode")
t.eq(body.get("episode"), f"/api/v1/episodes/{new_eid}", "by its path")
t.ok(f"/api/v1/episodes/{new_eid}" in headers.get("Link", ""), "Link header to the open episode")
status, body, _ = ward.request("POST", "/api/v1/episodes", admission("194001010190", "Nyström, Nils"))
t.eq(status, 409, "the number written another way is the same patient")
status, lst, _ = ward.request("GET", "/api/v1/episodes?limit=1000")
t.eq(sum(1 for r in lst.get("episodes", lst.get("items", [])) if r.get("personnummer", r.get("patient", {}).get("personnummer"))
         in ("19400101-0190", "194001010190")), 1, "still one episode of that patient")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{new_eid}/events",
                               {"type": "discharged", "occurred_at": iso(now), "destination": "own_home"})
t.eq(status, 201, "the patient goes home")
status, body, _ = ward.request("POST", "/api/v1/episodes", admission("19400101-0190", "Nyström, Nils", hours_ago=0))
t.eq(status, 201, "after the discharge, a new admission is a new episode")
readmit = body.get("episode_id")
t.ok(readmit and readmit != new_eid, "a new episode id")

# ---- 4. an Idempotency-Key replays only the identical request ----
a = admission("19550505-0590", "Ek, Anna")
b = admission("19640823-3234", "Gran, Berit")
status, first, _ = ward.request("POST", "/api/v1/episodes", a, headers={"Idempotency-Key": "trust-1"})
t.eq(status, 201, "admission with a key")
status, body, _ = ward.request("POST", "/api/v1/episodes", b, headers={"Idempotency-Key": "trust-1"})
t.eq(status, 409, "the same key with another patient is 409")
t.eq(body.get("code"), "idempotency_key_reused", "idempotency_key_reused")
t.eq(body.get("field"), "Idempotency-Key", "naming the header")
t.ok("episode_id" not in body, "the first patient's episode id is not handed out")
status, again, _ = ward.request("POST", "/api/v1/episodes", a, headers={"Idempotency-Key": "trust-1"})
t.eq((status, again.get("episode_id"), again.get("replayed")), (200, first["episode_id"], True),
     "the identical request replays")
status, body, _ = ward.request("POST", "/api/v1/episodes", b, headers={"Idempotency-Key": "trust-2"})
t.eq(status, 201, "the second patient with a key of its own")
second = body.get("episode_id")
ev1 = {"type": "admission_notice", "occurred_at": iso(now), "reason": "other", "recipients": [{"unit": pc_unit}, {"unit": mun_unit}],
       "expected_discharge_date": str(today + datetime.timedelta(days=4))}
status, body, _ = ward.request("POST", f"/api/v1/episodes/{first['episode_id']}/events", ev1,
                               headers={"Idempotency-Key": "trust-3"})
t.eq(status, 201, "a notice with a key")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{second}/events", ev1, headers={"Idempotency-Key": "trust-3"})
t.eq((status, body.get("code")), (409, "idempotency_key_reused"), "the same key and body on another episode is 409")
ev2 = dict(ev1, expected_discharge_date=str(today + datetime.timedelta(days=5)))
status, body, _ = ward.request("POST", f"/api/v1/episodes/{first['episode_id']}/events", ev2,
                               headers={"Idempotency-Key": "trust-3"})
t.eq((status, body.get("code")), (409, "idempotency_key_reused"), "the same key with another body is 409")
status, ep, _ = ward.request("GET", f"/api/v1/episodes/{second}")
t.eq([e["type"] for e in ep["events"]], ["admitted"], "nothing was written to the second patient")
status, ep, _ = ward.request("GET", f"/api/v1/episodes/{first['episode_id']}")
t.eq([e.get("expected_discharge_date") for e in ep["events"] if e["type"] == "admission_notice"],
     [str(today + datetime.timedelta(days=4))], "the first patient's notice stands as first sent")

# ---- 3. the audit view is scoped to the caller's organisation ----
region_admin, falun_admin = client("admin"), client("admin-falun")
status, body, _ = falun_admin.request("GET", "/api/v1/audit?limit=10000")
t.eq(status, 200, "Falun's administrator reads the audit log")
recs = body.get("audit", [])
users_falun = {u["username"] for u in falun_admin.request("GET", "/api/v1/users")[1]["users"]}
t.ok(len(recs) > 0 and "bist-falun" in {r["username"] for r in recs}, "Falun's records are there")
t.eq(sorted({r["username"] for r in recs} - users_falun), [], "only records of Falun's own users")
for name in ("avd12", "vc-falun", "bist-borlange"):
    t.ok(all(r["username"] != name for r in recs), f"none of {name}'s records")
ids = [r["id"] for r in recs]
t.eq(ids, sorted(ids, reverse=True), "newest first")
status, body, _ = falun_admin.request("GET", "/api/v1/audit?user=avd12")
t.eq(body.get("audit"), [], "asking for a region user by name gives nothing")
status, body, _ = region_admin.request("GET", "/api/v1/audit?limit=10000")
names = {r["username"] for r in body.get("audit", [])}
t.ok({"avd12", "vc-falun"} <= names, "the region's administrator sees the region's staff")
t.ok(not names & {"bist-falun", "bist-borlange"}, "but no municipality's")

# ---- issue 13.1: every patient shown is in that patient's access extract; refusals are logged ----
import subprocess  # noqa: E402
from hemgang_test import HEMGANG  # noqa: E402

status, wl, _ = mun.request("GET", "/api/v1/worklist?limit=5")
shown = wl["new_notices"][0] if wl.get("new_notices") else None
t.ok(shown is not None, "the municipality's worklist shows a patient")
status, body, _ = pc.request("POST", "/api/v1/search", {"personnummer": "19550505-0590", "reason": "samordning inför SIP"})
t.eq(status, 200, "primary care searches for a patient")
status, body, _ = other_mun.request("GET", f"/api/v1/episodes/{first['episode_id']}")
t.eq(status, 404, "another municipality is refused the episode")


def extract(pnr, fmt=None):
    args = [HEMGANG, "audit", "--db", db, "--patient", pnr] + (["--format", fmt] if fmt else [])
    return subprocess.run(args, capture_output=True, timeout=60)


if shown:
    out = extract(shown["patient"]["personnummer"])
    t.eq(out.returncode, 0, "audit --patient runs")
    lines = out.stdout.decode().splitlines()
    t.ok(any("\tbist-falun\t" in l and "arbetslista" in l and f"\t{shown['episode_id']}\t" in l for l in lines),
         "the worklist read that showed the patient is in the extract")
out = extract("19550505-0590")
text = out.stdout.decode()
t.ok(any(l.split("\t")[1:2] == ["vc-falun"] and "sökte fram" in l and "samordning inför SIP" in l
         for l in text.splitlines()), "the search with its reason is in the extract")
t.ok(any(l.split("\t")[1:2] == ["bist-borlange"] and "nekades" in l for l in text.splitlines()),
     "the refused read by another municipality is in the extract")
t.ok(any(l.split("\t")[1:2] == ["avd12"] and "skrev en händelse" in l for l in text.splitlines()),
     "the ward's writes are in the extract")
t.ok(not any("19640823-3234" in l for l in text.splitlines()), "no other patient's number in the extract")
out = extract("19550505-0590", "csv")
t.eq(out.stdout.decode().splitlines()[0], '"tid","användare","enhet","åtgärd","vårdtillfälle","skäl","klient"',
     "CSV with a Swedish header")
out = extract("19550505-0590", "pdf")
t.ok(out.returncode == 0 and out.stdout.startswith(b"%PDF-"), "a PDF to hand to the patient")
out = extract("19121212-1213")
t.ok(out.returncode != 0 and b"personnummer" in out.stderr, "a bad number is refused with a message")

srv.stop()
t.finish()
