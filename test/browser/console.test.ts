/**
 * The review console in a real browser (Debian's Chromium through playwright-core) against the
 * real server, a worker and the emulator: a person finds a run waiting at the gate, plays its
 * clip beside the references, approves or rejects it, and raises a paused run's budget, each
 * from the page alone. Screenshots of each page land in .scenegate/test/screenshots. Pages of
 * other sites (served by the browser's request routing) try what an attacker would: framing the
 * console, reaching it by a name that resolves to 127.0.0.1, opening a hostile stored file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { GenerationHandle } from '../../client/generation-client';
import { startConsole, type ConsoleServer } from '../../client/console/serve';
import { loadCatalogue } from '../../common/catalogue-file';
import { stateDir } from '../../common/paths';
import { loadSettings } from '../../common/settings';
import { estimateCostUsd } from '../../schema/catalogue';
import { outputSeconds } from '../../schema/model-input';
import type { PlanInput } from '../../schema/plan';
import { testPlan, useGenerationEnv, type GenerationEnv } from '../helpers/generation-env';
import { waitForProgress, waitUntil } from '../helpers/wait';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshots = path.join(stateDir(loadSettings()), 'test', 'screenshots');
// Chromium resolves this name to 127.0.0.1, as an attacker's DNS would after rebinding
const reboundName = 'rebound.test';

let env: GenerationEnv;
let consoleServer: ConsoleServer;
let browser: Browser;
before(async () => {
  assert.ok(
    fs.existsSync(chromiumPath),
    `no Chromium at ${chromiumPath}: install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`
  );
  env = await useGenerationEnv(import.meta.url);
  consoleServer = await startConsole({
    generations: env.generations,
    storage: env.deps.storage,
    webUi: { url: 'http://127.0.0.1:8233', namespace: env.temporal.env.namespace ?? 'default' },
    host: '127.0.0.1',
    port: 0,
    pollMs: 250,
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      `--host-resolver-rules=MAP ${reboundName} 127.0.0.1`,
      // the console must hold in browsers that let another site's page reach loopback (Firefox, Safari)
      '--disable-features=LocalNetworkAccessChecks',
    ],
  });
  fs.mkdirSync(screenshots, { recursive: true });
});
beforeEach(() => env.emulator.reset());
// what the console's own pages broke of their content security policy: nothing, or the policy is wrong
const policyViolations: string[] = [];
afterEach(() => assert.deepEqual(policyViolations.splice(0), []));
after(async () => {
  await browser?.close();
  await consoleServer?.close();
  await env?.teardown();
});

const id = (name: string): string => `${name}-${Date.now()}`;

function watchPolicy(page: Page): Page {
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
  });
  return page;
}

/** A laptop's screen: what a person sees without scrolling. */
const viewport = { width: 1280, height: 800 };

async function openPage(urlPath: string): Promise<Page> {
  const page = watchPolicy(await browser.newPage({ viewport }));
  await page.goto(`${consoleServer.url}${urlPath}`);
  return page;
}

/**
 * An action's answer, in its form or, once a live redraw took the form away (a decided gate has
 * no Approve button, an ended run no budget), where the form was.
 */
async function answerTo(page: Page, formId: string, kind: 'ok' | 'refused'): Promise<string> {
  const answer = page.locator(`#${formId} output.${kind}, output.${kind}[data-for="${formId}"]`).first();
  await answer.waitFor();
  return answer.innerText();
}

function manualGatePlan(name: string, maxAttempts = 2) {
  const plan = testPlan(id(name), 3, {
    gate: { enabled: true, scorer: 'manual', maxAttempts, strengthStep: 0.1 },
    strategy: { mode: 'parallel', concurrency: 3 },
  });
  plan.consistencyGroups[0]!.description = 'Mara, a woman in her thirties with short dark hair';
  plan.consistencyGroups[1]!.description = 'the Lumen bottle, frosted glass with a blue cap';
  return plan;
}

/** What the first attempts of these scenes may cost on the emulator's model, as the workflow reserves it. */
function firstAttemptsUsd(plan: PlanInput, sceneIds: string[]): number {
  const model = loadCatalogue(loadSettings()).models.find((m) => m.id === 'scenegate/ip-adapter-video')!;
  return plan.scenes
    .filter((s) => sceneIds.includes(s.id))
    .reduce((sum, s) => sum + estimateCostUsd(model.pricing, outputSeconds(model, s.durationSec ?? 5)), 0);
}

/** The mean brightness (0..255) of the frame the nth video of the selector shows, drawn on a canvas. */
function frameBrightness(page: Page, selector: string, nth: number): Promise<number> {
  // run in the page, which has the DOM this file's types lack
  return page.evaluate(`(() => {
    const video = document.querySelectorAll(${JSON.stringify(selector)})[${nth}];
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0, video.videoWidth, video.videoHeight, 0, 0, 64, 36);
    const { data } = context.getImageData(0, 0, 64, 36);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += (data[i] + data[i + 1] + data[i + 2]) / 3;
    return sum / (data.length / 4);
  })()`);
}

/**
 * Waits for the run to succeed, then for its open page to say so without a reload: the live
 * stream must carry the end (under load it once stopped waking, nodejs/node#57736, see Nudges).
 */
async function finishedOnPage(page: Page, handle: GenerationHandle): Promise<void> {
  assert.equal((await handle.result()).status, 'succeeded');
  await page.locator('h1 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
}

test('a run waiting at the gate: listed under "needs me", its clip plays beside the references, approve lets it finish', async () => {
  await env.withWorker(async () => {
    const plan = manualGatePlan('console-approve');
    const handle = await env.generations.start(plan);
    await waitForProgress(handle, (p) => p.status === 'awaiting_approval');

    const list = await openPage('/?needs=me');
    try {
      const row = list.locator(`tr[data-id="${handle.id}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /awaiting approval/);
      assert.match(await row.innerText(), /a gate decision on s1 \(approve or reject it on its page\)/);
      assert.ok(
        (await row.getByRole('link', { name: 'Web UI' }).getAttribute('href'))?.endsWith(`/workflows/${handle.id}`)
      );
      await list.screenshot({ path: path.join(screenshots, 'console-list.png'), fullPage: true });
      await row.getByRole('link', { name: handle.id }).click();
      await list.waitForURL(`**/generations/${handle.id}`);

      const clip = list.locator('.gate-attempts video').first();
      await clip.waitFor();
      await waitUntil('the gate clip to play', () =>
        clip.evaluate((video) => (video as unknown as { readyState: number }).readyState >= 2)
      );
      const referencesShown = await list
        .locator('.references img')
        .evaluateAll(
          (imgs) => imgs.filter((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0).length
        );
      assert.equal(referencesShown, 2, 'both reference images load beside the clip');
      assert.match(await list.locator('.gate-status').innerText(), /awaiting approval/);
      const decision = await list.locator('#approve button').boundingBox();
      assert.ok(decision && decision.y + decision.height <= viewport.height, 'Approve is in view without scrolling');
      assert.match(await list.locator('.waiting').innerText(), /Approve or Reject beside the clip/);
      // what the person judges the clip against: the scene's prompt and each group's description
      assert.equal(
        await list.locator('.gate-attempts .prompt').innerText(),
        'PROMPT scene 1: Mara holds the Lumen bottle'
      );
      assert.equal(
        await list.locator('.reference[data-group="mara"] .description').innerText(),
        'Mara, a woman in her thirties with short dark hair'
      );
      assert.equal(
        await list.locator('.reference[data-group="lumen"] .description').innerText(),
        'the Lumen bottle, frosted glass with a blue cap'
      );
      // and what approving lets go: the other scenes, and what their first attempts may cost
      const estimate = firstAttemptsUsd(plan, ['s2', 's3']);
      assert.ok(estimate > 0);
      assert.match(
        await list.locator('.release').innerText(),
        new RegExp(
          `^Approving releases s2, s3: 2 scenes, estimated at most \\$${estimate.toFixed(2)} at one attempt each \\(\\$\\d+\\.\\d{2} of the budget left\\)\\.$`
        )
      );
      const webUi = await list.getByRole('link', { name: 'Open in the Temporal Web UI' }).getAttribute('href');
      assert.ok(webUi?.endsWith(`/workflows/${handle.id}`), webUi ?? 'no Web UI link');
      await list.screenshot({ path: path.join(screenshots, 'console-gate.png'), fullPage: true });
      await list.screenshot({ path: path.join(screenshots, 'console-gate-first-view.png') });

      await list.locator('#approve input[name="note"]').fill('looks like Mara');
      await list.locator('#approve button').click();
      assert.match(await answerTo(list, 'approve', 'ok'), /approved/i);
      // the page follows the run without a reload, through to the end
      await list.locator('h1 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
      assert.equal(await list.locator('#approve').count(), 0, 'a decided gate offers no decision');
      assert.match(
        await list.locator('output.ok[data-for="approve"]').innerText(),
        /approved/i,
        'the answer outlives its form'
      );
      assert.equal(await list.locator('.scene video').count(), 3, 'every scene clip is on the page');
      const finalVideo = await list.locator('a.final').getAttribute('href');
      const fetched = await fetch(`${consoleServer.url}${finalVideo}`);
      assert.equal(fetched.headers.get('content-type'), 'video/mp4', 'the finished run links its final video');
      // an ended run's row gives the limit it closed with
      await list.goto(`${consoleServer.url}/`);
      assert.match(await list.locator(`tr[data-id="${handle.id}"] td.num`).nth(1).innerText(), / \/ \$10\.00$/);
    } finally {
      await list.close();
    }
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal((await handle.progress()).gate.status, 'approved');
  });
});

test('an answered action redraws its page at once, not at the next poll', async () => {
  // this console looks for changes every ten minutes: only the action itself can redraw the gate
  const slow = await startConsole({
    generations: env.generations,
    storage: env.deps.storage,
    host: '127.0.0.1',
    port: 0,
    pollMs: 600_000,
  });
  try {
    await env.withWorker(async () => {
      const handle = await env.generations.start(manualGatePlan('console-nudge'));
      await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
      const page = watchPolicy(await browser.newPage({ viewport }));
      try {
        await page.goto(`${slow.url}/generations/${handle.id}`);
        // the page's stream has read the run once, so the approval below can only reach it by the nudge
        await page.locator('body[data-live="on"]').waitFor({ state: 'attached' });
        await page.locator('#approve button').click();
        assert.match(await answerTo(page, 'approve', 'ok'), /approved/i);
        await page.locator('.gate-status', { hasText: 'approved' }).waitFor({ timeout: 30_000 });
      } finally {
        await page.close();
      }
      assert.equal((await handle.result()).status, 'succeeded');
    });
  } finally {
    await slow.close();
  }
});

test('reject with a reason from the page: the answer says a stronger attempt follows, and the reason is kept', async () => {
  await env.withWorker(async () => {
    const handle = await env.generations.start(manualGatePlan('console-reject'));
    await waitForProgress(handle, (p) => p.status === 'awaiting_approval');
    const page = await openPage(`/generations/${handle.id}`);
    try {
      const shown = page.locator('.gate-attempts video').first();
      await waitUntil('the gate clip to show its frame', () =>
        shown.evaluate((video) => (video as unknown as { readyState: number }).readyState >= 2)
      );
      await shown.evaluate((video) => (video.id = 'first-clip'));
      await page.locator('#reject input[name="reason"]').fill('the bottle label is wrong');
      await page.locator('#reject button').click();
      const answer = await answerTo(page, 'reject', 'ok');
      assert.match(answer, /stronger|strength/i, answer);
      const after = await waitForProgress(
        handle,
        (p) => p.status === 'awaiting_approval' && p.scenes[0]!.history[1]?.clipPath != null
      );
      assert.equal(after.scenes[0]!.history[0]!.status, 'missed');
      assert.equal(after.scenes[0]!.history[0]!.note, 'the bottle label is wrong');
      // the first attempt, now missed, shows its reason on the page without a reload
      await page.locator('.attempt.missed .note', { hasText: 'the bottle label is wrong' }).waitFor();
      // and the stronger attempt's clip joins it
      await page.locator('.gate-attempts video').nth(1).waitFor();
      // the live redraw kept the first clip's element, with its frame, rather than loading it again into a black box
      assert.equal(await page.locator('.gate-attempts video').nth(1).getAttribute('id'), 'first-clip');
      await waitUntil('both gate clips to show a frame', () =>
        page
          .locator('.gate-attempts video')
          .evaluateAll((videos) => videos.every((v) => (v as unknown as { readyState: number }).readyState >= 2))
      );
      for (const nth of [0, 1]) {
        const brightness = await frameBrightness(page, '.gate-attempts video', nth);
        assert.ok(brightness > 20, `gate clip ${nth} shows a frame, not black (mean brightness ${brightness})`);
      }
      await page.screenshot({ path: path.join(screenshots, 'console-gate-redrawn.png') });
    } finally {
      await page.close();
    }
    await handle.cancel();
    await assert.rejects(handle.result());
    const ended = await openPage(`/generations/${handle.id}`);
    try {
      await ended.locator('h1 .badge', { hasText: 'cancelled' }).waitFor();
      assert.equal(await ended.locator('#approve, #reject, #cancel').count(), 0, 'an ended run offers no decision');
    } finally {
      await ended.close();
    }
  });
});

test('a run paused for money: raising the budget on the page lets it finish; a refused raise says why in place', async () => {
  const plan = testPlan(id('console-budget'), 3, {
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.15 },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitForProgress(handle, (p) => p.status === 'awaiting_budget');
    const page = await openPage(`/generations/${handle.id}`);
    try {
      assert.match(await page.locator('.waiting').innerText(), /money for s2 \(raise or set the budget below\)/);
      // Raise and Set come before the long parts of the page, in the first 1280 × 800 view
      const raise = await page.locator('#raise button').boundingBox();
      assert.ok(raise && raise.y + raise.height <= viewport.height, `Raise is in the first view (at ${raise?.y})`);
      assert.ok(
        await page.evaluate(
          `Boolean(document.querySelector('#raise').compareDocumentPosition(document.querySelector('.scenes')) & Node.DOCUMENT_POSITION_FOLLOWING)`
        ),
        'the budget comes before the scenes'
      );
      // an empty raise says which field, in place: the browser's check, and the console's own
      await page.locator('#raise button').click();
      assert.match(await answerTo(page, 'raise', 'refused'), /^amountUsd: ./);
      await page.locator('#raise input[name="amountUsd"]').fill('0');
      await page.locator('#raise button').click();
      await page.locator('#raise output.refused', { hasText: /^amountUsd: .*0\.01/ }).waitFor();
      const unchecked = await fetch(`${consoleServer.url}/generations/${handle.id}/budget`, {
        method: 'POST',
        headers: { 'x-scenegate-action': '1', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'mode=raise&amountUsd=',
      });
      assert.equal(unchecked.status, 409);
      assert.deepEqual(await unchecked.json(), { ok: false, message: 'amountUsd: must be a number of US dollars' });
      await page.locator('#raise input[name="amountUsd"]').fill('2000000');
      await page.locator('#raise button').click();
      assert.match(await answerTo(page, 'raise', 'refused'), /amountUsd/);
      await page.screenshot({ path: path.join(screenshots, 'console-budget.png'), fullPage: true });
      await page.screenshot({ path: path.join(screenshots, 'console-budget-first-view.png') });

      await page.locator('#raise input[name="amountUsd"]').fill('0.5');
      await page.locator('#raise button').click();
      await answerTo(page, 'raise', 'ok');
      await finishedOnPage(page, handle);
      await page.goto(`${consoleServer.url}/`);
      assert.match(await page.locator(`tr[data-id="${handle.id}"] td.num`).nth(1).innerText(), / \/ \$0\.65$/);
    } finally {
      await page.close();
    }
    const result = await handle.result();
    assert.equal(result.status, 'succeeded');
    assert.equal(result.limitUsd, 0.65);
  });
});

test("a failed scene on the ops page: its strength field shows its placeholder whole, and the retry's answer stays in its card", async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { failWhenPromptIncludes: 'DOOMED' });
  const plan = testPlan(id('console-ops'), 4, {
    strategy: { mode: 'parallel', concurrency: 4 },
    retry: { maxAttemptsPerScene: 1 },
    onSceneFailure: 'await-ops',
  });
  plan.scenes[1]!.prompt = 'DOOMED scene two';
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitForProgress(handle, (p) => p.status === 'awaiting_ops' && p.totals.done === 3);
    const page = await openPage(`/generations/${handle.id}`);
    try {
      await page.locator('#retry-s2').waitFor();
      const room = (await page.evaluate(`(() => {
        const input = document.querySelector('#retry-s2 input[name="strength"]');
        const style = getComputedStyle(input);
        const context = document.createElement('canvas').getContext('2d');
        context.font = style.font;
        // the number field's arrows take about 15 px of its inside
        const inside = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 15;
        return { text: context.measureText(input.placeholder).width, inside };
      })()`)) as { text: number; inside: number };
      assert.ok(room.text <= room.inside, `the placeholder (${room.text} px) fits its field (${room.inside} px)`);
      await page.screenshot({ path: path.join(screenshots, 'console-ops.png'), fullPage: true });

      await page.locator('#retry-s2 input[name="prompt"]').fill('scene two, fixed');
      await page.locator('#retry-s2 button').click();
      assert.match(await answerTo(page, 'retry-s2', 'ok'), /scene s2 queued for up to 1 more attempt/);
      // once the retried scene is running its part has no form: the answer is kept inside its card
      await page.locator('#retry-s2').waitFor({ state: 'detached' });
      const kept = page.locator('article.scene#scene-s2 output.ok[data-for="retry-s2"]');
      await kept.waitFor();
      const tops = await page
        .locator('article.scene')
        .evaluateAll((cards) => cards.slice(0, 3).map((c) => Math.round(c.getBoundingClientRect().top)));
      assert.equal(new Set(tops).size, 1, `the first row's cards line up (tops ${tops.join(', ')})`);
      const width = (await page.evaluate(
        `(() => { const g = document.querySelector('.scenes'); return { scroll: g.scrollWidth, client: g.clientWidth }; })()`
      )) as { scroll: number; client: number };
      assert.ok(width.scroll <= width.client, `the grid does not overflow (${width.scroll} > ${width.client})`);
      await page.screenshot({ path: path.join(screenshots, 'console-ops-answered.png'), fullPage: true });
      await page.locator('h1 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    } finally {
      await page.close();
    }
    assert.equal((await handle.result()).status, 'succeeded');
  });
});

test('actions need the page: a cross-site form post without the console header is refused and changes nothing', async () => {
  const response = await fetch(`${consoleServer.url}/generations/anything/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  assert.equal(response.status, 403);
});

test('with a token, the console asks for it: a link with it once sets a cookie; scripts send it as a bearer', async () => {
  const token = 'a-long-enough-console-token';
  const guarded = await startConsole({
    generations: env.generations,
    storage: env.deps.storage,
    host: '127.0.0.1',
    port: 0,
    token,
  });
  try {
    assert.equal((await fetch(`${guarded.url}/`)).status, 401);
    assert.equal((await fetch(`${guarded.url}/?token=wrong-token-of-the-same-size`)).status, 401);
    const signIn = await fetch(`${guarded.url}/?needs=me&token=${token}`, { redirect: 'manual' });
    assert.equal(signIn.status, 302);
    assert.equal(signIn.headers.get('location'), '/?needs=me', 'the token leaves the address bar');
    const cookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.doesNotMatch(cookie, /Secure/i, 'over plain http a Secure cookie would never come back');
    assert.equal((await fetch(`${guarded.url}/`, { headers: { cookie: cookie.split(';')[0]! } })).status, 200);
    assert.equal((await fetch(`${guarded.url}/`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await fetch(`${guarded.url}/assets/console.css`)).status, 401, 'nothing is served without it');
  } finally {
    await guarded.close();
  }
  await assert.rejects(
    startConsole({ generations: env.generations, storage: env.deps.storage, host: '0.0.0.0', port: 0 }),
    /SCENEGATE_CONSOLE_TOKEN/
  );
});

test('the sign-in cookie is not the token, is Secure over https, and links from other sites still sign in and open pages', async () => {
  const token = 'a-long-enough-console-token';
  const guarded = await startConsole({
    generations: env.generations,
    storage: env.deps.storage,
    host: '127.0.0.1',
    port: 0,
    token,
  });
  try {
    const signIn = await fetch(`${guarded.url}/?token=${token}`, { redirect: 'manual' });
    const session = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(session, /^scenegate_console=./);
    assert.ok(!session.includes(token), `the cookie holds the token: ${session}`);
    assert.equal((await fetch(`${guarded.url}/`, { headers: { cookie: session } })).status, 200);
    // a cookie that is the token itself (as the console once set) is not a sign-in
    const raw = await fetch(`${guarded.url}/`, { headers: { cookie: `scenegate_console=${token}` } });
    assert.equal(raw.status, 401);

    // behind a proxy that ends TLS, the browser must not send the cookie over plain http
    const overHttps = await fetch(`${guarded.url}/?token=${token}`, {
      redirect: 'manual',
      headers: { 'x-forwarded-proto': 'https' },
    });
    const secure = overHttps.headers.get('set-cookie') ?? '';
    assert.match(secure, /;\s*Secure/i);
    assert.match(secure, /HttpOnly/i);
    assert.match(secure, /SameSite=Strict/i);

    // a browser does not send a SameSite=Strict cookie along a link from another site (a chat
    // message, a notification): such a link still signs in, and later ones still open the page
    const page = watchPolicy(await browser.newPage());
    try {
      await page.route('http://chat.test/', (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: `<a id="sign-in" href="${guarded.url}/?needs=me&token=${token}">sign in</a> <a id="later" href="${guarded.url}/?needs=me">needs me</a>`,
        })
      );
      await page.goto('http://chat.test/');
      await page.click('#sign-in');
      await page.locator('nav.filters').waitFor();
      assert.equal(page.url(), `${guarded.url}/?needs=me`);
      await page.goto('http://chat.test/');
      await page.click('#later');
      await page.locator('nav.filters').waitFor();
      await page.goBack();
      assert.equal(page.url(), 'http://chat.test/', 'the way back skips the step that fetched the cookie');
    } finally {
      await page.close();
    }

    // without the cookie, that step happens once and ends at the sign-in message, not in a loop
    const stranger = await browser.newContext();
    try {
      const strangerPage = await stranger.newPage();
      await strangerPage.route('http://chat.test/', (route) =>
        route.fulfill({ contentType: 'text/html', body: `<a href="${guarded.url}/?needs=me">needs me</a>` })
      );
      await strangerPage.goto('http://chat.test/');
      await strangerPage.click('a');
      await strangerPage.locator('h1', { hasText: 'Access token needed' }).waitFor();
    } finally {
      await stranger.close();
    }
  } finally {
    await guarded.close();
  }
});

test('DNS rebinding: a page whose name resolves to 127.0.0.1 can neither read the tokenless console nor raise a budget', async () => {
  const plan = testPlan(id('console-rebind'), 2, {
    strategy: { mode: 'sequential', concurrency: 1 },
    budget: { limitUsd: 0.15 },
  });
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    const paused = await waitForProgress(handle, (p) => p.status === 'awaiting_budget');
    const rebound = `http://${reboundName}:${new URL(consoleServer.url).port}`;
    const page = await browser.newPage();
    try {
      // the attacker's page, served while its name still resolved to the attacker
      await page.route(`${rebound}/attack`, (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>attack</title>' })
      );
      await page.goto(`${rebound}/attack`);
      // now the name resolves to 127.0.0.1: the same origin's requests reach the console
      const tried = await page.evaluate(async (generationId) => {
        const read = await fetch(`/generations/${generationId}`);
        const raise = await fetch(`/generations/${generationId}/budget`, {
          method: 'POST',
          headers: { 'x-scenegate-action': '1', 'content-type': 'application/x-www-form-urlencoded' },
          body: 'mode=raise&amountUsd=1000',
        });
        return { read: read.status, page: await read.text(), raise: raise.status };
      }, handle.id);
      assert.equal(tried.read, 403);
      assert.ok(!tried.page.includes(handle.id), 'the refusal shows nothing of the run');
      assert.equal(tried.raise, 403);
    } finally {
      await page.close();
    }
    const now = await handle.progress();
    assert.equal(now.status, 'awaiting_budget');
    assert.equal(now.budget.limitUsd, paused.budget.limitUsd, 'the budget was not raised');
    // the console itself still answers at its own address
    assert.equal((await fetch(`${consoleServer.url}/generations/${handle.id}`)).status, 200);
    await handle.cancel();
    await assert.rejects(handle.result());
  });
});

test('framing: a page of another site that frames the console gets an empty frame, nothing to click', async () => {
  const framer = 'http://framer.test/';
  const page = await browser.newPage();
  try {
    await page.route(framer, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><iframe src="${consoleServer.url}/?needs=me" width="1000" height="700"></iframe>`,
      })
    );
    // the frame's load event comes whether the console was drawn in it or refused
    await page.goto(framer, { waitUntil: 'load' });
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    assert.ok(framed, 'the frame is there');
    assert.equal(await framed.locator('header.top').count(), 0, 'the console is not drawn in the frame');
  } finally {
    await page.close();
  }
  const headers = (await fetch(`${consoleServer.url}/`)).headers;
  assert.equal(headers.get('x-frame-options'), 'DENY');
  assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
});

test("pages and stored files are never sniffed, and a hostile stored file does not run as the console's page", async () => {
  // a file that reached storage through a plan: an SVG is an image that can also be a script
  const key = `${id('console-hostile')}/reference.svg`;
  const file = path.join(env.storageDir, 'storage', key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    '<svg xmlns="http://www.w3.org/2000/svg"><script>document.documentElement.setAttribute("data-ran", "yes")</script></svg>'
  );
  for (const urlPath of ['/', '/assets/console.js', `/files/${key}`]) {
    const response = await fetch(`${consoleServer.url}${urlPath}`);
    assert.equal(response.status, 200, urlPath);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', urlPath);
    assert.ok(response.headers.get('content-security-policy'), `${urlPath} has a content security policy`);
  }
  assert.match(
    (await fetch(`${consoleServer.url}/`)).headers.get('content-security-policy') ?? '',
    /script-src 'self'/
  );

  const page = await browser.newPage();
  try {
    await page.goto(`${consoleServer.url}/files/${key}`);
    assert.equal(await page.locator(':root').getAttribute('data-ran'), null, 'its script did not run');
    assert.equal(await page.evaluate('self.origin'), 'null', "the file is not of the console's origin");
  } finally {
    await page.close();
  }
});

test('a drifted scene in the consistency grid: its low cell beside the reference, Remake from its row makes it again', async () => {
  env.emulator.configure('scenegate/ip-adapter-video', { drift: { promptIncludes: 'scene 4:', attempts: 1 } });
  const plan = testPlan(id('console-drift'), 4, {
    strategy: { mode: 'parallel' },
    // `local`: the emulator's clips paste the references in (see test/helpers/drift.ts)
    gate: { enabled: false, scorer: 'local' },
    consistency: { onDrift: 'await-approval' },
  });
  for (const scene of plan.scenes) scene.durationSec = 1;
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitForProgress(handle, (p) => p.waitingOn.some((w) => w.kind === 'drift'), 180_000);
    const page = await openPage(`/generations/${handle.id}`);
    try {
      const row = page.locator('.consistency-grid tr[data-scene="s4"]');
      await row.waitFor();
      assert.match(await row.locator('td.cell.miss[data-group="mara"]').innerText(), /^0\.\d{3}$/);
      const referencesShown = await page
        .locator('.consistency-grid thead img')
        .evaluateAll(
          (imgs) => imgs.filter((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0).length
        );
      assert.equal(referencesShown, 2, "each group's reference heads its column");
      // the checked clip sits in the row, beside the references' columns
      const checked = (await handle.progress()).scenes[3]!.history[0]!.clipPath!;
      const rowClip = row.locator('td.clip video');
      assert.equal(await rowClip.getAttribute('src'), `/files/${checked.split('/').map(encodeURIComponent).join('/')}`);
      await waitUntil('the checked clip to show its first frame', () =>
        rowClip.evaluate((video) => (video as unknown as { readyState: number }).readyState >= 2)
      );
      assert.match(
        await page.locator('.waiting').innerText(),
        /drifted scene s4 \(Keep or Remake in the consistency grid\)/
      );
      await page.screenshot({ path: path.join(screenshots, 'console-drift.png'), fullPage: true });
      await page.locator('#remake-s4 input[name="reason"]').fill('that is not Mara');
      await page.locator('#remake-s4 button').click();
      assert.match(await answerTo(page, 'remake-s4', 'ok'), /scene s4 is made again one step stronger/);
      await page.locator('h1 .badge', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
      assert.match(await row.locator('td.outcome').innerText(), /passed \(attempt 2\)/);
    } finally {
      await page.close();
    }
    assert.deepEqual((await handle.result()).driftedScenes, []);
  });
});

/** How many of the images the selector finds have loaded (their natural width is known). */
function imagesLoaded(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .evaluateAll((imgs) => imgs.filter((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0).length);
}

test('the storyboard strip: every keyframe beside its references; Redo one with a reason, Release waits for it, then the clips are made', async () => {
  const plan = testPlan(id('console-storyboard'), 3, {
    pipeline: 'keyframe',
    keyframe: { storyboard: 'approve' },
    strategy: { mode: 'parallel' },
    // the emulator's keyframes paste the references in: `local` measures exactly that
    gate: { enabled: true, threshold: 0.6, maxAttempts: 3, scorer: 'local' },
  });
  const onBoard = (p: { waitingOn: { kind: string; sceneIds: string[] }[] }) =>
    p.waitingOn.some((w) => w.kind === 'storyboard' && w.sceneIds.length === 3);
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await waitForProgress(handle, onBoard, 180_000);
    const page = await openPage(`/generations/${handle.id}`);
    try {
      // the keyframes are listed in the order they came to the storyboard
      const waiting = /the storyboard of (s\d, s\d, s\d) \(Release, or Redo a keyframe, in the storyboard strip\)/.exec(
        await page.locator('.waiting').innerText()
      );
      assert.deepEqual(waiting?.[1]?.split(', ').sort(), ['s1', 's2', 's3']);
      const frames = page.locator('.strip .frame');
      assert.deepEqual(
        await frames.evaluateAll((els) =>
          els.map((el) => (el as unknown as { dataset: { scene: string } }).dataset.scene)
        ),
        ['s1', 's2', 's3'],
        'one card per scene, in plan order'
      );
      await waitUntil('every keyframe to load', async () => (await imagesLoaded(page, '.strip img.keyframe')) === 3);
      assert.ok(
        (await imagesLoaded(page, '.strip .refs img')) >= 3,
        "each scene's references load beside its keyframe"
      );
      assert.equal(
        await page.locator('.strip .frame[data-scene="s2"] .prompt').innerText(),
        'scene 2: Mara holds the Lumen bottle'
      );
      assert.match(await page.locator('.strip .frame[data-scene="s1"] .score').innerText(), /^gate \d\.\d{3} ≥ 0\.6$/);
      assert.equal(await page.locator('#release button').isDisabled(), false);
      const release = await page.locator('#release button').boundingBox();
      assert.ok(
        release && release.y + release.height <= viewport.height,
        `Release is in the first view (at ${release?.y})`
      );
      await page.screenshot({ path: path.join(screenshots, 'console-storyboard.png') });

      // the redone keyframe is held in the emulator: while it is made, the release waits for it
      env.emulator.configure('scenegate/ip-adapter-image', { hold: true });
      await page.locator('#redo-s2 button').click();
      assert.match(await answerTo(page, 'redo-s2', 'refused'), /^reason: /, 'a redo needs a reason');
      await page.locator('#redo-s2 input[name="reason"]').fill('Mara faces away');
      await page.locator('#redo-s2 button').click();
      assert.match(await answerTo(page, 'redo-s2', 'ok'), /s2's keyframe is made again/);
      await waitUntil('the new keyframe held', () => env.emulator.held().length === 1);
      const waitText = page.locator('#release .why-not', { hasText: 'keyframes are still being made for s2' });
      await waitText.waitFor();
      assert.equal(await page.locator('#release button').isDisabled(), true);
      assert.equal(await page.locator('#redo-s1').count(), 1, 'the keyframes still on the board can be redone');
      // a release that reaches the workflow anyway is refused by its validator, in its words
      const refused = await fetch(`${consoleServer.url}/generations/${handle.id}/release`, {
        method: 'POST',
        headers: { 'x-scenegate-action': '1', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'note=',
      });
      assert.equal(refused.status, 409);
      assert.match(((await refused.json()) as { message: string }).message, /keyframes are still being made for s2/);
      await page.screenshot({ path: path.join(screenshots, 'console-storyboard-redo.png') });

      env.emulator.release();
      await waitForProgress(handle, (p) => onBoard(p) && p.scenes[1]!.attempts === 2, 180_000);
      await page.locator('#release button:not([disabled])').waitFor();
      await waitUntil('the new keyframe to load', async () => (await imagesLoaded(page, '.strip img.keyframe')) === 3);
      assert.match(await page.locator('.strip .frame[data-scene="s2"] .facts').innerText(), /^attempt 2 /);
      await page.locator('#release input[name="note"]').fill('looks right');
      await page.locator('#release button').click();
      assert.match(await answerTo(page, 'release', 'ok'), /^storyboard released: 3 keyframes/);
      // the release's answer and the redo's each stay in their own place, one a line
      await page.locator('[data-answers-for="release"] output.ok').waitFor();
      assert.equal(await page.locator('[data-answers-for="redo-s2"] output.ok').count(), 1);
      await finishedOnPage(page, handle);
      // the strip stays as the record, each scene with its clip
      assert.match(await page.locator('[data-key="storyboard"] h2').innerText(), /released: looks right/);
      assert.equal(await page.locator('.strip video').count(), 3);
      assert.equal(await page.locator('.strip form').count(), 0, 'a released storyboard offers no action');
      await page.screenshot({ path: path.join(screenshots, 'console-storyboard-released.png'), fullPage: true });

      // the consistency grid shows where a group scored lowest as the clip at that second (a media
      // fragment, as its cells draw it): Chromium seeks there on the metadata alone and shows that frame
      const clipSrc = await page.locator('.strip .frame[data-scene="s2"] video').getAttribute('src');
      await page.evaluate(`(() => {
        const video = document.createElement('video');
        video.className = 'fragment-check';
        video.preload = 'metadata';
        video.muted = true;
        video.src = ${JSON.stringify(`${clipSrc}#t=1.5`)};
        document.body.append(video);
      })()`);
      const fragment = page.locator('video.fragment-check');
      await waitUntil('the fragment frame to be decoded', () =>
        fragment.evaluate((video) => (video as unknown as { readyState: number }).readyState >= 2)
      );
      assert.equal(await fragment.evaluate((video) => (video as unknown as { currentTime: number }).currentTime), 1.5);
      const brightness = await frameBrightness(page, 'video.fragment-check', 0);
      assert.ok(brightness > 20, `the frame at 1.5 s shows, not black (mean brightness ${brightness})`);
    } finally {
      await page.close();
    }
    assert.equal((await handle.result()).status, 'succeeded');
  });
});

test('the grid with the vision scorer: each cell shows the frame where its group scored lowest, beside the reference', async () => {
  const plan = testPlan(id('console-frames'), 2, {
    strategy: { mode: 'parallel' },
    gate: { enabled: true, threshold: 0.1, scorer: 'vision' },
    consistency: { onDrift: 'flag' },
  });
  // the product only: the example Mara is a drawing whose face the face detector does not find
  plan.consistencyGroups = plan.consistencyGroups.filter((g) => g.id === 'lumen');
  for (const scene of plan.scenes) {
    scene.durationSec = 2;
    scene.entities = ['lumen'];
  }
  await env.withWorker(async () => {
    const handle = await env.generations.start(plan);
    await handle.result();
    const progress = await handle.progress();
    const checks = progress.consistency!.checks;
    assert.ok(
      checks.some((c) => c.frames),
      `the vision scorer says where it looked: ${JSON.stringify(checks)}`
    );
    const page = await openPage(`/generations/${handle.id}`);
    try {
      const frames = page.locator('.consistency-grid .seen video.frame');
      await frames.first().waitFor();
      const count = await frames.count();
      await waitUntil('every frame to be decoded', () =>
        frames.evaluateAll((videos) => videos.every((v) => (v as unknown as { readyState: number }).readyState >= 2))
      );
      for (let nth = 0; nth < count; nth++) {
        const brightness = await frameBrightness(page, '.consistency-grid .seen video.frame', nth);
        assert.ok(brightness > 20, `grid frame ${nth} shows, not black (mean brightness ${brightness})`);
      }
      await page.locator('.consistency-grid').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(screenshots, 'console-grid-frames.png') });
    } finally {
      await page.close();
    }
  });
});
