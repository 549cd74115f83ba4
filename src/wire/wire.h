/*
 * wire.h - the wire-format layer (src/wire): how hemgang's values look outside
 * the process, as JSON for the API and the CLI, as CSV for Swedish Excel, as
 * XLSX and as PDF.
 *
 * What lives here: the JSON codecs (event_json, episode_json, agreement_json,
 * followup_json, whatif_json) and the writers of files people open
 * (invoice_export: CSV, XLSX, PDF; sip_pdf: the printable SIP). One codec per
 * thing, shared by `hemgang ...` and /api/v1/..., so that a figure looks the
 * same in both; the store keeps events and agreements as the canonical JSON
 * text of these codecs.
 *
 * The rule of the layer: a file here may include src/core and the store's
 * port and row types (store/store.h and the feature stores' *_store.h: what it
 * renders is what the store returns; whatif_json reads through that port), and
 * the format libraries (Jansson, libxlsxwriter, libharu). It never includes
 * src/http, src/cli, src/hl7 or src/fhir, and it decides no rule: a deadline,
 * a liability figure or who may see what is the core's answer, written here.
 *
 * Names: the codecs keep the names they had (episode_state_to_json,
 * event_from_json, ...), which dozens of call sites use; a helper shared by
 * several codecs or writers is named wire_ and declared in this header, and a
 * writer for a concept that spans layers carries the layer in its name
 * (wire_invoice_*).
 */
#ifndef HG_WIRE_WIRE_H
#define HG_WIRE_WIRE_H

#endif
