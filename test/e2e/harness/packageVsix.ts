// Packages an extension folder into a .vsix with the project's own @vscode/vsce (no dependencies).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from './paths';

const vsceBin = path.join(projectRoot, 'node_modules/@vscode/vsce/vsce');

/** `vsce package --no-dependencies --out <outFile>` run in extensionDir; resolves to outFile. */
export function packageVsix(extensionDir: string, outFile: string): Promise<string> {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [vsceBin, 'package', '--no-dependencies', '--out', outFile],
      { cwd: extensionDir, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err || !fs.existsSync(outFile)) reject(new Error(`vsce package in ${extensionDir} failed: ${err?.message ?? 'no output file'}\n${stdout}${stderr}`));
        else resolve(outFile);
      },
    );
  });
}
