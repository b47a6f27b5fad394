import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { projectRoot } from '../common/paths';

/** The one file of dynamic settings of the Temporal servers scenegate starts (dev server and cluster). */
export const dynamicConfigFile = path.join(projectRoot, 'devenv', 'temporal-dynamic-config.yaml');

type DynamicConfig = Record<string, { value: unknown; constraints?: unknown }[]>;

/** The file's settings: each key with its values, as the server's dynamic config file holds them. */
export function dynamicConfig(): DynamicConfig {
  return YAML.parse(fs.readFileSync(dynamicConfigFile, 'utf8')) as DynamicConfig;
}

/** The same settings as the dev server's flags (it takes values, not a file); none has constraints. */
export function dynamicConfigFlags(): string[] {
  return Object.entries(dynamicConfig()).flatMap(([key, [setting]]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(setting!.value)}`,
  ]);
}
