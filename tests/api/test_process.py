"""test_process.py - the care process steps of issue 14 (items 1, 3, 4, 7) and issue 18 (items 3, 4) through the
JSON API, against the real server on a loopback port and a fresh demo database:

14.1 compulsory psychiatric care: the legal form `lpt`/`lrv`, the samordnad vårdplan's steps and its own
     deadline (never "SIP overdue");
14.3/18.3 the municipality's own steps and its plan; the ward's ready list shows whether it is ready;
14.4 the discharge step: a missing item of the information transfer is a deviation on the worklist;
14.7 IFO as a unit kind and role, children as relatives on the episode;
18.4 the discharge is a notice the parties acknowledge, a warning when a called SIP is not held, and a SIP
     meeting more than a year ahead refused with its own message."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Server, fresh_db, logged_in, make_demo, make_pnr, session_user  # noqa: E402

t = Checks("test_process")
db = fresh_db("process.db")
log = os.path.join(TMP, "process-server.log")
make_demo(db, episodes=20)
srv = Server(db, log).start()
port = srv.port


now = datetime.datetime.now(datetime.timezone.utc)
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
today = datetime.date.today()
ward, pc, mun, ifo = (logged_in(t, port, u) for u in ("avd12", "vc-falun", "bist-falun", "ifo-falun"))
ward_unit, pc_unit, mun_unit, ifo_unit = (session_user(c)["units"][0] for c in (ward, pc, mun, ifo))
t.eq(session_user(ifo)["role"], "municipal_ifo", "IFO is a role")
serial = [7000]


def admit():
    serial[0] += 1
    body = {"occurred_at": iso(now - datetime.timedelta(hours=5)), "ward": ward_unit,
            "patient": {"personnummer": make_pnr(serial[0]), "name": f"Process Patient {serial[0]}",
                        "registered_municipality": "2080", "primary_care_unit": pc_unit,
                        "address": "Åsgatan 3, 791 71 Falun"}}
    status, out, _ = ward.request("POST", "/api/v1/episodes", body)
    t.eq(status, 201, f"admission {serial[0]}")
    return out.get("episode_id")


def ev(typ, minutes=240, **kw):
    return dict({"type": typ, "occurred_at": iso(now - datetime.timedelta(minutes=minutes))}, **kw)


def post(c, eid, body):
    return c.request("POST", f"/api/v1/episodes/{eid}/events", body)


def posted(c, eid, body, label):
    st, out, _ = post(c, eid, body)
    t.eq(st, 201, f"{label} ({out.get('code')} {out.get('field')})")
    return out


def problem(label, got, status, code, field):
    st, body, _ = got
    t.eq(st, status, f"{label}: status")
    t.eq(body.get("code"), code, f"{label}: code")
    t.eq(body.get("field"), field, f"{label}: field")
    return body


def episode(c, eid):
    return c.request("GET", f"/api/v1/episodes/{eid}")[1]["episode"]


def deadline(c, eid, kind):
    out = c.request("GET", f"/api/v1/episodes/{eid}")[1]
    return [d for d in out["deadlines"] if d["kind"] == kind][0]["state"]


def notice(eid, units, minutes=230):
    return posted(ward, eid, ev("admission_notice", minutes, recipients=[{"unit": u} for u in units],
                                reason="psychiatric",
                                expected_discharge_date=str(today + datetime.timedelta(days=5))), "notice")


# ---- 14.1: compulsory psychiatric care ----
e1 = admit()
notice(e1, [pc_unit, mun_unit])
problem("a care plan without a legal form", post(ward, e1, ev("care_plan_called", 220, meeting_at=iso(now + datetime.timedelta(days=1)), place="hospital")),
        409, "no_legal_form", "type")
problem("primary care does not record the legal form", post(pc, e1, ev("legal_form_set", 220, legal_form="lpt")),
        403, "role_forbidden", "type")
problem("an unknown legal form", post(ward, e1, ev("legal_form_set", 220, legal_form="hsl")), 422, "bad_code", "legal_form")
posted(ward, e1, ev("legal_form_set", 220, legal_form="lpt"), "the ward records LPT 7 a §")
posted(ward, e1, ev("ready_for_discharge", 200), "ready")
view = episode(ward, e1)
t.eq(view["legal_form"], "lpt", "the episode shows the legal form")
t.ok("7 a §" in view["legal_form_sv"], "with its Swedish label")
t.eq(deadline(ward, e1, "sip_call"), "not_applicable", "LPT: no SIP deadline")
t.eq(deadline(ward, e1, "care_plan_call"), "not_due_yet", "the plan's own deadline runs")
t.ok("care_plan_missing" in [d["code"] for d in view["discharge_warnings"]], "a discharge now would warn: no plan")
wl = ward.request("GET", "/api/v1/worklist")[1]
row = [r for r in wl["ready_waiting"] if r["id"] == e1]
kinds = [d["kind"] for d in row[0]["open_deadlines"]] if row else []
t.ok("care_plan_call" in kinds and "sip_call" not in kinds, f"the ward's ready list: the plan's deadline, never the SIP's ({kinds})")
t.eq(row[0]["care"]["legal_form"] if row else None, "lpt", "the ready list names the legal form")
problem("the application before the plan", post(ward, e1, ev("chief_physician_applied", 190)), 409,
        "care_plan_not_established", "type")
posted(ward, e1, ev("care_plan_called", 190, meeting_at=iso(now + datetime.timedelta(hours=2)), place="hospital"),
       "the ward calls the samordnad vårdplan")
posted(pc, e1, ev("care_plan_established", 10, follow_up_date=str(today + datetime.timedelta(days=30))),
       "established with open care before the patient leaves")
posted(ward, e1, ev("chief_physician_applied", 5), "the chief physician's application")
view = episode(ward, e1)
plan = view["care_plan"]
t.ok(plan["called_at"] and plan["established_at"] and plan["chief_physician_applied_at"], "the plan's steps are kept")
t.eq(deadline(ward, e1, "care_plan_call"), "met", "called within 3 days")
t.eq(view["discharge_warnings"], [], "no warning once the plan is established")
t.eq(episode(ward, e1)["sip"]["called_at"], None, "no SIP")

# ---- 14.3 and 18.3: the municipality's own steps and plan ----
e2 = admit()
notice(e2, [pc_unit, mun_unit])
posted(mun, e2, ev("municipal_report_received", 225), "the notice taken in as a report (anmälan)")
problem("a decision before the application", post(mun, e2, ev("municipal_decision", 220, outcome="granted", services=["home_care"])),
        409, "no_application", "type")
posted(mun, e2, ev("municipal_patient_contacted", 215), "contact with the patient")
posted(mun, e2, ev("municipal_application_received", 210), "application received")
problem("a granted decision names its services", post(mun, e2, ev("municipal_decision", 205, outcome="granted")),
        422, "required", "services")
posted(ward, e2, ev("ready_for_discharge", 200), "ready")
posted(mun, e2, ev("municipal_decision", 120, outcome="granted", services=["home_care", "safety_alarm"]),
       "decision on assistance with its services")
problem("the receiving date more than a year ahead",
        post(mun, e2, ev("municipal_plan", 100, services=["home_care"], can_receive_on=str(today + datetime.timedelta(days=400)))),
        422, "meeting_too_far", "can_receive_on")
tomorrow = str(today + datetime.timedelta(days=1))
posted(mun, e2, ev("municipal_plan", 100, services=["home_care", "safety_alarm"], can_receive_on=tomorrow,
                   short_term_care=False), "the municipality's plan")
m = episode(mun, e2)["municipal"]
t.eq(m["decision_outcome"], "granted", "decision outcome")
t.eq(m["decision_services"], ["home_care", "safety_alarm"], "decision services")
t.eq((m["can_receive_on"], m["ready_to_receive"]), (tomorrow, False), "not ready to receive before its date")
t.ok(m["report_at"] and m["contact_at"] and m["application_at"] and m["decision_at"], "every step kept")
wl = ward.request("GET", "/api/v1/worklist")[1]
row = [r for r in wl["ready_waiting"] if r["id"] == e2]
t.eq(len(row), 1, "the ward's ready list has the patient")
if row:
    t.eq(row[0]["care"]["municipality_ready"], False, "the ward sees the municipality is not ready yet")
    t.eq(row[0]["care"]["can_receive_on"], tomorrow, "and from which date it can receive")
    t.ok("municipality_not_ready" in [x["code"] for x in row[0]["care"]["todos"]], "as a to-do")
posted(mun, e2, ev("municipality_ready", 60), "hemgångsklar")
wl = ward.request("GET", "/api/v1/worklist")[1]
row = [r for r in wl["ready_waiting"] if r["id"] == e2]
t.ok(row and row[0]["care"]["municipality_ready"], "the ready list shows the municipality ready")

# ---- 14.7: IFO and children as relatives ----
e3 = admit()
notice(e3, [pc_unit, mun_unit, ifo_unit])
unit = ifo.request("GET", f"/api/v1/units/{ifo_unit}")[1]
t.ok("ifo" in unit.get("kind", ""), "the IFO unit kind's code contains ifo")
posted(ifo, e3, ev("children_as_relatives_recorded", 200, children_as_relatives=True), "IFO records children as relatives")
posted(ifo, e3, ev("municipal_report_received", 190), "IFO takes the report")
for c, who in ((ward, "the ward"), (pc, "primary care"), (mun, "the municipality")):
    t.eq(episode(c, e3)["children_as_relatives"], True, f"{who} sees children as relatives")

# ---- 14.4 and 18.4: the discharge step, its notice and warnings ----
e4 = admit()
notice(e4, [pc_unit, mun_unit])
posted(ward, e4, ev("ready_for_discharge", 200), "ready")
posted(pc, e4, ev("care_contact_appointed", 190, name="Sara Svensson"), "care contact")
problem("a SIP meeting more than a year ahead",
        post(pc, e4, ev("sip_called", 180, meeting_at=iso(now + datetime.timedelta(days=400)), place="home")),
        422, "meeting_too_far", "meeting_at")
st, body, _ = post(pc, e4, ev("sip_called", 180, meeting_at=iso(now + datetime.timedelta(days=400)), place="home"))
t.ok("år" in body.get("detail", ""), "the message says a year ahead, not 'before an earlier event'")
posted(pc, e4, ev("sip_called", 180, meeting_at=iso(now + datetime.timedelta(hours=3)), place="home"), "SIP called")
problem("primary care takes over after the discharge", post(pc, e4, ev("responsibility_taken_over", 170)),
        409, "not_discharged", "type")
posted(ward, e4, ev("information_transferred", 150, items=["medication_list", "booked_appointments"]),
       "information transfer with two items of four")
out = posted(ward, e4, ev("discharged", 120, destination="own_home"), "discharge")
t.eq([w["code"] for w in out.get("warnings", [])], ["sip_not_held"], "a warning: the called SIP is not held yet")
t.ok("SIP" in (out.get("warnings") or [{}])[0].get("sv", ""), "in Swedish")
ds = episode(ward, e4)["discharge_step"]
t.eq(ds["missing"], ["discharge_information", "aids"], "the missing items")
wl = ward.request("GET", "/api/v1/worklist")[1]
row = [r for r in wl["recently_discharged"] if r["id"] == e4]
t.ok(row and "information_missing" in [x["code"] for x in row[0]["care"]["todos"]],
     "a missing item is a deviation on the worklist")
mwl = mun.request("GET", "/api/v1/worklist")[1]
dn = [n for n in mwl["new_notices"] if n["episode_id"] == e4 and n["type"] == "discharged"]
t.eq(len(dn), 1, "the municipality has the discharge notice to acknowledge")
if dn:
    posted(mun, e4, ev("acknowledged", 100, ack_seq=dn[0]["seq"]), "the municipality acknowledges the discharge notice")
view = ward.request("GET", f"/api/v1/episodes/{e4}")[1]
t.ok(any(r["unit"] == mun_unit for r in view["episode"]["notice"]["recipients"]), "the municipality is a party")
posted(ward, e4, ev("information_transferred", 90, items=["discharge_information", "aids"]), "the rest sent")
posted(ward, e4, ev("patient_informed", 80), "information to the patient")
posted(pc, e4, ev("responsibility_taken_over", 70), "the care contact takes over")
ds = episode(ward, e4)["discharge_step"]
t.eq(ds["missing"], [], "nothing missing")
t.ok(ds["responsibility_taken_over_at"] and ds["patient_informed_at"], "the handover and the information kept")

srv.stop()
t.finish()
