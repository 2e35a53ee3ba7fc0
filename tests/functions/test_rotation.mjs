// The secrets-rotation function source, with an in-memory Secrets Manager and a fake `pg`.
//
//   node --test tests/functions/test_rotation.mjs
//
// ZTC_ROTATION names the file to test (tests/compute.rs passes the source ztc generated); without
// it, the template in backends/functions/secrets-rotation/ is tested. No AWS SDK is needed: the
// function loads it lazily and takes an injected client.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const source =
  process.env.ZTC_ROTATION || path.join(here, "../../backends/functions/secrets-rotation/index.mjs");
const fn = await import(pathToFileURL(path.resolve(source)).href);

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

function notFound(msg) {
  const e = new Error(msg);
  e.name = "ResourceNotFoundException";
  return e;
}

/** Secrets Manager for one secret: versions with stages, as RotateSecret leaves them. */
class FakeSecretsManager {
  constructor(value) {
    this.versions = new Map([["v1", { stages: ["AWSCURRENT"], value: JSON.stringify(value) }]]);
    this.rotationEnabled = true;
    this.policies = [];
    this.passwords = ["Gen3rated-Passw0rd-1", "Gen3rated-Passw0rd-2"];
  }
  /** What RotateSecret does before calling the function: stage the token as AWSPENDING. */
  startRotation(token) {
    for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== "AWSPENDING");
    this.versions.set(token, { stages: ["AWSPENDING"], value: null });
  }
  current() {
    for (const [id, v] of this.versions) if (v.stages.includes("AWSCURRENT")) return { id, ...v };
    return null;
  }
  async describeSecret({ SecretId }) {
    assert.equal(SecretId, ARN);
    const map = {};
    for (const [id, v] of this.versions) if (v.stages.length) map[id] = [...v.stages];
    return { ARN, RotationEnabled: this.rotationEnabled, VersionIdsToStages: map };
  }
  async getSecretValue({ SecretId, VersionStage, VersionId }) {
    assert.equal(SecretId, ARN);
    for (const [id, v] of this.versions) {
      if (VersionId && id !== VersionId) continue;
      if (VersionStage && !v.stages.includes(VersionStage)) continue;
      if (v.value === null) throw notFound(`no value for ${id}`);
      return { ARN, VersionId: id, SecretString: v.value, VersionStages: v.stages };
    }
    throw notFound(`no version ${VersionId ?? ""} ${VersionStage ?? ""}`);
  }
  async putSecretValue({ SecretId, ClientRequestToken, SecretString, VersionStages }) {
    assert.equal(SecretId, ARN);
    const v = this.versions.get(ClientRequestToken) ?? { stages: [] };
    v.value = SecretString;
    v.stages = [...new Set([...v.stages, ...VersionStages])];
    this.versions.set(ClientRequestToken, v);
    return { ARN, VersionId: ClientRequestToken };
  }
  async updateSecretVersionStage({ SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId }) {
    assert.equal(SecretId, ARN);
    assert.equal(VersionStage, "AWSCURRENT");
    const from = this.versions.get(RemoveFromVersionId);
    from.stages = from.stages.filter((s) => s !== "AWSCURRENT");
    if (!from.stages.includes("AWSPREVIOUS")) from.stages.push("AWSPREVIOUS");
    const to = this.versions.get(MoveToVersionId);
    to.stages = [...to.stages.filter((s) => s !== "AWSPENDING"), "AWSCURRENT"];
    return { ARN };
  }
  async getRandomPassword(policy) {
    this.policies.push(policy);
    return { RandomPassword: this.passwords.shift() };
  }
}

/** A `pg` module whose database knows one user and its password. */
function fakePg(users) {
  const log = [];
  class Client {
    constructor(cfg) {
      this.cfg = cfg;
    }
    async connect() {
      log.push(["connect", this.cfg.user, this.cfg.password, this.cfg.host, this.cfg.ssl]);
      if (users[this.cfg.user] !== this.cfg.password) throw new Error("password authentication failed");
    }
    escapeIdentifier(s) {
      return `"${s.replace(/"/g, '""')}"`;
    }
    escapeLiteral(s) {
      return `'${s.replace(/'/g, "''")}'`;
    }
    async query(sql) {
      log.push(["query", sql]);
      const m = /^ALTER USER "(.+)" WITH PASSWORD '(.+)'$/.exec(sql);
      if (m) users[m[1].replace(/""/g, '"')] = m[2].replace(/''/g, "'");
      return { rows: [] };
    }
    async end() {}
  }
  return { pg: { Client }, log, users };
}

async function rotateAll(sm, token, deps) {
  sm.startRotation(token);
  for (const Step of ["createSecret", "setSecret", "testSecret", "finishSecret"]) {
    await fn.rotate({ SecretId: ARN, ClientRequestToken: token, Step }, { sm, env: {}, ...deps });
  }
}

test("the handler and the step function are exported", () => {
  assert.equal(typeof fn.handler, "function");
  assert.equal(typeof fn.rotate, "function");
});

test("a rotation without a database replaces the password and moves AWSCURRENT", async () => {
  const sm = new FakeSecretsManager({ username: "app", password: "old-password", engine: "postgres" });
  await rotateAll(sm, "token-1", { env: {} });
  const cur = sm.current();
  assert.equal(cur.id, "token-1");
  const value = JSON.parse(cur.value);
  assert.deepEqual(value, { username: "app", password: "Gen3rated-Passw0rd-1", engine: "postgres" });
  assert.deepEqual(sm.versions.get("v1").stages, ["AWSPREVIOUS"]);
  // the default password policy
  assert.deepEqual(sm.policies, [
    {
      PasswordLength: 32,
      ExcludePunctuation: false,
      ExcludeCharacters: "/@\"'\\ ",
      IncludeSpace: false,
      RequireEachIncludedType: true,
    },
  ]);
});

test("the password policy comes from the environment", async () => {
  const sm = new FakeSecretsManager({ username: "app", password: "old" });
  sm.startRotation("t");
  await fn.rotate(
    { SecretId: ARN, ClientRequestToken: "t", Step: "createSecret" },
    { sm, env: { PASSWORD_LENGTH: "20", EXCLUDE_PUNCTUATION: "true" } },
  );
  assert.equal(sm.policies[0].PasswordLength, 20);
  assert.equal(sm.policies[0].ExcludePunctuation, true);
});

test("createSecret is idempotent", async () => {
  const sm = new FakeSecretsManager({ username: "app", password: "old" });
  sm.startRotation("t");
  const ev = { SecretId: ARN, ClientRequestToken: "t", Step: "createSecret" };
  await fn.rotate(ev, { sm, env: {} });
  await fn.rotate(ev, { sm, env: {} });
  assert.equal(sm.policies.length, 1, "a retried createSecret does not generate again");
  assert.equal(JSON.parse(sm.versions.get("t").value).password, "Gen3rated-Passw0rd-1");
});

test("with a database, setSecret changes the user's password and testSecret logs in", async () => {
  const db = fakePg({ "app-user": "old-password" });
  const sm = new FakeSecretsManager({ username: "app-user", password: "old-password" });
  const env = { DB_HOST: "db.internal", DB_PORT: "5433", DB_NAME: "payments" };
  await rotateAll(sm, "token-2", { env, pg: db.pg });
  assert.equal(db.users["app-user"], "Gen3rated-Passw0rd-1");
  const alter = db.log.find((e) => e[0] === "query" && e[1].startsWith("ALTER USER"));
  assert.equal(alter[1], `ALTER USER "app-user" WITH PASSWORD 'Gen3rated-Passw0rd-1'`);
  const connects = db.log.filter((e) => e[0] === "connect");
  assert.ok(connects.every((c) => c[3] === "db.internal" && c[4].rejectUnauthorized === true));
  // the last login (testSecret) used the new password
  assert.equal(connects.at(-1)[2], "Gen3rated-Passw0rd-1");
  assert.equal(sm.current().id, "token-2");
});

test("setSecret fails loudly when DB_HOST is set but pg is not bundled", async () => {
  const sm = new FakeSecretsManager({ username: "app", password: "old" });
  sm.startRotation("t");
  await fn.rotate({ SecretId: ARN, ClientRequestToken: "t", Step: "createSecret" }, { sm, env: {} });
  await assert.rejects(
    fn.rotate({ SecretId: ARN, ClientRequestToken: "t", Step: "setSecret" }, { sm, env: { DB_HOST: "db" } }),
    /pg/,
  );
});

test("events that are not part of a rotation are rejected", async () => {
  const sm = new FakeSecretsManager({ username: "app", password: "old" });
  await assert.rejects(
    fn.rotate({ SecretId: ARN, ClientRequestToken: "unknown", Step: "createSecret" }, { sm, env: {} }),
    /no stage for rotation/,
  );
  sm.startRotation("t");
  await assert.rejects(
    fn.rotate({ SecretId: ARN, ClientRequestToken: "t", Step: "dance" }, { sm, env: {} }),
    /unknown rotation step/,
  );
  sm.rotationEnabled = false;
  await assert.rejects(
    fn.rotate({ SecretId: ARN, ClientRequestToken: "t", Step: "createSecret" }, { sm, env: {} }),
    /not enabled for rotation/,
  );
  await assert.rejects(fn.rotate({}, { sm, env: {} }), /SecretId/);
});

test("a step for the AWSCURRENT version does nothing", async () => {
  const sm = new FakeSecretsManager({ username: "app", password: "old" });
  await fn.rotate({ SecretId: ARN, ClientRequestToken: "v1", Step: "finishSecret" }, { sm, env: {} });
  assert.equal(sm.current().id, "v1");
});

test("testSecret rejects a malformed pending value", async () => {
  const sm = new FakeSecretsManager({ username: "app", password: "old" });
  sm.startRotation("t");
  await sm.putSecretValue({ SecretId: ARN, ClientRequestToken: "t", SecretString: "{}", VersionStages: ["AWSPENDING"] });
  await assert.rejects(
    fn.rotate({ SecretId: ARN, ClientRequestToken: "t", Step: "testSecret" }, { sm, env: {} }),
    /username/,
  );
});
