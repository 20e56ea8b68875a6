-- Decides a batch of candidates in order, atomically (see ILimiterStore.AdmitAsync).
-- KEYS: 1 pacing hash, 2 window zset, 3 leases zset, 4 bucket set, 5.. each candidate's bucket hash.
-- ARGV: 1 now override, 2 owner, 3 lease ttl (us), 4 look only, 5 rpm, 6 burst, 7 max concurrent, 8 input tpm,
-- 9 output tpm, 10 token burst seconds, 11 learn, 12 bucket ttl (s), 13 count, then 5 per candidate:
-- lease id, input, output, learned output, (unused).
-- Returns: in flight, in window, then 5 per candidate: status (0 admitted, 1 wait, 2 too large), wait (us), blockers,
-- shared wait (us), output reserved on arrival.
local owner, ttl, look = ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local rpm, burst, maxc = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local itpm, otpm, bsec, learn = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11] == '1'
local bucketTtl, n = tonumber(ARGV[12]), tonumber(ARGV[13])
local interval = MINUTE / rpm

redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local inflight = redis.call('ZCARD', KEYS[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - MINUTE)
local inwin = redis.call('ZCARD', KEYS[2])
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '')

-- The operator's burst, widened to the requests the upstream's bucket has been shown to hold (RequestPacer.BurstFor).
local function pacedBurst(h)
  local c = get(h, 'rc')
  if learn and get(h, 'rl') > 0 and c >= burst + 1 then return math.min(rpm, math.floor(c)) end
  return burst
end

local function rateWait(b)
  local wait = 0
  if inwin >= rpm then
    local entry = redis.call('ZRANGE', KEYS[2], inwin - rpm, inwin - rpm, 'WITHSCORES')
    wait = tonumber(entry[2]) + MINUTE - now
  end
  if tat then wait = math.max(wait, tat - (b - 1) * interval - now) end
  return math.max(0, math.ceil(wait))
end

local buckets, touched, closed = {}, {}, {}
local out = { 0, 0 }
local shared = nil
for c = 1, n do
  local key = KEYS[4 + c]
  local a = 13 + (c - 1) * 5
  local lease, input, output, lout = ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local h = buckets[key]
  if not h then
    h = load(key)
    buckets[key] = h
    refillLearned(h, 'r'); refillLearned(h, 'i'); refillLearned(h, 'o')
    if itpm > 0 then refill(h, 'ni', itpm) end
    if otpm > 0 then refill(h, 'no', otpm) end
  end
  local rmt = get(h, 'rmt')
  local status, wait, blockers, sharedWait = 0, 0, 0, 0
  if shared then
    status, wait, blockers, sharedWait = 1, shared[1], shared[2], shared[1]
  elseif closed[key] then
    status, wait, blockers, sharedWait = closed[key][1], closed[key][2], closed[key][3], closed[key][4]
  else
    if itpm > 0 and input > itpm then blockers = blockers + 64 end
    if otpm > 0 and output > otpm then blockers = blockers + 128 end
    if learn and get(h, 'il') > 0 and input > get(h, 'il') then blockers = blockers + 16 end
    if learn and get(h, 'ol') > 0 and lout > get(h, 'ol') then blockers = blockers + 32 end
    if blockers > 0 then
      status = 2
    else
      local function check(ticks, bit)
        if ticks > 0 then blockers = blockers + bit; wait = math.max(wait, ticks) end
      end
      if inflight >= maxc then blockers = blockers + 1 end
      sharedWait = rateWait(pacedBurst(h))
      check(sharedWait, 2)
      local cd = get(h, 'cd')
      if cd > now then check(math.ceil(cd - now), 4) end
      if learn then
        if get(h, 'rl') > 0 then check(untilLearnedFits(h, 'r', 1), 8) end
        if get(h, 'il') > 0 then check(untilLearnedFits(h, 'i', input), 16) end
        if get(h, 'ol') > 0 then check(untilLearnedFits(h, 'o', lout), 32) end
      end
      if itpm > 0 then check(untilFits(get(h, 'nid'), input, itpm * bsec / 60, itpm), 64) end
      if otpm > 0 then check(untilFits(get(h, 'nod'), output, otpm * bsec / 60, otpm), 128) end
      if blockers > 0 then status = 1 end
    end
    if status == 0 and not look then
      redis.call('ZADD', KEYS[3], now + ttl, owner .. ':' .. lease)
      inflight = inflight + 1
      redis.call('ZADD', KEYS[2], now, owner .. ':' .. lease)
      inwin = inwin + 1
      tat = math.max(tat or now, now) + interval
      if itpm > 0 then h['nid'] = math.max(0, get(h, 'nid') + input) end
      if otpm > 0 then h['nod'] = math.max(0, get(h, 'nod') + output) end
      spend(h, 'r', 1); h['ru'] = get(h, 'ru') + 1
      spend(h, 'i', input); h['iu'] = get(h, 'iu') + input
      spend(h, 'o', lout); h['ou'] = get(h, 'ou') + lout
      touched[key] = true
    elseif status == 1 and (blockers % 4) > 0 then
      -- A shared limit (concurrency 1, request rate 2) refuses: the later candidates wait for it alone.
      shared = { sharedWait, blockers % 4 }
    elseif status == 1 then
      closed[key] = { status, wait, blockers, sharedWait }
    end
  end
  out[#out + 1] = status
  out[#out + 1] = wait
  out[#out + 1] = blockers
  out[#out + 1] = sharedWait
  out[#out + 1] = rmt
end

if not look and tat then redis.call('HSET', KEYS[1], 'tat', string.format('%.17g', tat)) end
for key, h in pairs(buckets) do
  if touched[key] then
    save(h, bucketTtl)
    redis.call('SADD', KEYS[4], key)
  end
end
out[1] = inflight
out[2] = inwin
return out
