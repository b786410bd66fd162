// What readInputs yields for some paths, gathered, and told one line per item: the import tests'
// way of saying what a reader made of its input.
import type { InputItem } from '../../src/model.ts';
import { type ReadOptions, readInputs } from '../../src/import/read-inputs.ts';

/** Every item readInputs yields for `paths`, in order. */
export async function collect(paths: string[], options?: ReadOptions): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readInputs(paths, options)) items.push(item);
  return items;
}

/** One line per item: `message <path>` or `<code> <path>`. */
export function summary(items: InputItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'message') return `message ${item.message.source.path}`;
    if (item.kind === 'failure') return `${item.failure.code} ${item.failure.path}`;
    return `${item.code} ${item.path}`;
  });
}
