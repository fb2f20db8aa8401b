/** `rectiflow list`: every registered plugin, by kind, with its usage and description. */
import { registry } from '@rectiflow/core';
import '@rectiflow/autoencoders';
import '@rectiflow/data';
import '@rectiflow/losses';
import '@rectiflow/mmdit';
import '@rectiflow/schedules';
import '@rectiflow/solvers';
import '@rectiflow/text-encoders';
import '@rectiflow/timesteps';

/** Lines listing the plugins of `kind` (or of every kind). */
export function listPlugins(kind?: string): string[] {
  const kinds = registry.kinds().sort();
  if (kind !== undefined && !kinds.includes(kind)) {
    throw new Error(`list: no plugin kind ${JSON.stringify(kind)}; the kinds are ${kinds.join(', ')}`);
  }
  const lines: string[] = [];
  for (const k of kind ? [kind] : kinds) {
    lines.push(`${k}:`);
    for (const name of registry.names(k as never).sort()) {
      const description = registry.definition(k as never, name).description;
      lines.push(`  ${registry.usage(k as never, name)}${description ? `\n      ${description}` : ''}`);
    }
  }
  return lines;
}
