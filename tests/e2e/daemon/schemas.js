// Ajv validators for the API schemas in schemas/api (the same files the
// daemon compiles in): every result the tests see is checked against them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Ajv2020 = require('ajv/dist/2020');
const { repo } = require('./daemon');

const ajv = new Ajv2020({ strict: true, allErrors: true });
const dir = path.join(repo, 'schemas/api');
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.schema.json')))
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));

/** Throws unless `value` matches e.g. ('compile/start', 'jobResult'). */
function check(method, part, value) {
  const [ns, name] = method.split('/');
  const ref = `${ns}.schema.json#/$defs/${name}.${part}`;
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`no schema ${ref}`);
  if (!validate(value))
    throw new Error(`${ref}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
  return value;
}

module.exports = { check, ajv };
