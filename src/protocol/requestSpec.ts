// How every protocol file declares a request once: its JSON-RPC type, zod schemas for params and
// result (the server validates params with it), and example params (tests call every method with them).
import { RequestType } from 'vscode-languageserver-protocol';
import type { z } from 'zod';

export interface RequestSpec<P extends z.ZodTypeAny, R extends z.ZodTypeAny> {
  type: RequestType<z.input<P>, z.infer<R>, void>;
  params: P;
  result: R;
  /** Valid params for a smoke call (tests call every method with these). */
  example: z.input<P>;
}

export function request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(method: string, params: P, result: R, example: z.input<P>): RequestSpec<P, R> {
  return { type: new RequestType<z.input<P>, z.infer<R>, void>(method), params, result, example };
}
