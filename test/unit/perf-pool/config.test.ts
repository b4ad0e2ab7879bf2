/** VALIDATION_WORKERS (issue 10): default cores − 1 (1 to 2), 0 = main thread, out of range refused. */
import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import { loadConfig } from '../../../src/config/index.js';
import { GatewayError } from '../../../src/errors.js';

describe('VALIDATION_WORKERS setting', () => {
  it('defaults to available cores − 1, at least 1 and at most 2', () => {
    expect(loadConfig({}).validationWorkers).to.equal(Math.max(1, Math.min(2, availableParallelism() - 1)));
  });
  it('takes 0 (validate in the main thread) and a count', () => {
    expect(loadConfig({ VALIDATION_WORKERS: '0' }).validationWorkers).to.equal(0);
    expect(loadConfig({ VALIDATION_WORKERS: '3' }).validationWorkers).to.equal(3);
  });
  it('refuses a value that is not a whole number from 0 to 64 with CONFIG_INVALID', () => {
    for (const bad of ['-1', '65', 'two', '1.5']) {
      expect(() => loadConfig({ VALIDATION_WORKERS: bad }), bad)
        .to.throw(GatewayError)
        .with.property('code', 'CONFIG_INVALID');
    }
  });
});
