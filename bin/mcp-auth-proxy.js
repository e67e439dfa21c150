#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts faster without its ESM loader (scripts/build.mjs).
require('../dist/cli.js');
