import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from './logger.ts';

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
