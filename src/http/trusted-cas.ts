/**
 * The CAs a connection trusts when --ca-file is given: Node's own, plus NODE_EXTRA_CA_CERTS (a
 * `ca` option replaces the store Node built from both, so that file is read again), plus the
 * --ca-file certificates. The proxy's requests and `doctor`'s handshake trust the same set.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

export function trustedCas(extra: readonly string[], extraCaCertsFile: string | undefined): string[] {
  const ca = [...rootCertificates, ...extra];
  if (extraCaCertsFile) {
    try {
      ca.push(readFileSync(extraCaCertsFile, 'utf8'));
    } catch {
      // Node has already warned about it at start-up.
    }
  }
  return ca;
}
