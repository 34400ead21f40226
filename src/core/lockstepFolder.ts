// `.lockstep/` holds Lockstep's own configuration: the plan, whose agent, setup and verify commands
// the scheduler runs outside any agent's sandbox. An agent editing it could have those commands run
// with the user's full rights, so agents' edits there are denied unless the user allows them.

export const LOCKSTEP_FOLDER = '.lockstep';

/** True for keys inside the repository's `.lockstep/` folder. */
export function isLockstepFolderKey(key: string): boolean {
  return key === LOCKSTEP_FOLDER || key.startsWith(`${LOCKSTEP_FOLDER}/`);
}

export function lockstepFolderDenial(key: string): string {
  return (
    `Lockstep: ${key} is Lockstep's own configuration (the plan's commands run outside any sandbox), and agents may not edit it. ` +
    `Describe the change you need to the user instead.`
  );
}

/**
 * The `tool` of a recorded edit that Lockstep itself made for the user (hook configuration written by
 * Install Agent Hooks): it explains the change, which is then the user's, not an unleased edit.
 */
export const LOCKSTEP_WRITE_TOOL = 'lockstep';
