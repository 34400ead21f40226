// The Lua scripts of the shared memory on Redis (redisMemory.ts): the decision log and the messages
// are lists of JSON items numbered by a per-team counter (the number and the server's time are put
// into the item by the script that appends it, so numbers are unique and increasing across every
// machine); each session's delivery cursor is a field of one hash. A delivery reads after the cursor,
// decides what to hand out (memoryRules.ts), and moves the cursor only if it is still the one read
// (CURSOR_SCRIPT): of two processes delivering to one session, one wins and the other reads again,
// so nothing is handed out twice. A send appends only if no message was appended since the mailboxes
// were counted (SEND_SCRIPT), so concurrent senders cannot overfill one.

/** The memory keys of one team, with the lease table's hash tag (one cluster slot). */
export function memoryKeys(team: string): { notes: string; notesLast: string; messages: string; messagesLast: string; cursors: string; cursorsMoved: string; waiters: string } {
  const tag = `lockstep:{${team}}`;
  return {
    notes: `${tag}:notes`,
    notesLast: `${tag}:notes-n`,
    messages: `${tag}:messages`,
    messagesLast: `${tag}:messages-n`,
    cursors: `${tag}:cursors`,
    cursorsMoved: `${tag}:cursors-moved`,
    waiters: `${tag}:waiters`,
  };
}

/** Notes and messages kept in Redis each (the embedded store keeps two 16 MiB files of each). */
export const MEMORY_KEEP = 50_000;

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// The items of list KEYS[list] numbered above `from` (the list holds the last LLEN numbers up to KEYS[last]'s value).
const AFTER = `
local function after(list, last, from)
  local i = from - (last - redis.call('LLEN', list))
  if i < 0 then i = 0 end
  return redis.call('LRANGE', list, i, -1)
end`;

// Appends ARGV[body] (a JSON object without n and at) numbered by KEYS[2]'s counter; trims to ARGV[keep].
const APPEND_NUMBERED = (bodyArg: number, keepArg: number) => `${NOW_MS}
local n = redis.call('INCR', KEYS[2])
local item = '{"n":' .. n .. ',"at":' .. string.format('%d', now) .. ',' .. string.sub(ARGV[${bodyArg}], 2)
local len = redis.call('RPUSH', KEYS[1], item)
local keep = tonumber(ARGV[${keepArg}])
if len > keep then redis.call('LTRIM', KEYS[1], len - keep, -1) end
return item`;

/** KEYS: notes, notes-n. ARGV: body, keep. Returns the note as stored. */
export const NOTE_SCRIPT = APPEND_NUMBERED(1, 2);

/**
 * KEYS: messages, messages-n. ARGV: the last message number the sender counted mailboxes at, body,
 * keep. Returns the message as stored, or false when another message came first (count again).
 */
export const SEND_SCRIPT = `
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[1]) then return false end
${APPEND_NUMBERED(2, 3)}`;

/** KEYS: notes, notes-n. ARGV: after (number). Returns the notes numbered above it. */
export const NOTES_SCRIPT = `${AFTER}
return after(KEYS[1], tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(ARGV[1]))`;

/**
 * A session's delivery read. KEYS: notes, notes-n, messages, messages-n, cursors. ARGV: session,
 * force (1: read even when nothing is new), notes (0: messages only).
 * Returns [cursor JSON or '', last note number, last message number, notes after the cursor,
 * messages after the cursor]; just [cursor] when the cursor is at both ends and not forced.
 */
export const DELIVERY_READ_SCRIPT = `${AFTER}
local cursor = redis.call('HGET', KEYS[5], ARGV[1])
local nn = tonumber(redis.call('GET', KEYS[2]) or '0')
local mn = tonumber(redis.call('GET', KEYS[4]) or '0')
local cn, cm = 0, 0
if cursor then
  local c = cjson.decode(cursor)
  cn = tonumber(c.notes) or 0
  cm = tonumber(c.messages) or 0
end
if ARGV[2] ~= '1' and ((cursor and cn >= nn and cm >= mn) or (not cursor and nn == 0 and mn == 0)) then return { cursor or '' } end
local notes = {}
if ARGV[3] == '1' then notes = after(KEYS[1], nn, cn) end
return { cursor or '', tostring(nn), tostring(mn), notes, after(KEYS[3], mn, cm) }`;

/**
 * Mailboxes, for a send or the unread counts. KEYS: messages, messages-n, cursors. ARGV: from
 * ('cursors': above the lowest cursor of the sessions listed, 0 for one without a cursor;
 * 'every-cursor': that and every cursor stored; 'all': every message), sessions…
 * Returns [last message number, every cursor as field/value pairs, messages, the server's time (ms)].
 */
export const MAILBOXES_SCRIPT = `${AFTER}
${NOW_MS}
local mn = tonumber(redis.call('GET', KEYS[2]) or '0')
local cursors = redis.call('HGETALL', KEYS[3])
local from = mn
if ARGV[1] == 'all' then from = 0 end
local function lower(c)
  local seen = 0
  if c then seen = tonumber(cjson.decode(c).messages) or 0 end
  if seen < from then from = seen end
end
if ARGV[1] == 'every-cursor' then
  for i = 2, #cursors, 2 do lower(cursors[i]) end
end
for i = 2, #ARGV do lower(redis.call('HGET', KEYS[3], ARGV[i])) end
return { tostring(mn), cursors, after(KEYS[1], mn, from), string.format('%d', now) }`;

/**
 * Moves a session's cursor if it is still the one read. KEYS: cursors, cursors-moved. ARGV: session,
 * cursor JSON read ('' for none), new cursor JSON. Returns 1 when moved, 0 when another process moved it first.
 */
export const CURSOR_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if cur ~= ARGV[2] then return 0 end
if cur ~= ARGV[3] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('INCR', KEYS[2])
end
return 1`;

/** KEYS: notes-n, messages-n, cursors-moved. Changes whenever a note or message is added or a cursor moves. */
export const MEMORY_STAMP_SCRIPT = `
return (redis.call('GET', KEYS[1]) or '0') .. ':' .. (redis.call('GET', KEYS[2]) or '0') .. ':' .. (redis.call('GET', KEYS[3]) or '0')`;

/**
 * Idle sessions that can be woken, announced by their waiters on any machine (hookWake.ts). KEYS:
 * waiters (session → '<deadline ms>|<waiter>'). ARGV: session, waiter, ms (0: withdraw, if still that waiter's).
 */
export const WAITER_SCRIPT = `${NOW_MS}
local ms = tonumber(ARGV[3])
if ms > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', now + ms) .. '|' .. ARGV[2])
  return 1
end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and string.sub(cur, string.find(cur, '|', 1, true) + 1) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

/** KEYS: waiters. ARGV: sessions… Returns those whose waiter's announcement has not run out. */
export const WAITING_SCRIPT = `${NOW_MS}
local out = {}
for i = 1, #ARGV do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if cur and tonumber(string.sub(cur, 1, string.find(cur, '|', 1, true) - 1)) >= now then table.insert(out, ARGV[i]) end
end
return out`;
