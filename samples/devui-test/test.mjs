// Opens the TaskQueue pages of the Dev UI of an application running in dev mode, in headless Chromium, and checks
// them as a developer would use them: the handler table lists the application's handlers, and a task submitted
// from the form is shown SUCCEEDED. Saves a screenshot of the queue page.
//
//   BASE_URL=http://localhost:8080 EXPECTED_TYPES=import_row PAYLOAD='{"line":1,"name":"row 1"}' \
//     BATCH_URL='http://localhost:8080/import/devui?count=500' GROUP=devui FAILING_PAYLOAD='{"line":2}' \
//     SCREENSHOT=../../docs/modules/ROOT/images/devui.png node test.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = required('BASE_URL');
const expectedTypes = required('EXPECTED_TYPES').split(',').sort();
const payload = process.env.PAYLOAD ?? '';
// optional: an endpoint of the application that submits a batch into GROUP and answers its BatchOutcome
const batchUrl = process.env.BATCH_URL;
const group = process.env.GROUP;
const screenshot = process.env.SCREENSHOT;
const timeout = Number(process.env.TIMEOUT_MS ?? 60000);

function required(name) {
    const value = process.env[name];
    if (!value) {
        console.error(`test.mjs: set ${name}`);
        process.exit(2);
    }
    return value;
}

function log(message) {
    console.log(`${new Date().toISOString().substring(11, 19)} [devui-test] ${message}`);
}

const failingPayload = process.env.FAILING_PAYLOAD;

/** Submits a task of the first expected type from the form; returns its id. */
async function submit(page, json, retries) {
    const message = page.locator('#submit-message');
    const before = await message.count() > 0 ? (await message.textContent()).trim() : '';
    await page.locator('#submit-type').selectOption(expectedTypes[0]);
    await page.locator('#submit-payload textarea').fill(json);
    await page.locator('#submit-retries input').fill(retries);
    await page.locator('#submit-button').click();
    await until(async () => await message.count() > 0 && (await message.textContent()).trim() !== before,
        'the form did not answer');
    const text = (await message.textContent()).trim();
    const submitted = /^Task (\S+) submitted$/.exec(text);
    if (!submitted) {
        throw new Error(`the form did not submit the task: "${text}"`);
    }
    log(`form: ${text}`);
    return submitted[1];
}

async function until(condition, failure) {
    const deadline = Date.now() + timeout;
    while (!(await condition())) {
        if (Date.now() > deadline) {
            throw new Error(`${failure} (waited ${timeout} ms)`);
        }
        await new Promise(resolve => setTimeout(resolve, 200));
    }
}

async function shoot(page) {
    if (screenshot) {
        await page.screenshot({ path: screenshot });
        log(`screenshot: ${screenshot}`);
    }
}

const profile = mkdtempSync(join(tmpdir(), 'taskqueue-devui-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 1360 },
});
const problems = [];
let failed = false;
try {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(timeout);
    page.on('pageerror', e => problems.push(`page error: ${e.message}`));
    page.on('console', m => {
        if (m.type() === 'error') {
            problems.push(`console error: ${m.text()}`);
        }
    });

    // The handlers page: one row per @TaskHandler method found at build time.
    await page.goto(`${base}/q/dev-ui/quarkus-taskqueue/handlers`);
    await page.locator('#handlers .task-type').first().waitFor();
    const types = (await page.locator('#handlers .task-type').allTextContents()).map(t => t.trim()).sort();
    if (JSON.stringify(types) !== JSON.stringify(expectedTypes)) {
        throw new Error(`the handler table lists ${JSON.stringify(types)}, expected ${JSON.stringify(expectedTypes)}`);
    }
    log(`handler table lists ${types.join(', ')}`);

    // The queue page: submit a task from the form, and wait until the page shows it SUCCEEDED.
    await page.goto(`${base}/q/dev-ui/quarkus-taskqueue/queue`);
    await page.locator('#submit-type').waitFor();
    const id = await submit(page, payload, '');
    const state = page.locator(`#submitted tr[data-task-id="${id}"] .state`);
    try {
        await state.filter({ hasText: 'SUCCEEDED' }).waitFor();
    } catch (e) {
        throw new Error(`task ${id} is not shown SUCCEEDED after ${timeout} ms; it is shown `
            + `"${(await state.textContent().catch(() => 'nowhere')).trim()}"`);
    }
    log(`task ${id} is shown SUCCEEDED`);
    await page.locator('#totals').filter({ hasText: 'SUCCEEDED 1' }).waitFor();

    // A batch submitted by the application into a group: the page shows its outcome and the group's progress.
    if (batchUrl) {
        const response = await fetch(batchUrl, { method: 'POST' });
        if (!response.ok) {
            throw new Error(`POST ${batchUrl} answered ${response.status}: ${await response.text()}`);
        }
        const outcome = await response.json();
        const count = outcome.submitted.length;
        await page.locator('#batches tr').filter({ hasText: outcome.batchId }).waitFor();
        log(`batch ${outcome.batchId} of ${count} tasks is listed`);
        await page.locator('#groups tr').filter({ hasText: group })
            .filter({ has: page.locator(`td.succeeded:text-is("${count}")`) }).waitFor();
        log(`group ${group} is shown with its ${count} tasks SUCCEEDED`);
    }

    // Failed tasks: a payload the handler throws on. Without retries it FAILS, and Retry runs it again; with one
    // retry (due much later: see run.sh) it is RETRYING, and Cancel cancels it.
    if (failingPayload) {
        const failed = await submit(page, failingPayload, '0');
        const failedRow = page.locator(`#failed tr[data-task-id="${failed}"]`);
        await failedRow.filter({ hasText: 'FAILED' }).waitFor();
        const firstEnd = (await failedRow.locator('td.finished').textContent()).trim();
        log(`task ${failed} is listed FAILED: ${(await failedRow.locator('td.error').textContent()).trim()}`);
        await failedRow.locator('vaadin-button', { hasText: 'Retry' }).click();
        await page.locator('#action-message').filter({ hasText: `Task ${failed} is queued again` }).waitFor();
        await until(async () => (await failedRow.locator('td.finished').textContent().catch(() => firstEnd)).trim()
            !== firstEnd, `task ${failed} did not run again after Retry`);
        await failedRow.filter({ hasText: 'FAILED' }).locator('td.attempts', { hasText: /^1$/ }).waitFor();
        log(`Retry: task ${failed} ran again from its first attempt and failed again`);

        const retrying = await submit(page, failingPayload, '1');
        const retryingRow = page.locator(`#failed tr[data-task-id="${retrying}"]`);
        await retryingRow.filter({ hasText: 'RETRYING' }).waitFor();
        log(`task ${retrying} is listed RETRYING`);
        await shoot(page);
        await retryingRow.locator('vaadin-button', { hasText: 'Cancel' }).click();
        await page.locator('#action-message').filter({ hasText: `Task ${retrying} is cancelled` }).waitFor();
        await retryingRow.waitFor({ state: 'detached' });
        await page.locator(`#submitted tr[data-task-id="${retrying}"] .state`).filter({ hasText: 'CANCELLED' }).waitFor();
        log(`Cancel: task ${retrying} is CANCELLED and no longer listed as failed`);
    } else {
        await shoot(page);
    }

    const ours = problems.filter(p => p.includes('taskqueue'));
    if (ours.length > 0) {
        throw new Error(`the TaskQueue pages logged errors:\n  ${ours.join('\n  ')}`);
    }
} catch (e) {
    failed = true;
    console.error(`[devui-test] FAILED: ${e.message}`);
    for (const p of problems) {
        console.error(`  ${p}`);
    }
} finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
}
if (failed) {
    process.exit(1);
}
console.log('1 passed, 0 failed');
