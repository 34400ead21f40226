// The tests find code-server and chromium where the demo does (scripts/support/paths.ts).
export * from '../../../scripts/support/paths';
