import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CloseList } from '@freshen/runtime';

const run = promisify(execFile);

/** One PEM certificate with its private key, as files and as text. */
export interface IssuedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificates {
  /** The folder holding every file; removed by the cleanup list. */
  readonly dir: string;
  /** The certificate authority that signed the others. Trust this one. */
  readonly ca: IssuedCertificate;
  /** For servers: valid for `localhost` and `127.0.0.1` (and any extra names asked for). */
  readonly server: IssuedCertificate;
  /** For mutual TLS: common name `freshen-client`. */
  readonly client: IssuedCertificate;
  /** A second authority nobody trusts, and a server certificate it signed: for refusal tests. */
  readonly untrusted: { readonly ca: IssuedCertificate; readonly server: IssuedCertificate };
  /** A server certificate from the trusted CA that names only `wrong.example`. */
  readonly wrongHost: IssuedCertificate;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

async function issued(dir: string, name: string): Promise<IssuedCertificate> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return {
    certFile,
    keyFile,
    cert: await readFile(certFile, 'utf8'),
    key: await readFile(keyFile, 'utf8'),
  };
}

async function authority(dir: string, name: string): Promise<IssuedCertificate> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  return issued(dir, name);
}

async function signed(
  dir: string,
  name: string,
  ca: string,
  commonName: string,
  altNames: string[],
): Promise<IssuedCertificate> {
  await openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  const extensions = [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
  ];
  if (altNames.length > 0) extensions.push(`subjectAltName=${altNames.join(',')}`);
  await writeFile(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  return issued(dir, name);
}

/**
 * Generates, with `openssl`, a throwaway certificate authority and the certificates a TLS
 * test needs: a server certificate for the local host names, a client certificate for mutual
 * TLS, and the two wrong ones (untrusted issuer, wrong host name) whose refusal a test checks.
 * Keys are unencrypted PEM (Postgres, Redis and Kafka all read that form).
 */
export async function generateTestCertificates(
  cleanup: CloseList,
  options: { serverNames?: string[] } = {},
): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'freshen-tls-'));
  cleanup.add(`certificates in ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const names = [
    'DNS:localhost',
    'IP:127.0.0.1',
    ...(options.serverNames ?? []).map((n) => `DNS:${n}`),
  ];
  const ca = await authority(dir, 'ca');
  const server = await signed(dir, 'server', 'ca', 'localhost', names);
  const client = await signed(dir, 'client', 'ca', 'freshen-client', []);
  const wrongHost = await signed(dir, 'wrong-host', 'ca', 'wrong.example', ['DNS:wrong.example']);
  const otherCa = await authority(dir, 'untrusted-ca');
  const otherServer = await signed(dir, 'untrusted-server', 'untrusted-ca', 'localhost', names);
  return { dir, ca, server, client, wrongHost, untrusted: { ca: otherCa, server: otherServer } };
}
