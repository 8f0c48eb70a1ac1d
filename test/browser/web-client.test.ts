/**
 * The web client in Chromium against the real stack: auth service, chat
 * service and gateway started in this process on free ports, the gateway
 * serving the built client. Steps run in order and build on each other.
 * Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { startAuthService } from '../../src/auth/server.ts';
import { startChatService } from '../../src/chat/server.ts';
import type { Env } from '../../src/common/config.ts';
import { createTestStorage, TEST_JWT_SECRET, type TestStorage } from '../../src/common/test-support.ts';
import { startGateway } from '../../src/gateway/server.ts';
import { browserSkipReason, ensureWebBuild, eventually, launchChromium, saveScreenshot } from './support.ts';

interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

const skip = browserSkipReason();
const username = `lab_${Date.now().toString(36)}`;
const email = `${username}@example.com`;
const password = 'bubbling beakers 42';
/** Where older versions of the client stored the refresh token; the current one keeps it in an HttpOnly cookie. */
const REFRESH_TOKEN_KEY = 'mad-scientist.refresh-token';

let storage: TestStorage;
let chatEnv: Env;
let auth: Running;
/** Undefined while the test has the chat service stopped. */
let chat: Running | undefined;
let gateway: Running;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Console messages about resources the Content-Security-Policy blocked. */
const cspViolations: string[] = [];

/** Calls the gateway from Node, for setup that the browser need not click through. */
async function api(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<any> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${gateway.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await response.json();
  assert.ok(response.ok, `${method} ${path} returned ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

function messageItems() {
  return page.locator('.messages > li');
}

async function openAccountPanel(): Promise<void> {
  if ((await page.locator('.avatar-toggle').getAttribute('aria-expanded')) !== 'true') await page.locator('.avatar-toggle').click();
  await page.locator('#account-panel').waitFor({ state: 'visible' });
}

async function closeAccountPanel(): Promise<void> {
  if ((await page.locator('.avatar-toggle').getAttribute('aria-expanded')) === 'true') await page.keyboard.press('Escape');
  await page.locator('#account-panel').waitFor({ state: 'hidden' });
}

async function waitForSignedIn(): Promise<void> {
  await page.locator('.avatar-name', { hasText: username }).waitFor();
}

/** The refresh cookie as the browser holds it, or undefined. */
async function refreshCookie() {
  return (await context.cookies(`${gateway.url}/api/auth/refresh`)).find((cookie) => cookie.name === 'ms_refresh');
}

/** Everything page scripts can read: localStorage, sessionStorage and document.cookie. */
async function scriptVisibleState(): Promise<string> {
  return page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
}

describe('web client in Chromium', { skip, timeout: 300_000 }, () => {
  before(async () => {
    const webRoot = ensureWebBuild();
    storage = createTestStorage('browser');
    // A short delay between words, so the reply arrives in several parts the page can observe.
    chatEnv = { ...storage.env, PORT: '0', PERSONA_STREAM_DELAY_MS: '30' };
    const [startedAuth, startedChat] = await Promise.all([startAuthService({ ...storage.env, PORT: '0' }), startChatService(chatEnv)]);
    auth = startedAuth;
    chat = startedChat;
    gateway = await startGateway({
      ...storage.env,
      PORT: '0',
      AUTH_SERVICE_URL: auth.url,
      CHAT_SERVICE_URL: startedChat.url,
      WEB_ROOT: webRoot,
      HEALTH_CHECK_INTERVAL_MS: '500',
      BREAKER_OPEN_MS: '500',
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    const running = [gateway, chat, auth].filter((service): service is Running => service !== undefined);
    await Promise.all(running.map((service) => service.close()));
    await storage?.cleanup();
  });

  it('register shows field errors, then succeeds', async () => {
    await page.goto(gateway.url);
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Username', { exact: true }).fill('x!');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();

    // Each message comes from the API's error.details and sits under its own field.
    for (const field of ['username', 'email', 'password']) {
      await page.locator(`#register-${field}-error`).waitFor();
      assert.equal(await page.locator(`#register-${field}`).getAttribute('aria-invalid'), 'true', `${field} is not marked invalid`);
    }

    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await waitForSignedIn();
    // The refresh token sits in an HttpOnly cookie only the browser sends, never where a script could read it.
    const cookie = await refreshCookie();
    assert.ok(cookie, 'no refresh cookie was set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/api/auth');
    const visible = await scriptVisibleState();
    assert.ok(!visible.includes(cookie.value), 'page scripts can read the refresh token');
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), REFRESH_TOKEN_KEY), null);
    assert.match(visible, /ms_csrf=/, 'the CSRF cookie the client needs is missing');
  });

  it('taken username is named under its field', async () => {
    await openAccountPanel();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Username', { exact: true }).fill(username.toUpperCase());
    await page.getByLabel('Email').fill(`other-${email}`);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#register-username-error').waitFor();
    assert.equal(await page.locator('#register-email-error').count(), 0);
  });

  it('login with wrong then right password', async () => {
    await page.getByRole('tab', { name: 'Log in' }).click();
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.locator('.auth-form [role=alert]');
    await alert.waitFor();
    const alertText = await alert.innerText();
    assert.match(alertText, /incorrect/i);
    assert.match(alertText, /Request id: \S+/);
    assert.doesNotMatch(alertText, /[{}]/, 'the error shows raw JSON');

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await waitForSignedIn();
  });

  it('reply streams in parts', async () => {
    await page.locator('.empty-conversation').waitFor();
    await page.evaluate(() => {
      const parts: string[] = [];
      (window as unknown as { replyParts: string[] }).replyParts = parts;
      const observer = new MutationObserver(() => {
        const text = document.querySelector('.message-assistant[data-state="streaming"] .message-text')?.textContent ?? '';
        if (text && parts.at(-1) !== text) parts.push(text);
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    const input = page.getByLabel('Message to the scientist');
    await input.fill('<b>bold</b> <img src=x onerror="window.injected=1">');
    await input.press('Shift+Enter');
    await input.pressSequentially('Why is the sky blue?');
    await input.press('Enter');

    const reply = page.locator('.message-assistant[data-state="stored"]');
    await reply.waitFor();
    const finalText = (await reply.locator('.message-text').textContent()) ?? '';
    const parts = await page.evaluate(() => (window as unknown as { replyParts: string[] }).replyParts);
    assert.ok(parts.length >= 3, `expected the reply in several parts, saw ${parts.length}`);
    for (const part of parts) assert.ok(finalText.startsWith(part), `partial reply "${part}" is not a prefix of the final one`);
    assert.ok(finalText.length > parts[0].length);

    const announcement = await page.getByTestId('reply-announcement').textContent();
    assert.ok(announcement?.includes(finalText), 'the live region did not announce the reply');
    assert.equal(await input.inputValue(), '');
  });

  it('message text is never HTML', async () => {
    const bubble = page.locator('.message-user .message-text').first();
    const text = (await bubble.textContent()) ?? '';
    assert.ok(text.includes('<b>bold</b>'), `user message lost its markup characters: ${text}`);
    assert.ok(text.includes('\n'), 'Shift+Enter did not keep the line break');
    assert.equal(await bubble.locator('b, img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { injected?: number }).injected), undefined);
    assert.equal(await bubble.evaluate((element) => getComputedStyle(element).whiteSpace), 'pre-wrap');
  });

  it('reload keeps the session', async () => {
    const stored = (await refreshCookie())?.value;
    await page.reload();
    await waitForSignedIn();
    await page.locator('.message-user', { hasText: 'Why is the sky blue?' }).waitFor();
    const afterReload = (await refreshCookie())?.value;
    assert.equal(typeof afterReload, 'string');
    // Refresh tokens rotate, so the start-up refresh set a new cookie.
    assert.notEqual(afterReload, stored);
    assert.ok(!(await scriptVisibleState()).includes(afterReload!), 'page scripts can read the rotated refresh token');
  });

  it('expired access token refreshes once', async () => {
    const profile = await api('POST', '/api/auth/login', { body: { username, password } });
    const now = Math.floor(Date.now() / 1000);
    // Signed with the stack's secret and issuer, but expired an hour ago: the gateway returns 401 TOKEN_EXPIRED.
    const expired = await new SignJWT({ username })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(profile.user.id)
      .setJti(randomUUID())
      .setIssuer('mad-scientist-auth')
      .setAudience('mad-scientist')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));

    // Every request that carries the page's current access token gets the expired one instead.
    let staleToken: string | null = null;
    let replaced = 0;
    await page.route('**/api/**', async (route) => {
      const authorization = route.request().headers().authorization;
      staleToken ??= authorization ?? null;
      if (authorization && authorization === staleToken) {
        replaced += 1;
        return route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${expired}` } });
      }
      return route.continue();
    });
    const refreshes: Request[] = [];
    const onRequest = (request: Request) => {
      if (request.url().endsWith('/api/auth/refresh')) refreshes.push(request);
    };
    page.on('request', onRequest);
    const storedBefore = (await refreshCookie())?.value;

    const repliesBefore = await page.locator('.message-assistant[data-state="stored"]').count();
    try {
      const input = page.getByLabel('Message to the scientist');
      await input.fill('Does a stale token still work?');
      await input.press('Enter');
      const replied = await eventually(async () => (await page.locator('.message-assistant[data-state="stored"]').count()) > repliesBefore, 15_000);
      assert.ok(replied, 'no reply arrived after the token refresh');
    } finally {
      page.off('request', onRequest);
      await page.unroute('**/api/**');
    }

    assert.equal(replaced, 1, 'the message request did not go out with the expired token');
    assert.equal(refreshes.length, 1);
    assert.equal(await page.locator('.message-user[data-state="failed"]').count(), 0);
    const storedAfter = (await refreshCookie())?.value;
    assert.notEqual(storedAfter, storedBefore, 'the rotated refresh cookie was not kept');
    assert.equal(refreshes[0].postData(), null, 'the refresh request carried a body');
    assert.equal(typeof refreshes[0].headers()['x-csrf-token'], 'string');
  });

  it('scrolling up loads older history', async () => {
    const login = await api('POST', '/api/auth/login', { body: { username, password } });
    const { conversations } = await api('GET', '/api/chat/conversations', { token: login.access_token });
    const conversationId = conversations[0].id;
    for (let index = 1; index <= 14; index += 1) {
      await api('POST', '/api/chat/message', { token: login.access_token, body: { message: `Experiment number ${index}`, conversation_id: conversationId } });
    }
    // The first exchange, the one sent with the expired token, and the 14 above.
    const total = 2 + 2 + 14 * 2;

    await page.reload();
    await waitForSignedIn();
    await page.locator('.message-user', { hasText: 'Experiment number 14' }).waitFor();
    const firstPageCount = await messageItems().count();
    assert.ok(firstPageCount < total, `the first page already holds all ${total} messages`);

    const scroller = page.locator('.message-scroller');
    const initial = await scroller.evaluate((element) => {
      const first = element.querySelector('.messages > li') as HTMLElement;
      first.dataset.marker = 'first-before';
      element.scrollTop = 0;
      return { top: first.getBoundingClientRect().top - element.getBoundingClientRect().top };
    });
    const grew = await eventually(async () => (await messageItems().count()) > firstPageCount, 10_000);
    assert.ok(grew, 'no older page arrived after scrolling to the top');

    const afterLoad = await scroller.evaluate((element) => {
      const marked = element.querySelector('[data-marker="first-before"]') as HTMLElement;
      return { top: marked.getBoundingClientRect().top - element.getBoundingClientRect().top, scrollTop: element.scrollTop };
    });
    assert.ok(afterLoad.scrollTop > 100, `the view jumped to the top of the older page (scrollTop ${afterLoad.scrollTop})`);
    assert.ok(Math.abs(afterLoad.top - initial.top) < 60, `the message on screen moved from ${initial.top}px to ${afterLoad.top}px`);

    const reachedStart = await eventually(async () => {
      await scroller.evaluate((element) => {
        element.scrollTop = 0;
      });
      return (await page.locator('.history-start').count()) > 0;
    }, 15_000, 400);
    assert.ok(reachedStart, 'the start of the conversation was never reached');
    assert.equal(await messageItems().count(), total);
  });

  it('hidden chat loads no older pages', async () => {
    const historyRequests: string[] = [];
    const onRequest = (request: Request) => {
      if (request.url().includes('/api/chat/history')) historyRequests.push(request.url());
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${gateway.url}/#/status`);
      await page.reload();
      await waitForSignedIn();
      await page.locator('.status-card[data-service="chat"]').waitFor();
      await page.waitForTimeout(1500);
    } finally {
      page.off('request', onRequest);
    }
    assert.deepEqual(historyRequests, []);

    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.locator('.message-user', { hasText: 'Experiment number 14' }).waitFor();
    const atBottom = await eventually(
      () => page.locator('.message-scroller').evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight < 64),
      5000,
    );
    assert.ok(atBottom, 'the chat did not open at its newest message');
  });

  it('new avatar replaces the header image', async () => {
    const headerImage = page.locator('.avatar-toggle img.avatar');
    await headerImage.waitFor();
    const oldSource = await headerImage.getAttribute('src');
    await openAccountPanel();
    const select = page.getByLabel('Avatar style');
    const options = await select.locator('option').evaluateAll((elements) => elements.map((element) => (element as HTMLOptionElement).value));
    const current = await select.inputValue();
    const other = options.find((option) => option !== current) ?? current;
    await select.selectOption(other);
    await page.getByRole('button', { name: 'New avatar' }).click();

    await page.waitForFunction((previous) => document.querySelector('.avatar-toggle img.avatar')?.getAttribute('src') !== previous, oldSource);
    await page.waitForFunction(() => {
      const image = document.querySelector('.avatar-toggle img.avatar') as HTMLImageElement | null;
      return image !== null && image.complete && image.naturalWidth > 0;
    });
    const newSource = await headerImage.getAttribute('src');
    assert.notEqual(newSource, oldSource);
    assert.match(newSource ?? '', /^\/api\/chat\/avatars\/[^/]+\.svg$/);
    await closeAccountPanel();
  });

  it('Escape closes the account panel the moment it opens', async () => {
    // Open, let the page render, and press Escape before the browser paints: a listener that is
    // only added after paint misses this key, which is what a fast keyboard user does.
    const hiddenAfterEscape = await page.evaluate(async () => {
      document.querySelector<HTMLButtonElement>('.avatar-toggle')!.click();
      await Promise.resolve();
      await new Promise((resolve) => setTimeout(resolve, 0));
      const panel = document.getElementById('account-panel')!;
      if (panel.hidden) return 'the panel did not open';
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      return panel.hidden;
    });
    assert.equal(hiddenAfterEscape, true);
    await page.locator('#account-panel').waitFor({ state: 'hidden' });
  });

  it('screenshots of chat and status', async (t) => {
    t.after(() => page.setViewportSize({ width: 1280, height: 800 }));
    await page.getByRole('button', { name: /New conversation/ }).click();
    const input = page.getByLabel('Message to the scientist');
    await input.fill('Can we bring the lab skeleton back to life tonight?');
    await input.press('Enter');
    await page.locator('.message-assistant[data-state="stored"]').waitFor();
    await input.fill('What could possibly go wrong?');
    await input.press('Enter');
    await eventually(async () => (await page.locator('.message-assistant[data-state="stored"]').count()) === 2, 15_000);
    await saveScreenshot(page, 'chat');

    await page.setViewportSize({ width: 375, height: 760 });
    await saveScreenshot(page, 'chat-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 375px screen`);
    await page.getByRole('button', { name: 'Conversations' }).click();
    await page.locator('.chat-drawer-open').waitFor();
    // The drawer slides in; the screenshot waits until it is fully open.
    await page.waitForFunction(() => document.querySelector('.chat-drawer-open')?.getBoundingClientRect().left === 0);
    await saveScreenshot(page, 'chat-phone-drawer');
    await page.keyboard.press('Escape');
    await page.locator('.chat-drawer-open').waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: 'Conversations' }).evaluate((element) => element === document.activeElement), true);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole('link', { name: 'Status', exact: true }).click();
    for (const service of ['gateway', 'auth', 'chat']) await page.locator(`.status-card[data-service="${service}"]`).waitFor();
    assert.equal(await page.locator('.status-card[data-service="chat"]').getAttribute('data-status'), 'healthy');
    // Three polls give each sparkline a line to draw.
    const drawn = await eventually(async () => (await page.locator('.status-card[data-service="auth"] .sparkline-line').count()) > 0, 15_000, 500);
    assert.ok(drawn, 'the auth sparkline never drew a line');
    await page.waitForTimeout(3500);
    await saveScreenshot(page, 'status');
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
  });

  it('chat outage shows a notice, profile stays', async () => {
    const stopped = chat!;
    chat = undefined;
    await stopped.close();
    try {
      await showsTheOutage();
    } finally {
      // Started again even when a step above failed, so the tests after this one still have a chat service.
      chat = await startChatService({ ...chatEnv, PORT: String(stopped.port) });
    }
    assert.equal(chat.port, stopped.port);
  });

  async function showsTheOutage(): Promise<void> {
    await page.reload();
    await waitForSignedIn();
    const notice = page.getByTestId('dashboard-notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Chat history is unavailable/);
    await openAccountPanel();
    await page.locator('.account-profile', { hasText: email }).waitFor();
    await closeAccountPanel();
    await saveScreenshot(page, 'chat-outage');

    await page.getByRole('link', { name: 'Status', exact: true }).click();
    const chatCard = page.locator('.status-card[data-service="chat"]');
    const shownDown = await eventually(async () => (await chatCard.getAttribute('data-status')) === 'unhealthy', 15_000, 500);
    assert.ok(shownDown, 'the status page never showed the chat service as unhealthy');
    await saveScreenshot(page, 'status-outage');
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
  }

  it('chat recovers after the service restarts', async () => {
    const notice = page.getByTestId('dashboard-notice');
    const recovered = await eventually(async () => {
      if ((await notice.count()) === 0) return true;
      const retry = notice.getByRole('button', { name: 'Try again' });
      // The notice disappears between these reads when a reload already under way succeeds. The next
      // round then finds no notice, so a missing button is not a failure here.
      const enabled = await retry.isEnabled({ timeout: 1000 }).catch(() => false);
      if (enabled) await retry.click({ timeout: 1000 }).catch(() => undefined);
      return false;
    }, 20_000, 1000);
    assert.ok(recovered, 'the dashboard notice stayed after the chat service came back');
    await page.locator('.message-user').first().waitFor();
    assert.ok((await messageItems().count()) > 0);
    await page.locator('.conversation').first().waitFor();
  });

  it('stored markup is shown as text', async () => {
    const markup = '<script>window.injected = 2</script><img src=x onerror="window.injected = 3"> <a href="javascript:alert(1)">link</a>';
    const login = await api('POST', '/api/auth/login', { body: { username, password } });
    const sent = await api('POST', '/api/chat/message', { token: login.access_token, body: { message: markup } });
    const history = await api('GET', `/api/chat/history?conversation_id=${sent.conversation_id}`, { token: login.access_token });
    assert.equal(history.messages.find((message: { role: string }) => message.role === 'user').content, markup, 'the message was not stored byte for byte');

    await page.reload();
    await waitForSignedIn();
    await page.locator('.conversation', { hasText: '<script>' }).first().click();
    const bubble = page.locator('.message-user .message-text', { hasText: 'window.injected = 2' });
    await bubble.waitFor();
    assert.equal(await bubble.textContent(), markup);
    assert.equal(await page.locator('.messages script, .messages img[src="x"], .messages a[href^="javascript"]').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { injected?: number }).injected), undefined);
  });

  it('page runs under its CSP', async () => {
    const response = await page.request.get(gateway.url, { headers: { accept: 'text/html' } });
    const policy = response.headers()['content-security-policy'] ?? '';
    assert.match(policy, /script-src 'self'/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.equal(response.headers()['x-frame-options'], 'DENY');
    assert.deepEqual(cspViolations, [], 'the web client needs something the policy blocks');
  });
});
