"""test_care.py - the care process of the regional agreements (issue 14) through the JSON API, against the
real server on a loopback port and a fresh demo database:

6. the admission notice states its reason (a code, `other` always valid, free text in the note) and the
   registered address; a notice to municipal health care must also go to primary care (a field error);
5. consent that counts: no information request or reply to a party after "declined" (a problem naming the
   field), exceptions (presumed, unable, emergency), consent per party on the episode;
2. the SIP with content (participants, who does what by when, the follow-up date), called by primary care
   or by the municipality, and printable as a PDF."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hemgang_test import TMP, Checks, Client, Server, fresh_db, make_demo, make_pnr  # noqa: E402

t = Checks("test_care")
db = fresh_db("care.db")
log = os.path.join(TMP, "care-server.log")
logins = {l["username"]: l for l in make_demo(db, episodes=40)}
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
ward, pc, mun, hsl = client("avd12"), client("vc-falun"), client("bist-falun"), client("ssk-falun")
ward_unit, pc_unit, mun_unit, hsl_unit = (me(c)["units"][0] for c in (ward, pc, mun, hsl))
serial = [5000]


def admit(address="Åsgatan 3, 791 71 Falun", protected=False):
    serial[0] += 1
    body = {"occurred_at": iso(now - datetime.timedelta(hours=3)), "ward": ward_unit,
            "patient": {"personnummer": make_pnr(serial[0]), "name": f"Vård Patient {serial[0]}",
                        "registered_municipality": "2080", "primary_care_unit": pc_unit, "address": address,
                        "protected_identity": protected}}
    status, out, _ = ward.request("POST", "/api/v1/episodes", body)
    t.eq(status, 201, f"admission {serial[0]}")
    return out.get("episode_id")


def ev(typ, **kw):
    return dict({"type": typ, "occurred_at": iso(now - datetime.timedelta(minutes=30))}, **kw)


def notice(**kw):
    body = {"recipients": [{"unit": pc_unit}, {"unit": mun_unit}], "reason": "fall_injury",
            "expected_discharge_date": str(today + datetime.timedelta(days=5))}
    body.update(kw)
    return ev("admission_notice", **{k: v for k, v in body.items() if v is not None})


def post(c, eid, body):
    return c.request("POST", f"/api/v1/episodes/{eid}/events", body)


def problem(label, got, status, code, field):
    st, body, _ = got
    t.eq(st, status, f"{label}: status")
    t.eq(body.get("code"), code, f"{label}: code")
    t.eq(body.get("field"), field, f"{label}: field")


def episode(c, eid):
    return c.request("GET", f"/api/v1/episodes/{eid}")[1]


# ---- 6. the admission notice's content ----
e1 = admit()
problem("no reason", post(ward, e1, notice(reason=None)), 422, "required", "reason")
problem("an unknown reason", post(ward, e1, notice(reason="broken_leg")), 422, "bad_code", "reason")
problem("municipal health care without primary care", post(ward, e1, notice(recipients=[{"unit": hsl_unit}])),
        422, "primary_care_required", "recipients")
problem("municipal health and social services, no primary care",
        post(ward, e1, notice(recipients=[{"unit": hsl_unit}, {"unit": mun_unit}])), 422, "primary_care_required",
        "recipients")
t.eq(episode(ward, e1)["episode"]["notice"]["sent"], 0, "nothing was stored")
st, body, _ = post(ward, e1, notice(reason="other", note="Oklar yrsel, utreds",
                                    recipients=[{"unit": hsl_unit}, {"unit": pc_unit}]))
t.eq(st, 201, "other is always a valid reason; municipal health care with primary care")
view = episode(ward, e1)
t.eq(view["episode"]["notice"]["reason"], "other", "the episode shows the reason")
t.eq(view["episode"]["notice"]["reason_sv"], "annan orsak", "with its Swedish label")
sent = [e for e in view["events"] if e["type"] == "admission_notice"][0]
t.eq((sent["reason"], sent["note"]), ("other", "Oklar yrsel, utreds"), "free text stays in the note")
st, _, _ = post(ward, e1, notice(recipients=[{"unit": hsl_unit}]))
t.eq(st, 201, "a later notice to municipal health care alone: primary care already has one")

e2 = admit(address="")
problem("no registered address anywhere", post(ward, e2, notice()), 422, "required", "address")
st, _, _ = post(ward, e2, notice(address="Nygatan 9, 791 60 Falun"))
t.eq(st, 201, "the notice carries the registered address")
t.eq(episode(ward, e2)["episode"]["patient"]["address"], "Nygatan 9, 791 60 Falun", "it becomes the patient's address")

e3 = admit(address="", protected=True)
st, _, _ = post(ward, e3, notice())
t.eq(st, 201, "a protected identity's address is not spread in notices")

# ---- 5. consent that counts ----
e4 = admit()
t.eq(post(ward, e4, notice())[0], 201, "notice")
st, body, _ = post(mun, e4, ev("info_requested", to={"unit": ward_unit}, note="Hur går förflyttningar?"))
t.eq(st, 201, "the municipality asks the ward")
request_seq = body.get("seq")
problem("an exception needs its ground", post(mun, e4, ev("consent_recorded", state="exception", scope="care_planning",
                                                          how="verbal")), 422, "consent_exception_how", "how")
problem("emergency is an exception only", post(mun, e4, ev("consent_recorded", state="given", scope="care_planning",
                                                          how="emergency")), 422, "consent_exception_how", "how")
t.eq(post(mun, e4, ev("consent_recorded", state="declined", scope="care_planning", how="verbal"))[0], 201,
     "the patient declines information to the municipality")
problem("a reply to the declining party", post(ward, e4, ev("info_replied", reply_to_seq=request_seq, note="Rollator")),
        409, "consent_declined", "reply_to_seq")
problem("a request to the declining party", post(pc, e4, ev("info_requested", to={"unit": mun_unit}, note="Insatser?")),
        409, "consent_declined", "to")
st, body, _ = post(pc, e4, ev("info_requested", to={"unit": mun_unit}, note="Insatser?"))
t.ok("samtycke" in body.get("detail", "") + body.get("title", ""), f"the problem says why in Swedish: {body}")
t.eq(post(mun, e4, ev("info_requested", to={"unit": pc_unit}, note="Läkemedelslista?"))[0], 201,
     "the declining party may still ask others")
problem("presumed after declined", post(mun, e4, ev("consent_recorded", state="exception", scope="care_planning",
                                                   how="presumed")), 409, "consent_presumed_after_declined", "how")
consents = {k["org"]: k for k in episode(ward, e4)["episode"]["consents"]}
t.eq(consents.get("2080", {}).get("state"), "declined", "consent per party: the municipality declined")
t.eq(post(mun, e4, ev("consent_recorded", state="exception", scope="care_planning", how="emergency"))[0], 201,
     "an emergency exception")
t.eq(post(ward, e4, ev("info_replied", reply_to_seq=request_seq, note="Rollator"))[0], 201,
     "with the exception the reply goes")
consents = {k["org"]: k for k in episode(pc, e4)["episode"]["consents"]}
t.eq((consents["2080"]["state"], consents["2080"]["how"]), ("exception", "emergency"),
     "every party sees the consent per party")

# ---- 2. the SIP with content ----
e5 = admit()
t.eq(post(ward, e5, notice())[0], 201, "notice")
problem("no SIP held yet: no PDF", ward.request("GET", f"/api/v1/episodes/{e5}/sip.pdf"), 404, "no_sip", "sip")
meeting = iso(now + datetime.timedelta(days=2))
st, body, _ = post(mun, e5, ev("sip_called", meeting_at=meeting, place="hospital"))
t.eq(st, 201, f"the municipal assessor calls the SIP (was 403): {body}")
t.eq(episode(ward, e5)["episode"]["sip"]["called_by"], mun_unit, "the episode says who called it")
t.eq(post(ward, e5, ev("sip_called", meeting_at=meeting, place="home"))[0], 403, "a ward cannot call the SIP")
held = now - datetime.timedelta(hours=1)
base = {"held_at": iso(held), "place": "hospital", "follow_up_date": str(today + datetime.timedelta(days=30))}
problem("a SIP without participants", post(pc, e5, ev("sip_held", **base)), 422, "required", "participants")
problem("a SIP in hospital without the ward",
        post(pc, e5, ev("sip_held", participants=["patient", "primary_care"], **base)), 422, "sip_ward_required",
        "participants")
problem("a SIP without a follow-up date",
        post(pc, e5, ev("sip_held", participants=["patient", "ward"], held_at=iso(held), place="hospital")), 422,
        "required", "follow_up_date")
problem("an unknown participant", post(pc, e5, ev("sip_held", participants=["patient", "cat"], **base)), 422,
        "bad_code", "participants[1]")
actions = [{"what": "Hemtjänst morgon och kväll", "responsible": "municipal_social",
            "due": str(today + datetime.timedelta(days=3))},
           {"what": "Läkemedelsgenomgång", "responsible": "primary_care", "due": str(today + datetime.timedelta(days=14))}]
problem("an action without a due date",
        post(pc, e5, ev("sip_held", participants=["patient", "ward"], actions=[{"what": "x", "responsible": "patient"}],
                        **base)), 422, "required", "actions[0].due")
problem("an action due before the meeting",
        post(pc, e5, ev("sip_held", participants=["patient", "ward"],
                        actions=[{"what": "x", "responsible": "patient", "due": "2001-01-01"}], **base)), 409,
        "time_out_of_order", "actions[0].due")
st, body, _ = post(pc, e5, ev("sip_held", participants=["patient", "relative", "ward", "primary_care", "municipal_social"],
                               actions=actions, **base))
t.eq(st, 201, f"the SIP with participants, actions and a follow-up date: {body}")
sip = episode(mun, e5)["episode"]["sip"]
t.eq(sip["participants"], ["patient", "relative", "ward", "primary_care", "municipal_social"], "participants")
t.eq([(a["what"], a["responsible"], a["due"]) for a in sip["actions"]],
     [(a["what"], a["responsible"], a["due"]) for a in actions], "who does what, by when")
t.eq(sip["actions"][0]["responsible_sv"], "kommunens socialtjänst", "with Swedish labels")
for who, c in (("the ward", ward), ("the municipality", mun), ("primary care", pc)):
    st, _, h = c.request("GET", f"/api/v1/episodes/{e5}/sip.pdf")
    t.eq((st, h.get("Content-Type")), (200, "application/pdf"), f"{who} prints the SIP")
    t.ok(int(h.get("Content-Length", "0")) > 800, f"{who}: a real PDF ({h.get('Content-Length')} bytes)")
other = client("bist-borlange")
t.ok(other.request("GET", f"/api/v1/episodes/{e5}/sip.pdf")[0] in (403, 404), "another municipality prints nothing")
recs = client("admin-falun").request("GET", "/api/v1/audit?limit=10000")[1].get("audit", [])
t.ok(any("sip_pdf" in str(r.get("action")) for r in recs), "printing the SIP is audited (the municipality's own record)")

srv.stop()
t.finish()
