import { readdirSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '@freshen/harness';
import { parseAllDocuments } from 'yaml';
import { readRepoFile } from './observability-files.ts';

export const K8S_DIRECTORY = 'infra/k8s';

/** A Kubernetes object as written. */
interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** One Kubernetes object of a manifest file, and the file. */
export interface Manifest extends KubernetesObject {
  file: string;
}

/** Every object in every YAML file under infra/k8s, in file order. */
export function readManifests(): Manifest[] {
  const directory = path.join(findRepoRoot(), K8S_DIRECTORY);
  return readdirSync(directory)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readRepoFile(path.join(K8S_DIRECTORY, file)))
        .map((document) => document.toJS() as KubernetesObject | null)
        .filter((object) => object !== null)
        .map((object): Manifest => ({ ...object, file })),
    );
}

interface Model {
  validate(): void;
}

/**
 * Validates one object against the Kubernetes API's schema for its apiVersion and kind: the
 * OpenAPI definitions of the Kubernetes release that kubernetes-models was generated from,
 * compiled to validators, offline. Returns the problems, empty when valid; an apiVersion/kind
 * the package does not know is a problem too (a typo, or an API removed from Kubernetes).
 */
export async function schemaProblems(manifest: Manifest): Promise<string[]> {
  const { file, ...object } = manifest;
  const where = `${file}: ${manifest.kind} ${manifest.metadata?.name ?? '(no name)'}`;
  let modelClass: new (data: unknown) => Model;
  try {
    const module = (await import(
      `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`
    )) as Record<string, new (data: unknown) => Model>;
    modelClass = module[manifest.kind]!;
  } catch {
    return [
      `${where}: no Kubernetes schema for apiVersion ${manifest.apiVersion}, kind ${manifest.kind}`,
    ];
  }
  try {
    new modelClass(object).validate();
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}
