// Entry of dist/mcp.js: `lockstep mcp`, the MCP server over stdio (see mcpServer.ts). Its own bundle,
// so neither the hook nor the other commands load the MCP SDK.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { buildMcpServer } from './mcpServer';

const USAGE = `Usage: lockstep mcp

Serves Lockstep's tools over MCP on stdin/stdout (for an agent's MCP configuration; \`lockstep hooks
install --agent A\` registers it): claim, release, status, note, log, send, inbox, matrix, task_list,
task_add, task_start, and hook_decide (what Claude Code's mcp_tool hooks call, see \`lockstep hooks
install --help\`). Runs in the repository of the current folder. The session a call acts for is its
\`session\` argument, else LOCKSTEP_SESSION.
`;

async function main(): Promise<void> {
  const args = process.argv.slice(3);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.length > 0) {
    process.stderr.write(`lockstep mcp: unexpected argument '${args[0]}' (see lockstep mcp --help)\n`);
    process.exitCode = 1;
    return;
  }
  await buildMcpServer().connect(new StdioServerTransport());
}

main().catch((e) => {
  process.stderr.write(`lockstep mcp: ${(e as Error).message.split('\n')[0]}\n`);
  process.exitCode = 1;
});
