import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger, isoTimeByMillisecond, LazyChildLogger } from './logger.ts';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('logger redacts credentials wherever they sit', async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ service: 'test', level: 'info', destination });
  logger.info({ req: { headers: { authorization: 'Bearer aaa.bbb.ccc', cookie: 'ms_refresh=r1', 'x-csrf-token': 'c1' } } }, 'request');
  logger.info({ res: { headers: { 'set-cookie': ['ms_refresh=r2; HttpOnly'] } } }, 'response');
  logger.info({ body: { password: 'p1', current_password: 'p2', new_password: 'p3', refresh_token: 'r3', access_token: 'a1' } }, 'body');
  logger.info({ password: 'p4', token: 't1', cookie: 'ms_csrf=c2' }, 'top level');
  const all = lines.join('');
  for (const secret of ['aaa.bbb.ccc', 'r1', 'c1', 'r2', 'p1', 'p2', 'p3', 'r3', 'a1', 'p4', 't1', 'c2']) {
    assert.ok(!new RegExp(`\\b${secret.replace(/\./g, '\\.')}\\b`).test(all), `${secret} was logged: ${all}`);
  }
  assert.equal(all.split('[redacted]').length - 1, 12);
});

test('log time is the current millisecond in ISO 8601', () => {
  // Asked many times in a row, so that several calls fall in one millisecond and reuse its text.
  let previous = '';
  let changes = 0;
  for (let call = 0; call < 20_000; call += 1) {
    const before = Date.now();
    const field = isoTimeByMillisecond();
    const after = Date.now();
    const match = /^,"time":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"$/.exec(field);
    assert.ok(match, `unexpected time field ${field}`);
    const time = Date.parse(match[1]);
    assert.ok(time >= before, `${match[1]} is before ${before}`);
    assert.ok(time <= after, `${match[1]} is after ${after}`);
    if (field !== previous) changes += 1;
    previous = field;
  }
  assert.ok(changes > 1, 'the time never moved on');
});

test('lazy request logger keeps redaction', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const parent = createLogger({ service: 'test', level: 'info', destination });
  let children = 0;
  const child = parent.child.bind(parent);
  parent.child = ((...args: Parameters<typeof child>) => {
    children += 1;
    return child(...args);
  }) as typeof parent.child;

  const logger = new LazyChildLogger(parent, { reqId: 'req-1' });
  assert.equal(logger.level, 'info');
  assert.equal(children, 0);

  logger.info({ password: 'p1' }, 'first');
  logger.warn('second');
  assert.equal(children, 1);
  const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(first.reqId, 'req-1');
  assert.equal(first.password, '[redacted]');
  assert.equal(second.reqId, 'req-1');
  assert.equal(second.level, 40);
});

test('buffered lines written at exit', () => {
  const script = [
    "import { createLogger } from './src/common/logger.ts';",
    "const logger = createLogger({ service: 'exit-test', level: 'info' });",
    "logger.info('before exit');",
    'process.exit(0);',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const line = JSON.parse(result.stdout.trim()) as Record<string, unknown>;
  assert.equal(line.msg, 'before exit');
  assert.equal(line.service, 'exit-test');
});
