// Prints vitest's JSON report as the plain closing line CI reads: "N passed, N failed". A test whose
// suite could not run (a failing beforeAll, an import error) counts as failed, not as skipped.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let failed = report.numFailedTests;
let skipped = report.numPendingTests + (report.numTodoTests ?? 0);
const broken = [];
for (const file of report.testResults ?? []) {
  if (file.status !== 'failed') continue;
  const notRun = (file.assertionResults ?? []).filter((t) => t.status !== 'passed' && t.status !== 'failed');
  if (notRun.length === 0 && (file.assertionResults ?? []).some((t) => t.status === 'failed')) continue;
  broken.push(file.name);
  failed += notRun.length || 1;
  skipped -= notRun.length;
}
console.log(
  `tests: ${report.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`,
);
for (const name of broken) console.log(`  suite failed before its tests ran: ${name}`);
