/**
 * The API reference page /docs (Swagger UI) in Chromium, served by a gateway
 * in front of fake services: it renders the operations of the OpenAPI
 * document under its Content-Security-Policy, with no violation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { FakeUpstream, startTestGateway, type TestGateway } from '../../src/gateway/test-support.ts';
import { browserSkipReason, launchChromium, saveScreenshot } from './support.ts';

const skip = browserSkipReason();

let upstream: FakeUpstream;
let gateway: TestGateway;
let browser: Browser;
let page: Page;
/** Console messages that name the Content-Security-Policy, and uncaught page errors. */
const problems: string[] = [];
/** Requests the page tried to send to another host; they are aborted. */
const offHostRequests: string[] = [];

describe('API docs page in Chromium', { skip, timeout: 120_000 }, () => {
  before(async () => {
    upstream = await FakeUpstream.start();
    gateway = await startTestGateway({ auth: upstream.url, chat: upstream.url });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The page must need nothing from other hosts, and the test sends nothing there.
    await context.route(
      (url) => url.origin !== gateway.url,
      (route) => {
        offHostRequests.push(route.request().url());
        return route.abort();
      },
    );
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });

  after(async () => {
    await browser?.close();
    await gateway?.close();
    await upstream?.stop();
  });

  it('renders with no CSP violation', async () => {
    const response = await page.goto(`${gateway.url}/docs`);
    assert.equal(response?.status(), 200);
    await page.locator('.swagger-ui .info .title', { hasText: 'Mad Scientist API' }).waitFor();
    await page.locator('.opblock-tag', { hasText: 'auth' }).waitFor();
    await page.locator('.opblock-summary-path', { hasText: '/api/chat/message' }).first().waitFor();

    // Opening an operation renders its parameters, schemas and response tables.
    await page.locator('.opblock-summary', { hasText: '/api/auth/login' }).first().click();
    await page.locator('.opblock-body').first().waitFor();
    await saveScreenshot(page, 'api-docs');

    assert.deepEqual(problems, [], 'the docs page needs something its policy blocks');
    assert.deepEqual(offHostRequests, [], 'the docs page loads resources from other hosts');
    // The page's policy is as strict as the rest of the site's, apart from data: images.
    const policy = (await response?.allHeaders())?.['content-security-policy'] ?? '';
    assert.match(policy, /style-src 'self'(;|$)/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.match(policy, /frame-ancestors 'none'/);
  });
});
