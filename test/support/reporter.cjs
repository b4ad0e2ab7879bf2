// Mocha reporter: mocha's spec output, plus a JSON summary file that test/run.mjs turns into the
// plain closing line "N passed, N failed" that CI reads.
const Mocha = require('mocha');
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = options.reporterOption?.summary ?? options.reporterOptions?.summary;
    runner.once('end', () => {
      if (!file) return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const { passes, failures, pending } = this.stats;
      fs.writeFileSync(file, JSON.stringify({ passes, failures, pending }));
    });
  }
}
module.exports = SummaryReporter;
