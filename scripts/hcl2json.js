#!/usr/bin/env node
// Parse every *.tf file of a directory with @cdktf/hcl2json (HashiCorp's Go HCL parser compiled to wasm).
//
//   node scripts/hcl2json.js DIR
//
// stdout: ONE JSON object {"<file name>": <parsed json>, ...} (file names relative to DIR, sorted).
// Exit 0 when every file parsed; exit 1 with "HCL PARSE ERROR: <file>: <message>" lines on stderr when
// any file did not parse; exit 2 on usage errors or when the parser package cannot be loaded.
// The package is found through NODE_PATH, else ${ZTC_TOOLS:-<repo>/.tools}/node/node_modules
// (installed by scripts/install-test-tools.sh).
"use strict";
const fs = require("fs");
const path = require("path");

function loadParser() {
  try {
    return require("@cdktf/hcl2json");
  } catch (e) {
    const tools = process.env.ZTC_TOOLS || path.join(__dirname, "..", ".tools");
    try {
      return require(path.join(tools, "node", "node_modules", "@cdktf", "hcl2json"));
    } catch (e2) {
      console.error("MISSING: @cdktf/hcl2json not found (NODE_PATH or " + tools +
        "/node/node_modules); run scripts/install-test-tools.sh");
      process.exit(2);
    }
  }
}

const msg = (err) => String(err && err.message ? err.message : err).replace(/\s+/g, " ").trim();

async function main() {
  const dir = process.argv[2];
  if (!dir || process.argv.length !== 3) {
    console.error("usage: node hcl2json.js DIR");
    process.exit(2);
  }
  let names;
  try {
    names = fs.readdirSync(dir).filter((f) => f.endsWith(".tf") &&
      fs.statSync(path.join(dir, f)).isFile()).sort();
  } catch (err) {
    console.error("cannot read directory " + dir + ": " + msg(err));
    process.exit(2);
  }
  const { parse } = loadParser();
  const out = {};
  const errors = [];
  for (const name of names) {
    try {
      out[name] = await parse(name, fs.readFileSync(path.join(dir, name), "utf8"));
    } catch (err) {
      errors.push("HCL PARSE ERROR: " + name + ": " + msg(err));
    }
  }
  if (errors.length) {
    console.error(errors.join("\n"));
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((err) => {
  console.error("hcl2json.js: " + msg(err));
  process.exit(2);
});
