// Lighthouse on the main pages, as a person on a phone meets them: `node bench/audit.mjs PLAN.json` (bench/audit.py
// writes the plan and starts the server). Each person logs in through the real login form in a browser context of
// their own; each page is one navigation step of a Lighthouse user flow (mobile form factor, simulated throttling,
// Lighthouse's defaults). A step with `submit` opens the page first, then measures the navigation that pressing
// the button starts (the check-in result is the answer to a POST).
// Writes one report per step to PLAN.out and prints one line `AUDIT_JSON {...}` with the scores.
import fs from 'node:fs';
import path from 'node:path';

import puppeteer from 'puppeteer-core';
import {startFlow} from 'lighthouse';

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];

async function logIn(page, base, username, password) {
  await page.goto(`${base}/login`, {waitUntil: 'networkidle0'});
  await page.type('input[name=username]', username);
  await page.type('input[name=password]', password);
  await Promise.all([page.waitForNavigation({waitUntil: 'networkidle0'}), page.click('form [type=submit]')]);
  if (new URL(page.url()).pathname === '/login') throw new Error(`could not log in as ${username}`);
}

function scores(lhr) {
  const found = {};
  for (const id of CATEGORIES) found[id] = Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const failing = [];
  for (const id of CATEGORIES) {
    for (const ref of lhr.categories[id]?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
        failing.push({category: id, id: ref.id, score: audit.score, title: audit.title,
          items: (audit.details?.items ?? []).slice(0, 3).map((item) => item.node?.snippet ?? item.url ?? '')});
      }
    }
  }
  const requests = lhr.audits['network-requests']?.details?.items ?? [];
  const transferred = requests.reduce((sum, item) => sum + (item.transferSize || 0), 0);
  const hosts = [...new Set(requests.map((item) => new URL(item.url).host))];
  return {...found, requests: requests.length, transfer_bytes: transferred, hosts, failing};
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const results = [];
  try {
    for (const person of plan.people) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      if (person.username) await logIn(page, plan.base, person.username, plan.password);
      const flow = await startFlow(page, {name: person.username || 'anonymous',
        flags: {formFactor: 'mobile', onlyCategories: CATEGORIES}});
      for (const step of person.pages) {
        if (step.submit) {
          await page.goto(`${plan.base}${step.path}`, {waitUntil: 'networkidle0'});
          await flow.startNavigation({name: step.name});
          await page.click(step.submit);
          await page.waitForNavigation({waitUntil: 'networkidle0'}).catch(() => {});
          await flow.endNavigation();
        } else {
          await flow.navigate(`${plan.base}${step.path}`, {name: step.name});
        }
      }
      const flowResult = await flow.createFlowResult();
      flowResult.steps.forEach((step, index) => {
        const name = person.pages[index].name;
        fs.writeFileSync(path.join(plan.out, `${name}.json`), JSON.stringify(step.lhr));
        results.push({name, path: person.pages[index].path, who: person.username || 'anonymous',
          final_url: step.lhr.finalDisplayedUrl, ...scores(step.lhr)});
      });
      fs.writeFileSync(path.join(plan.out, `flow-${person.username || 'anonymous'}.html`), await flow.generateReport());
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`AUDIT_JSON ${JSON.stringify(results)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
