-- Reads the state. KEYS: 1 leases zset, 2 window zset, 3 bucket set. ARGV: 1 now override, 2 input tpm, 3 output tpm.
-- Returns: now (us), in flight, in window, until the oldest admission leaves (us), then 13 per bucket with a learned
-- limit or a cooldown: key, then for requests, input, output: limit, remaining, until full (us); cooldown left (us),
-- output reserved on arrival, (unused).
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - MINUTE)
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local untilOldest = 0
if #oldest > 0 then untilOldest = math.ceil(tonumber(oldest[2]) + MINUTE - now) end
local out = { now, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), untilOldest }
for _, key in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local h = load(key)
  if redis.call('EXISTS', key) == 0 then
    redis.call('SREM', KEYS[3], key)
  else
    local learned = get(h, 'rl') > 0 or get(h, 'il') > 0 or get(h, 'ol') > 0
    local cd = get(h, 'cd')
    if learned or cd > now then
      out[#out + 1] = key
      for _, p in ipairs({ 'r', 'i', 'o' }) do
        refillLearned(h, p)
        local l = get(h, p .. 'l')
        if l > 0 then
          local d = get(h, p .. 'd')
          out[#out + 1] = l
          out[#out + 1] = math.floor(math.max(0, size(h, p) - d))
          out[#out + 1] = math.ceil(d * MINUTE / l)
        else
          out[#out + 1] = 0; out[#out + 1] = 0; out[#out + 1] = 0
        end
      end
      out[#out + 1] = math.max(0, math.ceil(cd - now))
      out[#out + 1] = get(h, 'rmt')
      out[#out + 1] = 0
    end
  end
end
return out
