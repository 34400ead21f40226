// zod 4's classic API (methods on schemas) for the schemas the hook never loads (protocol, plan,
// settings, MCP tools); ./zod first, so their issues too read as zod 3 worded them. Import it as a
// namespace (`import * as z`), so bundles leave out what is never named (zod's 40 locales).
import './zod';

export * from 'zod';
