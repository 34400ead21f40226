// The tests start code-server the same way the demo does (scripts/support/codeServer.ts).
export * from '../../../scripts/support/codeServer';
