"""test_fhir.py - FHIR R4 messaging and the Encounter read side against the real
server on a fresh demo database: MedCom HospitalNotification activities and
hemgang's own event codes driving one episode through admission, notice,
expected date, ready, care contact, SIP call, discharge and its cancellation;
reliable messaging (a replayed message gets the original answer and writes
nothing); malformed bundles, unknown codes, a wrong identifier system, a
sender that is not the caller's unit; CapabilityStatement; Encounter read and
search with access control. Every wait is bounded."""
import datetime
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from hemgang_test import HEMGANG, TMP, Checks, Client, Server, db_rows, fresh_db, make_demo  # noqa: E402

t = Checks("test_fhir")
db = fresh_db("fhir.db")
make_demo(db, episodes=5)


def token(username):
    out = subprocess.run([HEMGANG, "user", "--db", db, "token", username, "fhir-test"], capture_output=True, text=True,
                         timeout=60)
    return out.stdout.strip()


# the primary care centre's records system: an integration user of its unit
subprocess.run([HEMGANG, "user", "--db", db, "add", "journal-vc", "--org", "R20", "--role", "integration", "--unit",
                "SE2321000180-E2001", "--no-password"], check=True, capture_output=True, timeout=60)
journal_token, vc_token, other_token = token("journal"), token("journal-vc"), token("journal-narsjukhus")
staff_token = token("vc-falun")
srv = Server(db, os.path.join(TMP, "fhir-server.log")).start()
FHIR = "application/fhir+json"
PNR_SYS = "urn:oid:1.2.752.129.2.1.3.1"
MEDCOM_EVENT = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messagingEventCodes"
MEDCOM_ACTIVITY = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
HEMGANG_EVENT = "https://hemgang.se/fhir/CodeSystem/event"
EXPECTED = "https://hemgang.se/fhir/StructureDefinition/expected-discharge-date"
W12, VC, BIST = "SE2321000180-E1012", "SE2321000180-E2001", "K2080-BIST"
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
today = datetime.date.today()
counter = [0]


emitted, sent = [], []  # every FHIR resource hemgang answered with, every bundle this test posted (issue 16.2)


class FhirClient(Client):
    """The test's client, keeping every FHIR resource the server answers with for the R4 validator."""

    def request(self, method, path, body=None, **kw):
        status, parsed, headers = super().request(method, path, body, **kw)
        if isinstance(parsed, dict) and "resourceType" in parsed:
            emitted.append(parsed)
        return status, parsed, headers


def client(tok=None):
    c = FhirClient(srv.port)
    c.token = tok
    return c


def org(uid, unit):
    return {"fullUrl": f"urn:uuid:{uid}", "resource": {"resourceType": "Organization", "id": uid,
                                                        "identifier": [{"system": "urn:oid:1.2.752.129.2.1.4.1", "value": unit}]}}


def message(activity=None, hemgang=None, sender=W12, when=None, patient=True, pnr="194001011230", system=PNR_SYS,
            encounter=None, receivers=(), extra=(), ids=None, event_system=None):
    counter[0] += 1
    n = counter[0]
    bid, hid = ids or (f"b{n}", f"h{n}")
    coding = ({"system": MEDCOM_EVENT, "code": "hospital-notification-message"} if activity
              else {"system": event_system or HEMGANG_EVENT, "code": hemgang})
    header = {"resourceType": "MessageHeader", "id": hid, "eventCoding": coding,
              "sender": {"reference": "urn:uuid:sender"}, "source": {"endpoint": "https://pas.example/fhir"},
              "destination": [{"endpoint": "https://hemgang.se/fhir", "receiver": {"reference": f"urn:uuid:r{i}"}}
                              for i, _ in enumerate(receivers)]}
    entries = [{"fullUrl": "urn:uuid:header", "resource": header}, org("sender", sender)]
    entries += [org(f"r{i}", u) for i, u in enumerate(receivers)]
    if patient:
        entries.append({"fullUrl": "urn:uuid:patient", "resource": {
            "resourceType": "Patient", "identifier": [{"system": system, "value": pnr}],
            "name": [{"family": "Svensson", "given": ["Anna"]}],
            "address": [{"line": ["Storgatan 1"], "postalCode": "791 31", "city": "Falun", "district": "2080"}]}})
    enc = {"resourceType": "Encounter", "id": "enc1", "identifier": [{"value": "PAS-ENC-1"}], "status": "in-progress",
           "class": {"code": "IMP"}, "subject": {"reference": "urn:uuid:patient"}}
    enc.update(encounter or {})
    entries.append({"fullUrl": "urn:uuid:encounter", "resource": enc})
    prov = {"resourceType": "Provenance", "occurredDateTime": iso(when or now - datetime.timedelta(hours=1)),
            "recorded": iso(now), "target": [{"reference": "urn:uuid:encounter"}],
            "agent": [{"who": {"reference": "urn:uuid:sender"}}]}
    if activity:
        prov["activity"] = {"coding": [{"system": MEDCOM_ACTIVITY, "code": activity}]}
    entries.append({"fullUrl": "urn:uuid:provenance", "resource": prov})
    entries += list(extra)
    return {"resourceType": "Bundle", "id": bid, "type": "message", "timestamp": iso(now), "entry": entries}


def post(c, bundle, raw=None, ctype=FHIR):
    if bundle is not None:
        sent.append(json.loads(json.dumps(bundle)))
    status, body, headers = c.request("POST", "/fhir/$process-message", bundle, raw=raw, content_type=ctype)
    return status, body, headers


def response_code(body):
    try:
        return body["entry"][0]["resource"]["response"]["code"]
    except (KeyError, IndexError, TypeError):
        return None


def issue(body):
    for e in (body or {}).get("entry", []):
        r = e.get("resource", {})
        if r.get("resourceType") == "OperationOutcome":
            i = r["issue"][0]
            return i.get("code"), i.get("details", {}).get("coding", [{}])[0].get("code"), (i.get("expression") or [""])[0]
    if (body or {}).get("resourceType") == "OperationOutcome":
        i = body["issue"][0]
        return i.get("code"), i.get("details", {}).get("coding", [{}])[0].get("code"), (i.get("expression") or [""])[0]
    return None


def count_events():
    return int(db_rows(db, "SELECT COUNT(*) FROM events")[0][0])


journal, vc, other = client(journal_token), client(vc_token), client(other_token)
try:
    # ---- metadata and authentication ----
    status, body, headers = client().request("GET", "/fhir/metadata")
    t.eq(status, 200, "metadata")
    t.eq((body or {}).get("resourceType"), "CapabilityStatement", "a CapabilityStatement")
    t.eq((body or {}).get("fhirVersion"), "4.0.1", "FHIR R4")
    t.ok(headers.get("Content-Type", "").startswith(FHIR), "application/fhir+json")
    status, _, _ = post(client(), message("admit-inpatient"))
    t.eq(status, 401, "no token: 401")
    # issue 13.7: only integration users post messages
    status, body, _ = post(client(staff_token), message(hemgang="care-contact-appointed", sender=VC))
    t.eq((status, issue(body)), (403, ("security", "role_forbidden", "")), "a primary care user's token: 403")
    ward = Client(srv.port)
    ward.login("avd12")
    status, body, _ = post(ward, message("admit-inpatient"))
    t.eq(status, 403, "ward staff logged in: 403")

    # ---- admission (MedCom) and reliable messaging ----
    admit = message("admit-inpatient", encounter={"period": {"start": iso(now - datetime.timedelta(hours=3))}})
    before = count_events()
    status, body, headers = post(journal, admit)
    t.eq(status, 200, "admit-inpatient: 200")
    t.eq(response_code(body), "ok", "admit-inpatient: ok")
    focus = body["entry"][0]["resource"].get("focus", [{}])[0].get("reference", "") if body else ""
    t.ok(focus.startswith("Encounter/"), f"the response focuses the Encounter ({focus})")
    episode = focus.split("/")[-1]
    t.eq(count_events() - before, 1, "one event stored")
    status2, body2, _ = post(journal, admit)
    t.eq((status2, body2), (status, body), "the same message again: the same answer")
    t.eq(count_events() - before, 1, "and nothing written")
    # issue 13.7: ids are scoped by sender: another system's message with the same ids is its own message,
    # and taking ids first does not lock the real sender out
    status, body, _ = post(other, admit)
    t.eq((status, issue(body)[1] if issue(body) else None), (200, "sender_not_yours"),
         "the same ids from another sender: its own message, judged on its own")
    status2, body2, _ = post(journal, admit)
    t.eq((status2, response_code(body2)), (200, "ok"), "the first sender still gets its own answer")
    squat = message("admit-inpatient", ids=("b-squat", "h-squat"), sender="SE2321000180-E1102")
    status, body, _ = post(other, squat)
    t.eq(status, 200, "another sender posts ids first")
    real = message("admit-inpatient", ids=("b-squat", "h-squat"), pnr="194310250024",
                   encounter={"identifier": [{"value": "PAS-ENC-SQ"}]})
    before_squat = count_events()
    status, body, _ = post(journal, real)
    t.eq((status, response_code(body)), (200, "ok"), f"the real sender's message with those ids is processed {issue(body)}")
    t.eq(count_events() - before_squat, 1, "and its event stored")
    status, body, _ = post(journal, message("admit-inpatient", ids=("b-x", admit["entry"][0]["resource"]["id"])))
    t.eq(issue(body), ("business-rule", "already_admitted", "MessageHeader.eventCoding"),
         "a second admission for the same encounter: already_admitted")

    # ---- malformed bundles and unknown codes ----
    status, body, _ = post(journal, None, raw=b"{not json")
    t.eq(status, 400, "malformed JSON: 400")
    t.eq((body or {}).get("resourceType"), "OperationOutcome", "malformed JSON: an OperationOutcome")
    status, body, _ = post(journal, None, raw=b'{"resourceType":"Bundle","type":"message","id":"a","id":"b"}')
    t.eq(status, 400, "duplicate keys: 400")
    status, body, _ = post(journal, {"resourceType": "Bundle", "type": "collection", "id": "c1", "entry": []})
    t.eq(status, 400, "not a message bundle: 400")
    bad = message("admit-inpatient")
    bad["entry"].insert(0, bad["entry"].pop(1))
    status, body, _ = post(journal, bad)
    t.eq(status, 400, "MessageHeader not first: 400")
    nid = message("admit-inpatient")
    del nid["id"]
    status, body, _ = post(journal, nid)
    t.eq((status, issue(body)[1] if issue(body) else None), (400, "message_id_required"), "no Bundle.id: 400")
    status, body, _ = post(journal, message("admit-inpatient"), ctype="text/plain")
    t.eq(status, 415, "text/plain: 415")
    status, body, _ = post(journal, None, raw=("[" * 40 + "]" * 40).encode())
    t.eq(status, 400, "deeply nested: 400")
    status, body, _ = post(journal, message(hemgang="admit", event_system="http://example.org/events"))
    t.eq((response_code(body), issue(body)[0] if issue(body) else None), ("fatal-error", "not-supported"),
         "unknown event code system: fatal-error not-supported")
    status, body, _ = post(journal, message("teleport-inpatient"))
    t.eq(issue(body), ("code-invalid", "unknown_activity", "Provenance.activity"), "unknown MedCom activity")
    status, body, _ = post(journal, message(hemgang="no-such-code"))
    t.eq(issue(body)[1] if issue(body) else None, "unknown_activity", "unknown hemgang event code")
    status, body, _ = post(journal, message("admit-inpatient", system="urn:oid:1.2.3.4"))
    t.eq(issue(body), ("invalid", "wrong_identifier_system", "Patient.identifier.system"), "wrong identifier system")
    status, body, _ = post(journal, message("admit-inpatient", pnr="194001011239"))
    t.eq(issue(body)[1] if issue(body) else None, "bad_personnummer", "a bad check digit")
    status, body, _ = post(journal, message("admit-inpatient", sender=VC))
    t.eq(issue(body), ("security", "sender_not_yours", "MessageHeader.sender"), "a sender that is not the caller's unit")

    # ---- hemgang's own codes: notice, date change, ready ----
    exp = (today + datetime.timedelta(days=5)).isoformat()
    enc_ext = {"extension": [{"url": EXPECTED, "valueDate": exp}]}
    status, body, _ = post(journal, message(hemgang="admission-notice", receivers=(BIST, VC), encounter=enc_ext,
                                            when=now - datetime.timedelta(minutes=50)))
    t.eq(response_code(body), "ok", f"admission-notice: ok {issue(body)}")
    status, body, _ = post(journal, message(hemgang="expected-date-changed", encounter=enc_ext,
                                            when=now - datetime.timedelta(minutes=40)))
    t.eq(issue(body), ("business-rule", "expected_date_unchanged", "Encounter.extension"),
         "the same expected date: business-rule naming the extension")
    later = {"extension": [{"url": EXPECTED, "valueDate": (today + datetime.timedelta(days=7)).isoformat()}]}
    status, body, _ = post(journal, message(hemgang="expected-date-changed", encounter=later,
                                            when=now - datetime.timedelta(minutes=40)))
    t.eq(response_code(body), "ok", "expected-date-changed: ok")
    status, body, _ = post(journal, message(hemgang="ready-for-discharge", when=now - datetime.timedelta(minutes=30)))
    t.eq(response_code(body), "ok", f"ready-for-discharge: ok {issue(body)}")

    # ---- primary care: care contact and SIP call ----
    practitioner = {"fullUrl": "urn:uuid:pr", "resource": {"resourceType": "Practitioner", "name": [{"text": "Eva Ek"}],
                                                            "telecom": [{"system": "phone", "value": "023-12345"}]}}
    status, body, _ = post(vc, message(hemgang="care-contact-appointed", sender=VC, extra=[practitioner],
                                       when=now - datetime.timedelta(minutes=20)))
    t.eq(response_code(body), "ok", f"care-contact-appointed by primary care: ok {issue(body)}")
    appointment = {"fullUrl": "urn:uuid:ap", "resource": {"resourceType": "Appointment", "status": "booked",
                                                           "start": iso(now + datetime.timedelta(days=1)),
                                                           "participant": [{"actor": {"reference": "urn:uuid:sender"},
                                                                            "status": "accepted"}],
                                                           "appointmentType": {"coding": [{"code": "video"}]}}}
    status, body, _ = post(vc, message(hemgang="sip-called", sender=VC, extra=[appointment],
                                       when=now - datetime.timedelta(minutes=10)))
    t.eq(response_code(body), "ok", f"sip-called: ok {issue(body)}")
    status, body, _ = post(journal, message(hemgang="sip-called", extra=[appointment]))
    t.eq(issue(body)[1] if issue(body) else None, "author_kind_not_allowed", "a ward may not call a SIP")

    # ---- the care process (issue 14): legal form, samordnad vårdplan, information transfer from the record ----
    ext = lambda url, code: {"extension": [{"url": f"https://hemgang.se/fhir/StructureDefinition/{url}", "valueCode": code}]}  # noqa: E731
    status, body, _ = post(journal, message(hemgang="legal-form-set", encounter=ext("legal-form", "tvang"),
                                            when=now - datetime.timedelta(minutes=9)))
    t.eq(issue(body), ("code-invalid", "bad_code", "Encounter.extension"), "an unknown legal form: code-invalid")
    status, body, _ = post(journal, message(hemgang="legal-form-set", encounter=ext("legal-form", "lpt"),
                                            when=now - datetime.timedelta(minutes=9)))
    t.eq(response_code(body), "ok", f"legal-form-set lpt: ok {issue(body)}")
    status, body, _ = post(journal, message(hemgang="care-plan-called", extra=[appointment],
                                            when=now - datetime.timedelta(minutes=8)))
    t.eq(response_code(body), "ok", f"care-plan-called by the ward: ok {issue(body)}")
    status, body, _ = post(journal, message(hemgang="care-plan-established", when=now - datetime.timedelta(minutes=7)))
    t.eq(response_code(body), "ok", f"care-plan-established: ok {issue(body)}")
    items = {"extension": [{"url": "https://hemgang.se/fhir/StructureDefinition/information-item", "valueCode": c}
                           for c in ("medication_list", "discharge_information")]}
    status, body, _ = post(journal, message(hemgang="information-transferred", encounter=items,
                                            when=now - datetime.timedelta(minutes=6)))
    t.eq(response_code(body), "ok", f"information-transferred: ok {issue(body)}")

    # ---- discharge, its cancellation, and the read side ----
    dis = message("discharge-inpatient-home", encounter={"period": {"end": iso(now - datetime.timedelta(minutes=5))}})
    status, body, _ = post(journal, dis)
    t.eq(response_code(body), "ok", f"discharge-inpatient-home: ok {issue(body)}")
    status, body, headers = journal.request("GET", f"/fhir/Encounter/{episode}")
    t.eq(status, 200, "Encounter read")
    t.eq((body or {}).get("status"), "finished", "Encounter finished")
    st_, view, _ = journal.request("GET", f"/api/v1/episodes/{episode}")
    ep = (view or {}).get("episode", {})
    t.eq((ep.get("legal_form"), (ep.get("care_plan") or {}).get("established_at") is not None),
         ("lpt", True), "the legal form and the established plan from the record")
    t.eq((ep.get("discharge_step") or {}).get("items"), ["medication_list", "discharge_information"],
         "the information items from the record")
    t.eq((body or {}).get("subject", {}).get("identifier", {}).get("value"), "19400101-1230", "Encounter subject")
    t.eq((body or {}).get("serviceProvider", {}).get("identifier", {}).get("value"), W12, "serviceProvider: the ward")
    code = ((body or {}).get("hospitalization", {}).get("dischargeDisposition", {}).get("coding") or [{}])[0].get("code")
    t.eq(code, "own_home", "discharge disposition")
    status, body, _ = post(journal, message("cancel-discharge-inpatient-home"))
    t.eq(response_code(body), "ok", f"cancel-discharge-inpatient-home: ok {issue(body)}")
    status, body, _ = journal.request("GET", f"/fhir/Encounter/{episode}")
    t.eq((body or {}).get("status"), "in-progress", "the cancelled discharge reopens the Encounter")
    status, body, _ = post(journal, message("cancel-discharge-inpatient-home"))
    t.eq(issue(body)[1] if issue(body) else None, "nothing_to_revise", "nothing left to cancel")

    status, body, _ = journal.request("GET", f"/fhir/Encounter?patient.identifier={PNR_SYS}|194001011230")
    t.eq(status, 200, "Encounter search")
    t.eq((body or {}).get("type"), "searchset", "a searchset")
    t.ok(any(e["resource"]["id"] == episode for e in (body or {}).get("entry", [])), "the search finds the episode")
    status, body, _ = journal.request("GET", "/fhir/Encounter?patient.identifier=urn:oid:9.9|194001011230")
    t.eq(status, 400, "search with a wrong system: 400")
    status, body, _ = other.request("GET", f"/fhir/Encounter/{episode}")
    t.eq(status, 404, "another hospital's records system does not see the episode")
    status, body, _ = other.request("GET", f"/fhir/Encounter?patient.identifier={PNR_SYS}|194001011230")
    t.eq((body or {}).get("total"), 0, "nor finds it")
    status, _, _ = client().request("GET", f"/fhir/Encounter/{episode}")
    t.eq(status, 401, "Encounter without a token: 401")
finally:
    srv.stop()


def validate(label, resources):
    """Runs the independent R4 validator (FHIR.js, tests/fhir/validator) over the resources; a check per set."""
    path = os.path.join(TMP, f"fhir-{label}.json")
    with open(path, "w") as f:
        json.dump(resources, f)
    out = subprocess.run(["node", os.path.join(HERE, "validator", "validate.cjs"), path], capture_output=True,
                         text=True, timeout=120)
    t.ok(out.returncode == 0 and f"validated {len(resources)} resources, 0 errors" in out.stdout,
         f"{label}: {len(resources)} resources valid R4: {out.stdout[-2000:]} {out.stderr[-500:]}")


# ---- issue 16.2: every resource hemgang emitted above, every bundle posted, every documented example is valid R4 ----
HERE = os.path.dirname(os.path.abspath(__file__))
kinds = sorted({r["resourceType"] for r in emitted})
t.ok({"CapabilityStatement", "Bundle", "Encounter", "OperationOutcome"} <= set(kinds), f"emitted kinds: {kinds}")
validate("emitted", emitted)
validate("sent", sent)
with open(os.path.join(HERE, "..", "..", "docs", "interop.md")) as f:
    docs = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", f.read(), re.S)]
t.ok(len(docs) >= 2, f"docs/interop.md has its JSON examples ({len(docs)})")
validate("docs", docs)
t.finish()
