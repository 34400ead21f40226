// A scripted model endpoint on 127.0.0.1 that the real agent CLIs talk to instead of their vendor's
// API. A scenario is the list of tool calls the "model" makes, one per turn; after the last one it
// answers with plain text, which ends the agent's run. Every request is logged, so a test can assert
// what the agent told the model (a tool result carrying Lockstep's denial reason, for instance).
//
// Wire formats (streamed, as each agent asks for them):
//   Claude Code   POST /v1/messages                        Anthropic Messages API, server-sent events
//   Codex         POST /v1/responses                       OpenAI Responses API, server-sent events
//   Copilot CLI   POST /v1/chat/completions (or /responses) OpenAI Chat Completions, server-sent events
//   Gemini CLI    POST /v1beta/models/M:streamGenerateContent?alt=sse (and :generateContent, :countTokens)
// Requests that are not the agent's main loop (Claude's title or quota checks, Gemini's next-speaker
// check) are answered sensibly without taking a turn of the scenario.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One turn of the model: a tool call (JSON arguments, or a freeform string for a custom tool such as apply_patch), or text. */
export type Turn =
  | { tool: string; args: Record<string, unknown> | string; /** the reply waits for this first */ hold?: Promise<unknown> }
  | { say: string; hold?: Promise<unknown> };

export type Protocol = 'anthropic' | 'responses' | 'chat' | 'gemini' | 'other';

export interface LoggedRequest {
  protocol: Protocol;
  method: string;
  url: string;
  body: unknown;
  /** The raw body text: search it for what the agent told the model. */
  text: string;
  /** The scenario turn this request was answered with (-1: a side request, or past the end). */
  turn: number;
  /** When the request arrived, and when its reply was sent (Date.now()). */
  at: number;
  repliedAt?: number;
}

export interface ModelServer {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: LoggedRequest[];
  /** Resolves once the model has been asked for turn `n` (0-based). */
  reached(n: number): Promise<void>;
  /** The main-loop requests (those that took a turn, and the final ones past the end). */
  mainRequests(): LoggedRequest[];
  close(): Promise<void>;
}

const FINAL_TEXT = 'Done.';

function sse(res: http.ServerResponse, events: Array<{ event?: string; data: unknown }>, opts: { done?: boolean } = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close' });
  for (const e of events) {
    if (e.event) res.write(`event: ${e.event}\n`);
    res.write(`data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
  }
  if (opts.done) res.write('data: [DONE]\n\n');
  res.end();
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}

function argsText(args: Record<string, unknown> | string): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

// ---------- Anthropic Messages ----------

function anthropicReply(res: http.ServerResponse, turn: Turn | undefined, id: number, model: string): void {
  const msgId = `msg_${id}`;
  const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const events: Array<{ event: string; data: unknown }> = [
    { event: 'message_start', data: { type: 'message_start', message: { id: msgId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } } },
  ];
  let stop = 'end_turn';
  if (turn && 'tool' in turn) {
    stop = 'tool_use';
    events.push(
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${id}`, name: turn.tool, input: {} } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: argsText(turn.args) } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    );
  } else {
    const text = turn && 'say' in turn ? turn.say : FINAL_TEXT;
    events.push(
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    );
  }
  events.push(
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  );
  sse(res, events);
}

/** Claude Code's main loop offers its edit tools; its side requests (titles, quota, summaries) offer none. */
function anthropicIsMain(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

// ---------- OpenAI Responses ----------

function responsesReply(res: http.ServerResponse, turn: Turn | undefined, id: number, model: string): void {
  let item: Record<string, unknown>;
  if (turn && 'tool' in turn) {
    item =
      typeof turn.args === 'string'
        ? { type: 'custom_tool_call', id: `ctc_${id}`, call_id: `call_${id}`, name: turn.tool, input: turn.args, status: 'completed' }
        : { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name: turn.tool, arguments: JSON.stringify(turn.args), status: 'completed' };
  } else {
    const text = turn && 'say' in turn ? turn.say : FINAL_TEXT;
    item = { type: 'message', id: `m_${id}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
  }
  const response = { id: `resp_${id}`, object: 'response', model, status: 'completed', output: [item], usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } } };
  sse(res, [
    { event: 'response.created', data: { type: 'response.created', response: { ...response, status: 'in_progress', output: [] } } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', output_index: 0, item } },
    { event: 'response.output_item.done', data: { type: 'response.output_item.done', output_index: 0, item } },
    { event: 'response.completed', data: { type: 'response.completed', response } },
  ]);
}

function responsesIsMain(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

// ---------- OpenAI Chat Completions ----------

function chatReply(res: http.ServerResponse, turn: Turn | undefined, id: number, model: string): void {
  const base = { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const chunks: Array<{ data: unknown }> = [];
  if (turn && 'tool' in turn) {
    chunks.push({ data: { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: `call_${id}`, type: 'function', function: { name: turn.tool, arguments: argsText(turn.args) } }] }, finish_reason: null }] } });
    chunks.push({ data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] } });
  } else {
    const text = turn && 'say' in turn ? turn.say : FINAL_TEXT;
    chunks.push({ data: { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }] } });
    chunks.push({ data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } });
  }
  chunks.push({ data: { ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } });
  sse(res, chunks, { done: true });
}

function chatIsMain(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

// ---------- Gemini ----------

function geminiCandidate(turn: Turn | undefined): unknown {
  const part = turn && 'tool' in turn ? { functionCall: { name: turn.tool, args: typeof turn.args === 'string' ? { input: turn.args } : turn.args } } : { text: turn && 'say' in turn ? turn.say : FINAL_TEXT };
  return { candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 }, modelVersion: 'gemini-2.5-pro' };
}

/** Gemini CLI's side calls ask for JSON by schema (next speaker, model routing): answer the schema. */
function geminiSideAnswer(body: Record<string, unknown>): string {
  const text = JSON.stringify(body);
  if (text.includes('next_speaker')) return JSON.stringify({ reasoning: 'The model finished its turn.', next_speaker: 'user' });
  if (text.includes('complexity_score')) return JSON.stringify({ complexity_reasoning: 'Single file, specific edit.', complexity_score: 10 });
  if (text.includes('model_choice')) return JSON.stringify({ reasoning: 'simple task', model_choice: 'flash' });
  return FINAL_TEXT;
}

function geminiIsMain(body: Record<string, unknown>): boolean {
  return Array.isArray(body.tools) && body.tools.length > 0;
}

// ---------- the server ----------

export interface ModelServerOptions {
  log?: (line: string) => void;
  /** How long the model "thinks" before it answers a main-loop request (default 0: at once). */
  thinkMs?: number;
}

export async function startModelServer(turns: Turn[], opts: ModelServerOptions = {}): Promise<ModelServer> {
  const requests: LoggedRequest[] = [];
  let next = 0;
  let ids = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const announce = () => {
    for (const w of [...waiters]) {
      if (next > w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  /** The next scenario turn for a main-loop request (undefined past the end: the final text). */
  const take = (): { turn: Turn | undefined; index: number } => {
    const index = next < turns.length ? next : -1;
    const turn = index >= 0 ? turns[index] : undefined;
    if (index >= 0) next++;
    announce();
    return { turn, index };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          /* logged as text */
        }
        const url = req.url ?? '/';
        const pathname = url.split('?')[0]!;
        const id = ++ids;
        const model = typeof body.model === 'string' ? body.model : 'model';
        const at = Date.now();
        const log = (protocol: Protocol, turn: number) => {
          const entry: LoggedRequest = { protocol, method: req.method ?? 'GET', url, body, text, turn, at };
          requests.push(entry);
          res.on('finish', () => (entry.repliedAt = Date.now()));
          opts.log?.(`${req.method} ${url} -> ${protocol} turn ${turn}`);
        };
        const hold = async (turn: Turn | undefined) => {
          if (opts.thinkMs) await new Promise((r) => setTimeout(r, opts.thinkMs));
          if (turn?.hold) await turn.hold;
        };
        if (req.method === 'POST' && pathname.endsWith('/messages')) {
          if (!anthropicIsMain(body)) {
            log('anthropic', -1);
            return anthropicReply(res, { say: 'Edit files' }, id, model);
          }
          const { turn, index } = take();
          log('anthropic', index);
          await hold(turn);
          return anthropicReply(res, turn, id, model);
        }
        if (req.method === 'POST' && pathname.endsWith('/messages/count_tokens')) {
          log('anthropic', -1);
          return json(res, 200, { input_tokens: 10 });
        }
        if (req.method === 'POST' && pathname.endsWith('/responses')) {
          if (!responsesIsMain(body)) {
            log('responses', -1);
            return responsesReply(res, { say: FINAL_TEXT }, id, model);
          }
          const { turn, index } = take();
          log('responses', index);
          await hold(turn);
          return responsesReply(res, turn, id, model);
        }
        if (req.method === 'POST' && pathname.endsWith('/chat/completions')) {
          if (!chatIsMain(body)) {
            log('chat', -1);
            return chatReply(res, { say: FINAL_TEXT }, id, model);
          }
          const { turn, index } = take();
          log('chat', index);
          await hold(turn);
          return chatReply(res, turn, id, model);
        }
        const gemini = /\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/.exec(pathname);
        if (req.method === 'POST' && gemini) {
          const method = gemini[2];
          if (method === 'countTokens') {
            log('gemini', -1);
            return json(res, 200, { totalTokens: 10 });
          }
          if (!geminiIsMain(body)) {
            log('gemini', -1);
            const answer = { say: geminiSideAnswer(body) };
            return method === 'generateContent' ? json(res, 200, geminiCandidate(answer)) : sse(res, [{ data: geminiCandidate(answer) }]);
          }
          const { turn, index } = take();
          log('gemini', index);
          await hold(turn);
          return method === 'generateContent' ? json(res, 200, geminiCandidate(turn)) : sse(res, [{ data: geminiCandidate(turn) }]);
        }
        if (req.method === 'GET' && /\/models\/?$/.test(pathname)) {
          log('other', -1);
          return json(res, 200, { object: 'list', data: [{ id: 'gpt-4.1', object: 'model' }, { id: 'gpt-5.5', object: 'model' }], models: [] });
        }
        log('other', -1);
        json(res, 404, { error: { type: 'not_found', message: `scripted model server: no route for ${req.method} ${pathname}` } });
      })().catch((e: unknown) => {
        opts.log?.(`model server error: ${(e as Error).message}`);
        if (!res.headersSent) json(res, 500, { error: { message: String(e) } });
        else res.end();
      });
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reached(n) {
      if (next > n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    mainRequests: () => requests.filter((r) => r.turn >= 0 || (r.protocol !== 'other' && isMainBody(r))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isMainBody(r: LoggedRequest): boolean {
  const b = r.body as Record<string, unknown>;
  return Array.isArray(b?.tools) && b.tools.length > 0;
}
