// The store of the repository around a folder: what the CLI and the hook open.
import { locateRepo, type RepoLocation } from '../repoPaths/repoLocator';
import { openEmbeddedStore, type EmbeddedStore, type EmbeddedStoreOptions } from './embeddedStore';

export function openRepoStore(cwd: string, opts: EmbeddedStoreOptions = {}): { store: EmbeddedStore; location: RepoLocation } {
  const location = locateRepo(cwd);
  return { store: openEmbeddedStore(location.commonDir, opts), location };
}
