import { isIPv4 } from 'node:net';
import { McError } from '@mcsync/core';

/** True for localhost, 127.0.0.0/8, ::1 and IPv4-mapped 127.x addresses (URL hostnames, brackets allowed). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  // ::ffff:127.x.y.z, which the URL parser writes as ::ffff:7fxx:xxxx
  return /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(h);
}

/**
 * The cli-contract URL rule: an http(s) URL; plain `http://` is fine for loopback hosts, any other
 * `http://` URL gets a warning (returned for the caller to print). Throws McError CONFIG for
 * anything that is not an http(s) URL.
 */
export function checkRemoteUrl(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new McError('CONFIG', `remote URL ${JSON.stringify(url)} is not a valid URL`, {
      hint: 'use the REST base including /api, e.g. https://materialscommons.org/api',
    });
  }
  if (parsed.protocol === 'https:') return [];
  if (parsed.protocol !== 'http:') {
    throw new McError('CONFIG', `remote URL ${url} must start with https:// (or http:// for a local server)`, {
      hint: 'use the REST base including /api, e.g. https://materialscommons.org/api',
    });
  }
  if (isLoopbackHost(parsed.hostname)) return [];
  return [`${url} uses plain http://: your API token and files travel unencrypted; use https:// unless this network is trusted`];
}
