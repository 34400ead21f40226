// The largest hook payload read from stdin: shared by the hook's entry (which reads it) and the
// paths it loads on demand (hookMain.ts), so the cap costs no module of its own path.
export const MAX_HOOK_PAYLOAD_BYTES = 4 * 1024 * 1024;
