/**
 * Fill in keyword arguments a spec string leaves out, for parameters its plugin declares:
 * `mmdit(depth=2)` plus `{ inChannels: 3 }` is `mmdit(depth=2, inChannels=3)`; a value the
 * spec sets (by keyword or position) wins, and a default the plugin does not declare is dropped.
 */
import { registry } from './registry';
import { parseSpec, type SpecNode, type SpecValue } from './spec';

/** `spec` (of plugin kind `kind`) with `defaults` added where it sets nothing. */
export function withDefaults(kind: string, spec: string | SpecNode, defaults: Record<string, SpecValue>): SpecNode {
  const node = typeof spec === 'string' ? parseSpec(spec) : spec;
  const declared = registry.definition(kind, node.name).params ?? [];
  const positional = new Set(declared.slice(0, node.args.length).map((p) => p.name));
  const kwargs: Record<string, SpecValue> = { ...node.kwargs };
  for (const [key, value] of Object.entries(defaults)) {
    if (declared.some((p) => p.name === key) && !(key in kwargs) && !positional.has(key)) kwargs[key] = value;
  }
  return { ...node, kwargs };
}
