"""test_followup_api.py - the follow-up API end to end on a demo database: indicator
tables (JSON and CSV), scope by organisation, small-cell suppression, the
catalogue, point measurements (live, saved, latest, compared, patient lists only
for patient readers), the forecast and its back-test, the Väntetider export, and
the patient survey (staff answers, single-use links without login that show no
patient data, answers only as aggregates)."""
import csv
import datetime
import io
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from hemgang_test import TMP, Checks, Client, Server, db_exec, db_rows, fresh_db, make_demo  # noqa: E402

t = Checks("test_followup_api")
db = fresh_db("followup-api.db")
log = os.path.join(TMP, "followup-api-server.log")
logins = {l["username"]: l for l in make_demo(db, episodes=400)}
srv = Server(db, log).start()
port = srv.port


def client(username=None):
    c = Client(port)
    if username:
        t.eq(c.login(username)[0], 200, f"login {username}")
    return c


today = datetime.date.today()
d = lambda x: x.isoformat()  # noqa: E731
start = today - datetime.timedelta(days=200)
region, falun, ward = client("analytiker"), client("analytiker-falun"), client("avd12")

# ---- indicators ----
q = f"/api/v1/indicators?from={d(start)}&to={d(today)}&by=municipality,month"
status, body, _ = region.request("GET", q)
t.eq(status, 200, "region analyst: indicators")
t.eq(body["dimensions"], ["municipality", "month"], "dimensions")
t.ok(len({r["keys"]["municipality"] for r in body["rows"]}) > 3, "several municipalities")
t.ok(body["min_cell"] == 5, "the default small-cell threshold")
t.eq(body["table"]["columns"][0]["code"], "municipality", "table form: first column")
t.eq(len(body["table"]["rows"]), len(body["rows"]) + 1, "table form: the rows and the total")
small = [r for r in body["rows"] if r["values"]["episodes"] is None]
t.ok(small and all("episodes" in r.get("suppressed", []) for r in small), "small cells are null and listed as suppressed")
t.ok(all(v is None or v == 0 or v >= 5 for v in (r["values"]["episodes"] for r in body["rows"])), "no shown count 1-4")
t.ok(all(v is None or v == 0 or v >= 5 for v in (r["values"]["ready_episodes"] for r in body["rows"])),
     "no shown ready_episodes below 5")

status, body, _ = falun.request("GET", q)
t.eq(status, 200, "municipality analyst: indicators")
t.eq({r["keys"]["municipality"] for r in body["rows"]}, {"2080"}, "a municipality sees its own residents only")
status, body, _ = falun.request("GET", q + "&municipality=2081")
t.eq(status, 403, "a municipality may not ask for another")
t.eq(body.get("code"), "scope_forbidden", "403 code")

status, _, headers = region.request("GET", q + "&format=csv&measures=episodes,ready_days_mean")
t.eq(status, 200, "csv download")
t.ok(headers.get("Content-Type", "").startswith("text/csv"), "text/csv")
t.ok("attachment" in headers.get("Content-Disposition", ""), "as an attachment")

for bad, field in ((f"/api/v1/indicators?to={d(today)}", "from"),
                   (f"/api/v1/indicators?from={d(today)}&to={d(start)}", "to"),
                   (f"/api/v1/indicators?from={d(start)}&to={d(today)}&by=colour", "by"),
                   (f"/api/v1/indicators?from={d(start)}&to={d(today)}&by=category", "by"),
                   (f"/api/v1/indicators?from={d(start)}&to={d(today)}&measures=speed", "measures"),
                   (f"/api/v1/indicators?from={d(start)}&to={d(today)}&format=pdf", "format"),
                   (f"/api/v1/indicators?from={d(start)}&to={d(today)}&municipality=20", "municipality")):
    status, body, _ = region.request("GET", bad)
    t.eq((status, body.get("field")), (400, field), f"bad query {bad}")
status, body, _ = region.request("GET", f"/api/v1/indicators?from={d(start)}&to={d(today)}&subject=deviations&by=category")
t.eq(status, 200, "deviations by category")
t.ok(all("category" in r["keys"] for r in body["rows"]), "deviation rows")
status, body, _ = region.request("GET", f"/api/v1/indicators?from={d(start)}&to={d(today)}&subject=acknowledgements&by=recipient_kind&measures=brief")
t.eq(status, 200, "acknowledgements")
t.ok("ack_hours_median" in body["total"]["values"] and "acknowledged" not in body["total"]["values"], "brief measures")
status, _, _ = Client(port).request("GET", q)
t.eq(status, 401, "indicators need a login")
status, _, _ = client("journal").request("GET", q)
t.eq(status, 403, "integration accounts are refused")

status, body, _ = region.request("GET", "/api/v1/indicators/catalogue")
t.eq(status, 200, "catalogue")
t.eq([s["code"] for s in body["subjects"]], ["episodes", "deviations", "acknowledgements"], "subjects")
t.ok(any(m["code"] == "ready_days_mean" for m in body["subjects"][0]["measures"]), "measures listed")
listed = {m["code"]: m for m in body["subjects"][0]["measures"]}
t.ok(listed.get("liable_nights", {}).get("kind") == "sum" and listed["liable_nights"]["brief"] and
     {"liable_episodes", "liable_amount_ore", "liable_amount", "excluded_nights"} <= listed.keys(),
     "the liability measures are in the catalogue")

# Liable nights and amounts (the statutory default: the demo imports no agreement), suppressed like the others.
status, body, _ = region.request("GET", f"/api/v1/indicators?from={d(start)}&to={d(today)}&by=month"
                                 "&measures=liable_episodes,liable_nights,liable_amount_ore,liable_amount")
t.eq(status, 200, "liable nights by month")
tot = body["total"]["values"]
t.ok(isinstance(tot["liable_nights"], int) and tot["liable_nights"] > 0 and
     abs(tot["liable_amount"] - tot["liable_amount_ore"] / 100) < 0.005, "liable nights and amounts in the total")
t.ok(all(r["values"]["liable_nights"] is None if r["values"]["liable_episodes"] is None else
         r["values"]["liable_episodes"] == 0 or r["values"]["liable_episodes"] >= 5 for r in body["rows"]),
     "liable figures with fewer than 5 episodes are suppressed")

# ---- point measurements ----
status, cur, _ = region.request("GET", "/api/v1/point-measurements/current")
t.eq(status, 200, "current point measurement")
t.eq(cur["patients"], sum(m["patients"] for m in cur["municipalities"]), "counts add up")
t.ok("patient_list" not in cur, "no patient list unasked")
status, _, _ = region.request("GET", "/api/v1/point-measurements/current?patients=true")
t.eq(status, 403, "an analyst gets no patient list")
status, pl, _ = ward.request("GET", "/api/v1/point-measurements/current?patients=true")
t.eq(status, 200, "ward staff: patient list")
t.ok(all("name" not in p and "personnummer" not in p for p in pl["patient_list"]), "no identity in the list")
t.ok(len(pl["patient_list"]) <= pl["patients"], "only visible episodes listed")
status, _, _ = region.request("GET", "/api/v1/point-measurements/current?at=yesterday")
t.eq(status, 400, "bad instant")

status, saved, headers = region.request("POST", "/api/v1/point-measurements", {"label": "vecka 1"})
t.eq(status, 201, "save a point measurement")
t.ok(headers.get("Location", "").endswith(f"/point-measurements/{saved['id']}"), "Location")
past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
status, older, _ = region.request("POST", "/api/v1/point-measurements", {"at": past, "label": "förra veckan"})
t.eq(status, 201, "save one a week ago")
status, _, _ = region.request("POST", "/api/v1/point-measurements", {"at": "2999-01-01T00:00:00Z"})
t.eq(status, 400, "not in the future")
status, body, _ = region.request("POST", "/api/v1/point-measurements", {"colour": "red"})
t.eq((status, body.get("field")), (400, "colour"), "unknown member")
status, body, _ = region.request("GET", "/api/v1/point-measurements")
t.eq([m["id"] for m in body["measurements"]], [saved["id"], older["id"]], "listed newest first")
status, latest, _ = region.request("GET", "/api/v1/point-measurements/latest")
t.eq((status, latest.get("id"), latest.get("label")), (200, saved["id"], "vecka 1"), "latest")
status, cmp, _ = region.request("GET", f"/api/v1/point-measurements/{older['id']}?compare={saved['id']}")
t.eq(status, 200, "compare")
t.ok(all(m["change"] == m["patients_b"] - m["patients_a"] for m in cmp["municipalities"]), "changes")
t.eq(cmp["table"]["columns"][3]["code"], "change", "compare table form")
status, _, _ = region.request("GET", "/api/v1/point-measurements/999")
t.eq(status, 404, "unknown measurement")
status, _, _ = falun.request("GET", f"/api/v1/point-measurements/{saved['id']}")
t.eq(status, 404, "a municipality does not see the region's measurement")
status, own, _ = falun.request("POST", "/api/v1/point-measurements", {})
t.eq(status, 201, "a municipality saves its own")
t.eq({m["municipality"] for m in own["municipalities"]} <= {"2080"}, True, "only its residents")
status, body, _ = falun.request("GET", "/api/v1/point-measurements")
t.eq([m["id"] for m in body["measurements"]], [own["id"]], "a municipality lists its own")
status, _, headers = region.request("GET", f"/api/v1/point-measurements/{saved['id']}?format=csv")
t.ok(status == 200 and headers.get("Content-Type", "").startswith("text/csv"), "measurement as csv")

# ---- forecast ----
f_from, f_to = today + datetime.timedelta(days=30), today + datetime.timedelta(days=36)
status, fc, _ = region.request("GET", f"/api/v1/forecast?from={d(f_from)}&to={d(f_to)}")
t.eq(status, 200, "forecast")
t.ok(fc["series"][0]["municipality"] is None and len(fc["series"]) > 3, "total and municipalities")
t.ok(all(len(s["days"]) == 7 for s in fc["series"]), "7 days each")
t.ok(all(x["low"] <= x["expected"] <= x["high"] for s in fc["series"] for x in s["days"]), "expected within the band")
t.eq(len(fc["table"]["rows"]), 7 * len(fc["series"]), "forecast table form")
b_from, b_to = today - datetime.timedelta(days=56), today - datetime.timedelta(days=1)
status, bt, _ = region.request("GET", f"/api/v1/forecast?from={d(b_from)}&to={d(b_to)}&backtest=true&total=true")
t.eq(status, 200, "back-test")
t.ok(len(bt["series"]) == 1 and bt["series"][0]["backtest"]["days"] == 56, "back-test errors over 56 days")
status, body, _ = region.request("GET", f"/api/v1/forecast?from={d(f_from)}&to={d(f_to)}&backtest=true")
t.eq(status, 400, "no back-test of the future")
status, fm, _ = falun.request("GET", f"/api/v1/forecast?from={d(f_from)}&to={d(f_to)}")
t.ok(status == 200 and [s["municipality"] for s in fm["series"]] in ([None], [None, "2080"]), "municipality forecast")
# A holiday period named instead of dates: the core computes its next occurrence after the server's today
# (the forecast's origin). The answer's `to` is the day after the period, as for from/to.
def day(s):
    return datetime.date.fromisoformat(s)


status, p4, _ = region.request("GET", "/api/v1/forecast?period=next4w&total=true")
t.ok(status == 200 and day(p4["from"]) == day(p4["origin"]) + datetime.timedelta(days=1)
     and day(p4["to"]) == day(p4["origin"]) + datetime.timedelta(days=29), "next four weeks from the origin")
status, px, _ = region.request("GET", "/api/v1/forecast?period=christmas&total=true")
t.ok(status == 200 and px["to"][5:] == "01-07" and (px["from"][5:] == "12-20" or px["from"] == d(day(px["origin"]) + datetime.timedelta(days=1))),
     "christmas: 20 Dec (or tomorrow) to 6 Jan inclusive")
status, body, _ = region.request("GET", "/api/v1/forecast?period=midsommar")
t.ok(status == 400 and body.get("field") == "period", "an unknown period names the field")

# ---- Väntetider export ----
month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
status, _, headers = region.request("GET", f"/api/v1/exports/vantetider?month={month}")
t.ok(status == 200 and headers.get("Content-Type", "").startswith("text/csv"), "export as csv")
status, body, _ = region.request("GET", f"/api/v1/exports/vantetider?month={month}&format=json")
t.eq([c["code"] for c in body["table"]["columns"]],
     ["month", "level", "code", "name", "care", "episodes", "ready_days", "mean_ready_days", "note"], "export columns")
status, _, _ = falun.request("GET", f"/api/v1/exports/vantetider?month={month}")
t.eq(status, 403, "the export is the region's")
status, body, _ = region.request("GET", "/api/v1/exports/vantetider?month=2025-13")
t.eq((status, body.get("field")), (400, "month"), "bad month")

# ---- the survey ----
status, eps, _ = ward.request("GET", "/api/v1/episodes?status=discharged&limit=50")
t.eq(status, 200, "discharged episodes of the ward")
# the demo's patients answer the survey too: take episodes without an answer yet
answered = {int(r[0]) for r in db_rows(db, "SELECT episode_id FROM survey_answers")}
ids = [e["id"] for e in eps["episodes"] if e.get("status") == "discharged" and e["id"] not in answered]
t.ok(len(ids) >= 2, "at least two discharged episodes")
status, eps, _ = ward.request("GET", "/api/v1/episodes?status=ready&limit=5")
ready = [e for e in eps["episodes"] if e.get("status") == "ready"]
status, inv, _ = ward.request("POST", f"/api/v1/episodes/{ids[0]}/survey-invitations")
t.eq(status, 201, "survey link made")
token = inv["token"]
t.ok(inv["answer_url"].endswith(token), "answer url")
t.eq(inv.get("page_url"), f"/survey/{token}", "the page to send the patient")
status, ep, _ = ward.request("GET", f"/api/v1/episodes/{ids[0]}")
t.eq((ep["survey"]["invitations"], ep["survey"]["open_invitations"], ep["survey"]["answered_at"]), (1, 1, None),
     "the episode shows an open link and no answer")
anon = Client(port)
status, form, _ = anon.request("GET", f"/api/v1/survey/{token}")
t.eq(status, 200, "the link opens without a login")
t.eq([x["code"] for x in form["questions"]][:4], ["felt_safe", "took_part", "knew_care_contact", "sip_where_wanted"],
     "the questions")
t.ok(str(ids[0]) not in str(form) and "personnummer" not in str(form), "the form shows no patient data")
status, body, _ = anon.request("POST", f"/api/v1/survey/{token}", {"felt_safe": True, "took_part": "ja"})
t.eq((status, body.get("field")), (400, "took_part"), "a bad answer")
status, body, _ = anon.request("POST", f"/api/v1/survey/{token}", {"comment": "hej"})
t.eq((status, body.get("field")), (400, "answers"), "at least one question")
status, _, _ = anon.request("POST", f"/api/v1/survey/{token}",
                            {"felt_safe": True, "took_part": False, "respondent": "next_of_kin", "comment": "Bra."})
t.eq(status, 201, "answered through the link")
status, _, _ = anon.request("POST", f"/api/v1/survey/{token}", {"felt_safe": False})
t.eq(status, 410, "the link is single-use")
status, _, _ = anon.request("GET", f"/api/v1/survey/{token}")
t.eq(status, 410, "a used link is closed")
status, _, _ = anon.request("GET", "/api/v1/survey/" + "A" * 43)
t.eq(status, 404, "an unknown link")
status, _, _ = ward.request("POST", f"/api/v1/episodes/{ids[1]}/survey-answers", {"felt_safe": True, "knew_care_contact": True})
t.eq(status, 201, "staff record an answer from a phone call")
status, ep, _ = ward.request("GET", f"/api/v1/episodes/{ids[1]}")
t.eq((ep["survey"]["channel"], ep["survey"]["answered_at"] is not None), ("phone", True), "the episode shows the answer")
t.ok("felt_safe" not in json.dumps(ep) and "knew_care_contact" not in json.dumps(ep),
     "but never the replies themselves")
status, ep0, _ = ward.request("GET", f"/api/v1/episodes/{ids[0]}")
t.eq((ep0["survey"]["channel"], ep0["survey"]["open_invitations"]), ("link", 0), "a link answer closes the link")
status, body, _ = ward.request("POST", f"/api/v1/episodes/{ids[1]}/survey-answers", {"felt_safe": False})
t.eq((status, body.get("code")), (409, "already_answered"), "one answer per episode")
status, inv2, _ = ward.request("POST", f"/api/v1/episodes/{ids[1]}/survey-invitations")
status, _, _ = anon.request("POST", f"/api/v1/survey/{inv2['token']}", {"felt_safe": True})
t.eq(status, 410, "a link for an episode already answered")
if ready:
    status, body, _ = ward.request("POST", f"/api/v1/episodes/{ready[0]['id']}/survey-invitations")
    t.eq((status, body.get("code")), (409, "not_discharged"), "no survey before the discharge")
status, _, _ = region.request("POST", f"/api/v1/episodes/{ids[0]}/survey-invitations")
t.eq(status, 403, "an analyst cannot invite")
# Answers reach analysts only as aggregates, and fewer than the threshold are suppressed: raise the
# threshold above the number of answers in the period and the total must disappear.
q = f"/api/v1/indicators?from={d(start)}&to={d(today)}&by=month&measures=survey_answers,felt_safe_share"
status, body, _ = region.request("GET", q)
t.eq(status, 200, "survey figures")
answers = body["total"]["values"]["survey_answers"]
t.ok(isinstance(answers, int) and answers >= 2, f"the answers are counted ({answers})")
db_exec(db, "UPDATE settings SET value = ? WHERE key = 'followup.min_cell'", (str((answers or 0) + 1),))
status, body, _ = region.request("GET", q)
t.eq(body["total"]["values"]["survey_answers"], None, "fewer answers than the threshold: suppressed")
t.ok("survey_answers" in body["total"].get("suppressed", []), "listed as suppressed")
db_exec(db, "UPDATE settings SET value = '5' WHERE key = 'followup.min_cell'")

srv.stop()
with open(log) as f:
    text = f.read()
t.ok(token not in text, "the link's token is not in the access log")
t.finish()
