/**
 * Reads the optional JSON configuration file (CONFIG_FILE): an object whose members are the same
 * names as the environment variables. Environment variables win over the file.
 */
import { readFileSync } from 'node:fs';
import { GatewayError } from '../errors.js';

export function readConfigFile(path: string | undefined): Record<string, string | number | boolean> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new GatewayError('CONFIG_INVALID', `The config file ${path} could not be read as JSON.`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError('CONFIG_INVALID', `The config file ${path} must hold a JSON object.`);
  }
  return parsed as Record<string, string | number | boolean>;
}
