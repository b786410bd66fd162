// The import half of the fuzzer, run in its own process so that its peak memory is measured alone
// (worker threads included): imports the inputs and prints the summary and peak RSS as JSON.
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/store/database.ts';
import { importPaths } from '../src/pipeline/run-import.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, input: { type: 'string' }, workers: { type: 'string', default: '2' } } });
const db = openDatabase(values.db!);
const summary = await importPaths(db, [values.input!], { workers: Number(values.workers) });
db.close();
process.stdout.write(JSON.stringify({ summary, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
