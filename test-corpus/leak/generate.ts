// npx node test-corpus/leak/generate.ts --out DIR [--messages N] [--seed S]
// Writes DIR/dump (the leaked mailboxes), DIR/keys (zone file and key archive) and DIR/truth.json.
import { parseArgs } from 'node:util';
import { DEFAULT_MESSAGES, DEFAULT_SEED, buildLeak } from './build-leak.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    messages: { type: 'string', default: String(DEFAULT_MESSAGES) },
    seed: { type: 'string', default: DEFAULT_SEED },
  },
});
if (!values.out) {
  process.stderr.write('usage: generate.ts --out DIR [--messages N] [--seed S]\n');
  process.exit(2);
}
const messages = Number(values.messages);
if (!Number.isInteger(messages) || messages < 200) {
  process.stderr.write('--messages must be a whole number of at least 200\n');
  process.exit(2);
}
const started = performance.now();
const truth = await buildLeak({ out: values.out, messages, seed: values.seed, log: (line) => process.stderr.write(`${line}\n`) });
process.stderr.write(
  `leak: ${truth.generator.messages} messages (${truth.counts.authentic} authentic, ${truth.counts.forgeries} forgeries) in ${((performance.now() - started) / 1000).toFixed(1)} s -> ${values.out}\n`,
);
