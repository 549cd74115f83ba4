/*
 * fhir.h - FHIR R4 messaging and the read side (/fhir/...): the message
 * endpoint $process-message for Bundles modelled on MedCom's
 * HospitalNotification (and hemgang's own event codes for the SUS notices),
 * with reliable messaging on (Bundle.id, MessageHeader.id); the
 * CapabilityStatement at /fhir/metadata; and episodes rendered as Encounter
 * resources for authorised clients. Every event goes through the store, so
 * the core judges it exactly as it judges the JSON API's. docs/interop.md §3
 * is the conformance statement.
 */
#ifndef HG_FHIR_H
#define HG_FHIR_H

#include <stddef.h>

#include "http/http.h"

/* The route table (static storage) and its length; handlers take the api_app (http/api.h). */
const http_route *fhir_routes(size_t *n);

#endif
