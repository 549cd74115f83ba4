// validate.cjs FILE... - validates FHIR R4 resources with FHIR.js (the npm package `fhir`), which checks them
// against the R4 StructureDefinitions: element names, types, cardinalities, required elements and required
// bindings. Each FILE holds one JSON resource or a JSON array of them. Prints one line per error (warnings and
// information are not failures: FHIR.js reports unknown external value sets as such) and a closing
// "validated N resources, E errors"; exit status 1 when there is an error.
'use strict';
const fs = require('fs');
const { Fhir } = require('fhir');

const fhir = new Fhir();
let resources = 0;
let errors = 0;
for (const file of process.argv.slice(2)) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`${file}: not JSON: ${e.message}`);
    errors++;
    continue;
  }
  for (const [i, resource] of (Array.isArray(doc) ? doc : [doc]).entries()) {
    resources++;
    const result = fhir.validate(resource, { errorOnUnexpected: true });
    for (const m of result.messages.filter((m) => m.severity === 'error')) {
      console.log(`${file}[${i}] ${resource.resourceType}: ${m.location}: ${m.message}`);
      errors++;
    }
  }
}
console.log(`validated ${resources} resources, ${errors} errors`);
process.exit(errors ? 1 : 0);
