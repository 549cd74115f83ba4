"""test_ux.py - what staff meet first (issue 18), through the API against the real server on a fresh demo
database: liability where it runs (item 1) - the episode answer says from which night the municipality pays,
the nights and the amount so far under the agreement in force; the worklists carry the same figures for each
ready patient, mark the liable ones and list the longest waits first; the ward's admitted patients (item 2)
carry what is still to do."""
import datetime
import os
import sys
import zoneinfo

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, fresh_db, make_demo, make_pnr  # noqa: E402

t = Checks("test_ux")
db = fresh_db("ux.db")
logins = {l["username"]: l for l in make_demo(db, episodes=20)}
srv = Server(db, os.path.join(TMP, "ux-server.log")).start()
STHLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def client(username):
    c = Client(srv.port)
    status, _, _ = c.login(username)
    t.eq(status, 200, f"login {username}")
    return c


def iso(d):
    return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


ward, mun = client("avd12"), client("bist-falun")
ward_unit, pc_unit, mun_unit = logins["avd12"]["unit"], logins["vc-falun"]["unit"], logins["bist-falun"]["unit"]
today = datetime.datetime.now(STHLM).date()


def at(days_ago, hour):
    """A local instant days_ago days before today at hour:00 (Europe/Stockholm)."""
    d = today - datetime.timedelta(days=days_ago)
    return datetime.datetime(d.year, d.month, d.day, hour, 0, tzinfo=STHLM)


def stay(i, ready_days_ago, track="green"):
    """Admits patient i to avd12 ten days ago, sends the notice to primary care and the municipality, sets the
    track (yellow: a SIP is needed, and none is called here), and makes the patient ready ready_days_ago days ago.
    Returns the episode id."""
    admit = {"occurred_at": iso(at(10, 8)), "ward": ward_unit,
             "patient": {"personnummer": make_pnr(500 + i), "name": f"Patient Ux{i}",
                         "registered_municipality": "2080", "primary_care_unit": pc_unit, "address": "Åsgatan 3"}}
    status, body, _ = ward.request("POST", "/api/v1/episodes", admit)
    t.eq(status, 201, f"admit {i}")
    eid = body.get("episode_id")
    path = f"/api/v1/episodes/{eid}/events"
    to = [{"unit": pc_unit}, {"unit": mun_unit}]
    for ev in ({"type": "admission_notice", "occurred_at": iso(at(10, 9)), "recipients": to, "reason": "other",
                "expected_discharge_date": str(today)},
               {"type": "track_set", "occurred_at": iso(at(10, 10)), "colour": track},
               {"type": "ready_for_discharge", "occurred_at": iso(at(ready_days_ago, 11))}):
        status, body, _ = ward.request("POST", path, ev)
        t.eq(status, 201, f"{ev['type']} of {i}: {body}")
    return eid


# ---- item 1: liability where it runs ----
status, body, _ = mun.request("GET", "/api/v1/agreements/statutory")
rates = body.get("document", {}).get("rates", []) if status == 200 else []
rate = max((r for r in rates if r["care"] == "somatic" and r["year"] <= today.year), key=lambda r: r["year"],
           default={"amount_ore": None})["amount_ore"]
t.ok(rate, f"the statutory agreement has a somatic amount for {today.year} ({rate})")

long_wait = stay(1, 7)      # ready 7 days ago: G = R + 3, nights R+3 .. yesterday = 4
short_wait = stay(2, 0)     # ready today: in grace
no_sip = stay(3, 6, "yellow")  # a SIP was needed and not called: not billable, 3 nights at stake

status, body, _ = ward.request("GET", f"/api/v1/episodes/{long_wait}")
t.eq(status, 200, "episode read")
liab = body.get("liability") or {}
t.eq((liab.get("agreement") or {}).get("id"), "statutory", "the agreement in force is named")
t.eq(liab.get("ready_date"), str(today - datetime.timedelta(days=7)), "ready date")
t.eq(liab.get("liable_from"), str(today - datetime.timedelta(days=4)), "the municipality pays from R + 3 days")
t.eq(liab.get("ready_days"), 7, "ready-days so far")
t.eq(liab.get("nights"), 4, "liable nights so far (those that began before today)")
t.eq(liab.get("amount_ore"), 4 * (rate or 0), "amount so far = nights x the year's amount")
t.eq(liab.get("liable"), True, "liable now")
t.eq(liab.get("billing"), "billable", "billable")

status, body, _ = ward.request("GET", f"/api/v1/episodes/{short_wait}")
liab = body.get("liability") or {}
t.eq((liab.get("liable"), liab.get("nights"), liab.get("liable_from")),
     (False, 0, str(today + datetime.timedelta(days=3))), "ready today: in grace, pays from R + 3")

status, body, _ = ward.request("GET", f"/api/v1/episodes/{no_sip}")
liab = body.get("liability") or {}
t.eq((liab.get("liable"), liab.get("billing"), liab.get("nights"), liab.get("amount_ore")),
     (False, "no_sip_call", 3, 3 * (rate or 0)), "no SIP called: not liable, what is at stake")

for who, c in (("ward", ward), ("municipality", mun)):
    status, wl, _ = c.request("GET", "/api/v1/worklist")
    t.eq(status, 200, f"{who} worklist")
    rows = wl.get("ready_waiting", [])
    days = [r.get("ready_days") for r in rows]
    t.eq(days, sorted(days, reverse=True), f"{who}: ready patients listed longest wait first")
    ours = {r["id"]: r for r in rows if r["id"] in (long_wait, short_wait, no_sip)}
    t.eq(sorted(ours), sorted([long_wait, short_wait, no_sip]), f"{who} sees the three ready patients")
    lw = ours.get(long_wait, {}).get("liability") or {}
    t.eq((lw.get("liable"), lw.get("nights"), lw.get("amount_ore"), lw.get("liable_from")),
         (True, 4, 4 * (rate or 0), str(today - datetime.timedelta(days=4))), f"{who}: the long wait is liable")
    sw = ours.get(short_wait, {}).get("liability") or {}
    t.eq((sw.get("liable"), sw.get("nights")), (False, 0), f"{who}: the short wait is in grace")
    t.ok(all("liability" in r for r in rows), f"{who}: every ready row carries its liability")

# ---- item 2: the ward's admitted patients with what is still to do ----
admit = {"occurred_at": iso(at(1, 8)), "ward": ward_unit,
         "patient": {"personnummer": make_pnr(600), "name": "Patient Utan Meddelande",
                     "registered_municipality": "2080", "primary_care_unit": pc_unit, "address": "Åsgatan 4"}}
status, body, _ = ward.request("POST", "/api/v1/episodes", admit)
t.eq(status, 201, "admit a patient without a notice")
no_notice = body.get("episode_id")
status, wl, _ = ward.request("GET", "/api/v1/worklist")
admitted = {r["id"]: r for r in wl.get("admitted", [])}
t.eq(admitted.get(no_notice, {}).get("todo"), ["notice_not_sent"], "no notice sent: the ward's to-do")
t.eq(admitted.get(long_wait, {}).get("todo"), ["ready_no_municipality_answer"],
     "ready without the municipality's answer (the expected date is today: not passed)")
t.eq((admitted.get(long_wait, {}).get("liability") or {}).get("nights"), 4, "a ready admitted patient's liability")
t.ok(all(r.get("ward") == ward_unit for r in admitted.values()), "only the ward's own patients")
t.ok(all(r.get("status") in ("admitted", "ready") for r in admitted.values()), "only patients in hospital")
status, wl, _ = mun.request("GET", "/api/v1/worklist")
t.eq(wl.get("admitted"), [], "a municipal unit has no ward list")

# ---- item 5: which part of a personnummer is wrong ----
good = make_pnr(700)
wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)
wrong_date = good[:4] + "13" + good[6:]
for number, words, words_en in ((wrong_check, "Kontrollsiffran (den sista siffran)", "check digit"),
                                (wrong_date, "Datumdelen (ÅÅÅÅMMDD)", "date part")):
    bad = dict(admit, patient=dict(admit["patient"], personnummer=number))
    status, body, _ = ward.request("POST", "/api/v1/episodes", bad)
    t.eq((status, body.get("field")), (422, "patient.personnummer"), f"admission with {number} refused")
    t.ok(words in (body.get("detail") or ""), f"the message names the wrong part: {body.get('detail')}")
    t.ok(words_en in (body.get("message_en") or ""), f"and in English: {body.get('message_en')}")
    status, body, _ = ward.request("POST", "/api/v1/search", {"personnummer": number, "reason": "test av sökning"})
    t.eq((status, body.get("field")), (422, "personnummer"), f"search for {number} refused")
    t.ok(words in (body.get("detail") or ""), f"the search's message names the wrong part: {body.get('detail')}")
status, body, _ = ward.request("POST", "/api/v1/search", {"personnummer": wrong_check, "reason": "test av sökning"},
                               headers={"Accept-Language": "en"})
t.ok("check digit" in (body.get("detail") or ""), f"in English when asked: {body.get('detail')}")

srv.stop()
t.finish()
