// Tests run the CLI the same way the demos do (scripts/support/cli.ts).
export * from '../../scripts/support/cli';
