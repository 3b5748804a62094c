// CommonJS: the ES module packages through require() (Node 20.19+, 22.12+).
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS is what this file checks */
const core = require('@tezsigner/core');
const testing = require('@tezsigner/core/testing');
const local = require('@tezsigner/local-adapter');
const http = require('@tezsigner/http-server');
const postgres = require('@tezsigner/postgres-adapter');
const block = testing.buildBlockRequest({ level: 1 });
const request = core.parseRequest(block, 'ed25519');
console.log(JSON.stringify({ kind: request.kind, level: request.level, vault: typeof local.LocalKeyVault, server: typeof http.startSignerServer, postgres: typeof postgres.PostgresWatermarkStore }));
