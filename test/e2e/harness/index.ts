// The real-VS-Code end-to-end harness: code-server + Debian chromium + playwright-core.
export { startWorkbench, withWorkbench } from './workbench';
export type { Workbench, WorkbenchOptions, StartupTimings, StatusBarItem, ExplorerDecoration, TreeItem, EditorLine } from './workbench';
export { packageVsix } from './packageVsix';
export { artifactsDir, projectRoot, codeServerEntry, assertE2eInstalled } from './paths';
export { waitFor } from './waitFor';
export { runExtensionTests } from './extensionTests';
export type { ExtensionTestRun, ExtensionTestResult } from './extensionTests';
