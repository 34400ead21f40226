/** A configuration Lockstep cannot merge into (or remove from); nothing was written. */
export class HookInstallError extends Error {
  override readonly name = 'HookInstallError';
}
