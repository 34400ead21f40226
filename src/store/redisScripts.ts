// The Lua scripts of the Redis store (redisStore.ts). Redis runs each script atomically, so every
// transaction of the lease rules commits as one script: compare the table's version with the one
// the rules ran on, refuse a fence that would go backwards, write the table, advance the version and
// the fence counter, append the journal, publish the change. Time is the server's (TIME), never a
// client's. Keys share one hash tag per team ({team}) so they live on one slot of a cluster too.

/** The keys of one team's store, in the order the scripts take them. */
export function teamKeys(team: string): { state: string; version: string; fence: string; journal: string; journalBase: string; channel: string; turn: string } {
  const tag = `lockstep:{${team}}`;
  return {
    state: `${tag}:state`,
    version: `${tag}:version`,
    fence: `${tag}:fence`,
    journal: `${tag}:journal`,
    journalBase: `${tag}:journal-base`,
    channel: `${tag}:changed`,
    turn: `${tag}:turn`,
  };
}

/** Journal lines kept in Redis; older ones are trimmed (readers past them see `rotated`). */
export const JOURNAL_KEEP = 100_000;

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Appends ARGV[from..] to the journal list, trimming it to ARGV[keep] lines (the trimmed count
// moves the base, so numeric offsets stay valid). KEYS[journalAt], KEYS[journalAt + 1].
const APPEND = (journalAt: number, keepArg: number, from: number) => `
local n = #ARGV - ${from} + 1
if n > 0 then
  local len = redis.call('RPUSH', KEYS[${journalAt}], unpack(ARGV, ${from}))
  local keep = tonumber(ARGV[${keepArg}])
  if len > keep then
    redis.call('LTRIM', KEYS[${journalAt}], len - keep, -1)
    redis.call('INCRBY', KEYS[${journalAt + 1}], len - keep)
  end
end`;

/** KEYS: state, version, fence, turn. Returns [version, table JSON or '', fence, server time ms, turn holder or '']. */
export const READ_SCRIPT = `${NOW_MS}
return { redis.call('GET', KEYS[2]) or '0', redis.call('GET', KEYS[1]) or '', redis.call('GET', KEYS[3]) or '0', tostring(now), redis.call('GET', KEYS[4]) or '' }`;

/**
 * The commit turn: a writer that lost several commits in a row takes it (KEYS: turn; ARGV: token,
 * ms), and until it commits (or the turn expires) every other writer's commit is refused, so heavy
 * contention cannot starve one writer. Only fairness: the version compare keeps the table correct.
 */
export const TURN_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) return 1 end
return 0`;

/** KEYS: turn. ARGV: token. Gives the turn back if it is still this writer's. */
export const TURN_RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: state, version, fence, journal, journal-base, turn.
 * ARGV: expected version, table JSON, its fence, channel, journal keep, writer token, deadline (server
 * ms), journal lines…
 * Returns [1, new version] when committed, [0, current version] when another commit came first
 * (or another writer has the commit turn), [2, current version] when it ran past its deadline: the
 * writer may have given up on it by then (its command timed out, its caller was told the store did
 * not answer), so it must not take effect late, e.g. a lease granted to an agent told it was denied.
 */
export const COMMIT_SCRIPT = `${NOW_MS}
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if now > tonumber(ARGV[7]) then return { 2, tostring(current) } end
if current ~= tonumber(ARGV[1]) then return { 0, tostring(current) } end
local turn = redis.call('GET', KEYS[6])
if turn and turn ~= ARGV[6] then return { 0, tostring(current) } end
if turn then redis.call('DEL', KEYS[6]) end
local fence = tonumber(redis.call('GET', KEYS[3]) or '0')
local next_fence = tonumber(ARGV[3])
if next_fence < fence then
  return redis.error_reply('LOCKSTEP fence would go backwards (' .. ARGV[3] .. ' < ' .. fence .. '); nothing written')
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
local version = redis.call('INCR', KEYS[2])
${APPEND(4, 5, 8)}
redis.call('PUBLISH', ARGV[4], tostring(version))
return { 1, tostring(version) }`;

/** KEYS: journal, journal-base. ARGV: journal keep, lines… (observations that change no lease: denials). */
export const APPEND_SCRIPT = `${APPEND(1, 1, 2)}
return #ARGV - 1`;

/**
 * KEYS: journal, journal-base. ARGV: offset (absolute line number).
 * Returns [offset of the first line returned, rotated (0/1), lines…].
 */
export const JOURNAL_SCRIPT = `
local base = tonumber(redis.call('GET', KEYS[2]) or '0')
local from = tonumber(ARGV[1])
local rotated = 0
if from < base or from > base + redis.call('LLEN', KEYS[1]) then
  from = base
  rotated = 1
end
local lines = redis.call('LRANGE', KEYS[1], from - base, -1)
table.insert(lines, 1, rotated)
table.insert(lines, 1, tostring(from))
return lines`;

/** No keys. Returns the server time in ms (doctor's clock-skew check). */
export const TIME_SCRIPT = `${NOW_MS}
return tostring(now)`;
