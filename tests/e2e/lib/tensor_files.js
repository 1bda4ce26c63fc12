// tensor_files.js - the file naming of the `openopt run` contract: a tensor named N is stored as
// DIR/<N with every character outside [A-Za-z0-9_.-] replaced by '_'>.npy.
'use strict';
const path = require('path');

function sanitizeName(name) {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function tensorPath(dir, name) {
  return path.join(dir, sanitizeName(name) + '.npy');
}

module.exports = { sanitizeName, tensorPath };
