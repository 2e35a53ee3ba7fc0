#!/usr/bin/env node
// A minimal LSP client for tests/lsp.rs: starts yaml-language-server over stdio, opens documents,
// asks for completions and hovers at given positions, collects the published diagnostics, and
// prints one JSON object.
//
//   node tests/lsp/client.js < request.json
//
// request: {"documents": [{"uri": "file:///…", "text": "…",
//                          "completions": [[line, character], …], "hovers": [[line, character], …]}],
//           "settings": {…}   (optional, merged over the `yaml` settings below)}
// stdout:  {"server": "<version>", "documents": [{"uri", "diagnostics": [{line, character, severity,
//           message, source}], "completions": [{"at": [l, c], "labels": [...]}],
//           "hovers": [{"at": [l, c], "text": "…" | null}]}]}
// Lines and characters are 0-based (LSP). Exit 2 when the server package cannot be found (MISSING
// on stderr), 1 on protocol errors or timeouts.
//
// The server comes from NODE_PATH, else ${ZTC_TOOLS:-<repo>/.tools}/node/node_modules. The schema
// store is disabled, so nothing is fetched from the network: schemas come from `$schema` modelines.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

function serverScript() {
  const candidates = [];
  try {
    candidates.push(path.dirname(require.resolve("yaml-language-server/package.json")));
  } catch (_) {
    /* not on NODE_PATH */
  }
  const tools = process.env.ZTC_TOOLS || path.join(__dirname, "..", "..", ".tools");
  candidates.push(path.join(tools, "node", "node_modules", "yaml-language-server"));
  for (const dir of candidates) {
    const bin = path.join(dir, "bin", "yaml-language-server");
    if (fs.existsSync(bin)) {
      return { bin, version: JSON.parse(fs.readFileSync(path.join(dir, "package.json"))).version };
    }
  }
  console.error("MISSING: yaml-language-server not found (NODE_PATH or " + tools +
    "/node/node_modules); run scripts/install-test-tools.sh");
  process.exit(2);
}

const TIMEOUT_MS = Number(process.env.ZTC_LSP_TIMEOUT_MS || 60000);
const request = JSON.parse(fs.readFileSync(0, "utf8"));
const { bin, version } = serverScript();
const settings = {
  yaml: Object.assign(
    {
      validate: true,
      hover: true,
      completion: true,
      format: { enable: false },
      schemaStore: { enable: false, url: "" },
      schemas: {},
      disableAdditionalProperties: false,
      maxItemsComputed: 5000,
    },
    request.settings || {}
  ),
  http: { proxy: "", proxyStrictSSL: true },
  editor: { tabSize: 2 },
  "[yaml]": {},
  files: {},
};

const child = spawn(process.execPath, [bin, "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
let stderr = "";
child.stderr.on("data", (d) => (stderr += d));
const fail = (msg) => {
  console.error("LSP CLIENT ERROR: " + msg + (stderr ? "\nserver stderr:\n" + stderr.slice(-4000) : ""));
  child.kill();
  process.exit(1);
};
const timer = setTimeout(() => fail("timed out after " + TIMEOUT_MS + " ms"), TIMEOUT_MS);
child.on("exit", (code) => {
  if (!done) fail("server exited early with " + code);
});

// --- framing -------------------------------------------------------------------------------------
let buf = Buffer.alloc(0);
let nextId = 1;
let done = false;
const pending = new Map();
const diagnostics = new Map(); // uri -> {version: n, items}
const diagWaiters = [];

function send(msg) {
  const body = Buffer.from(JSON.stringify(Object.assign({ jsonrpc: "2.0" }, msg)), "utf8");
  child.stdin.write("Content-Length: " + body.length + "\r\n\r\n");
  child.stdin.write(body);
}
function call(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
const notify = (method, params) => send({ method, params });

function configFor(section) {
  if (!section) return settings;
  return section.split(".").reduce((o, k) => (o && k in o ? o[k] : null), settings);
}

function onMessage(m) {
  if (m.id !== undefined && m.method === undefined) {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(p.method + ": " + JSON.stringify(m.error)));
    else p.resolve(m.result);
    return;
  }
  if (m.id !== undefined) {
    // a request from the server
    let result = null;
    if (m.method === "workspace/configuration") {
      result = (m.params.items || []).map((it) => configFor(it.section));
    }
    send({ id: m.id, result });
    return;
  }
  if (m.method === "textDocument/publishDiagnostics") {
    const prev = diagnostics.get(m.params.uri);
    diagnostics.set(m.params.uri, { n: prev ? prev.n + 1 : 1, items: m.params.diagnostics });
    diagWaiters.splice(0).forEach((w) => w());
  }
}

child.stdout.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const sep = buf.indexOf("\r\n\r\n");
    if (sep < 0) return;
    const header = buf.slice(0, sep).toString("ascii");
    const len = Number((/Content-Length: *(\d+)/i.exec(header) || [])[1]);
    if (!(len >= 0)) return fail("bad header " + JSON.stringify(header));
    if (buf.length < sep + 4 + len) return;
    const body = buf.slice(sep + 4, sep + 4 + len).toString("utf8");
    buf = buf.slice(sep + 4 + len);
    onMessage(JSON.parse(body));
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nextDiagnostics = () => new Promise((r) => diagWaiters.push(r));

// Wait until diagnostics for `uri` were published and then stayed unchanged for `quietMs`.
async function settledDiagnostics(uri, quietMs) {
  while (!diagnostics.has(uri)) await nextDiagnostics();
  for (;;) {
    const n = diagnostics.get(uri).n;
    await sleep(quietMs);
    if (diagnostics.get(uri).n === n) return diagnostics.get(uri).items;
  }
}

function hoverText(h) {
  if (!h || !h.contents) return null;
  const c = h.contents;
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((x) => (typeof x === "string" ? x : x.value)).join("\n");
  return c.value;
}

async function main() {
  await call("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
      textDocument: {
        completion: { completionItem: { snippetSupport: true, documentationFormat: ["markdown", "plaintext"] } },
        hover: { contentFormat: ["markdown", "plaintext"] },
        publishDiagnostics: { relatedInformation: false },
      },
    },
    initializationOptions: {},
  });
  notify("initialized", {});
  notify("workspace/didChangeConfiguration", { settings });

  const out = [];
  for (const doc of request.documents) {
    notify("textDocument/didOpen", {
      textDocument: { uri: doc.uri, languageId: "yaml", version: 1, text: doc.text },
    });
    const diags = await settledDiagnostics(doc.uri, 300);
    const completions = [];
    for (const [line, character] of doc.completions || []) {
      const r = await call("textDocument/completion", { textDocument: { uri: doc.uri }, position: { line, character } });
      const items = Array.isArray(r) ? r : (r && r.items) || [];
      completions.push({ at: [line, character], labels: items.map((i) => i.label) });
    }
    const hovers = [];
    for (const [line, character] of doc.hovers || []) {
      const r = await call("textDocument/hover", { textDocument: { uri: doc.uri }, position: { line, character } });
      hovers.push({ at: [line, character], text: hoverText(r) });
    }
    notify("textDocument/didClose", { textDocument: { uri: doc.uri } });
    out.push({
      uri: doc.uri,
      diagnostics: diags.map((d) => ({
        line: d.range.start.line,
        character: d.range.start.character,
        severity: d.severity,
        message: d.message,
        source: d.source || null,
      })),
      completions,
      hovers,
    });
  }
  done = true;
  await call("shutdown", null).catch(() => null);
  notify("exit", null);
  clearTimeout(timer);
  process.stdout.write(JSON.stringify({ server: version, documents: out }) + "\n");
  setTimeout(() => child.kill(), 200).unref();
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
