// The store of the repository around a folder: what the CLI and the hook open.
import { locateRepo, type RepoLocation } from '../repoPaths/repoLocator';
import type { EmbeddedStoreOptions } from './embeddedStore';
import type { LeaseStore } from './leaseStore';
import { openLeaseStore } from './openLeaseStore';

export function openRepoStore(cwd: string, opts: EmbeddedStoreOptions = {}): { store: LeaseStore; location: RepoLocation } {
  const location = locateRepo(cwd);
  return { store: openLeaseStore(location.commonDir, opts), location };
}
