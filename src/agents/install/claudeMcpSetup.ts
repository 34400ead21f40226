// What Claude Code's mcp_tool hooks need besides the hooks themselves, for `lockstep hooks install`
// and VS Code's Install Agent Hooks alike: the lockstep server registered in the repository's
// .mcp.json (named by the launcher's pointer, so a committed file works on every clone), and
// pre-approved in the user's own local settings (kept out of git), so Claude Code does not stop to
// ask. A server the user rejected stays rejected.
import { addExclude, excludePattern, trackedOrIgnored } from '../../git/infoExclude';
import { registerMcpServer, type McpRegistrationResult } from '../mcpRegistration';
import { claudeMcpApproval } from './claudeMcpApproval';
import { preapproveLockstepServer } from './claudeMcpPreapproval';
import { launcherMcpServer } from './launcher';

export interface ClaudeMcpSetup {
  mcp: McpRegistrationResult;
  /** The pre-approval written (or found); undefined when the user rejected the server. */
  approval?: { file: string; changed: boolean };
}

export async function setUpClaudeMcpServer(repoRoot: string, commonDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ClaudeMcpSetup> {
  const mcp = registerMcpServer({ agent: 'claude', scope: 'project', repoRoot, server: launcherMcpServer() });
  const approval = claudeMcpApproval(repoRoot, env).approval !== 'rejected' ? preapproveLockstepServer(repoRoot) : undefined;
  // The approval is this user's, in a file nobody commits: kept out of commits and of the unleased edits.
  if (approval?.changed && !(await trackedOrIgnored(repoRoot, approval.file))) addExclude(commonDir, excludePattern(repoRoot, approval.file));
  return { mcp, ...(approval ? { approval } : {}) };
}
