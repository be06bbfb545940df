// Jest reporter that ends the run with one plain line: "jest: N passed, N failed, N skipped", preceded, when test
// groups were skipped for lack of reference data, by ONE notice naming what is missing and the command that fetches it
// (KC_REFERENCE_NOTICE and KC_REFERENCE_SKIP_MARKER come from test/support/global-setup.ts).
'use strict';
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const notice = process.env.KC_REFERENCE_NOTICE;
    const marker = process.env.KC_REFERENCE_SKIP_MARKER;
    if (notice && marker) {
      const groups = results.testResults.flatMap((file) => file.testResults)
        .filter((t) => t.status === 'pending' && t.title.includes(marker)).length;
      if (groups > 0) process.stdout.write(`\n${notice.replace('[reference] ', `[reference] ${groups} test group${groups === 1 ? '' : 's'} skipped: `)}\n`);
    }
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
