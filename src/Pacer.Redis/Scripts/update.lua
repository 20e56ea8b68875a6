-- Applies one update to a bucket atomically (see ILimiterStore.UpdateAsync).
-- KEYS: 1 bucket hash, 2 leases zset, 3 bucket set, 4 accounting set.
-- ARGV: 1 now override, 2 input tpm, 3 output tpm, 4 bucket ttl (s),
-- 5..13 deltas: requests debt, requests unconfirmed, input debt, input unconfirmed, output debt, output unconfirmed,
-- operator input, operator output, output refund within room (0/1),
-- 14..40 levels, 9 each for requests, input, output: limit, remaining, shown capacity, margin, small margin, small below,
-- band, band up to, flags (1: unconfirmed may be counted, 2: may be below empty, 4: held unproduced; summed), 41 cooldown
-- (us), 42 reserves max_tokens (0/1), 43 lease member to
-- free ('' for none), 44 channel, 45 owner, 46 output settlement (BudgetChange.OutputSettlement).
-- Returns 1 when a lease was freed.
local itpm, otpm, bucketTtl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local h = load(KEYS[1])
refillLearned(h, 'r'); refillLearned(h, 'i'); refillLearned(h, 'o')
if itpm > 0 then refill(h, 'ni', itpm) end
if otpm > 0 then refill(h, 'no', otpm) end

local function apply(p, debt, unconfirmed, withinRoom, settlement)
  if get(h, p .. 'k') == 1 then debt = debt + settlement end
  if withinRoom and debt < 0 and get(h, p .. 'l') > 0 then
    local room = math.max(0, get(h, p .. 'd') - get(h, p .. 'x'))
    debt = -math.min(-debt, room)
  end
  spend(h, p, debt)
  h[p .. 'u'] = math.max(0, get(h, p .. 'u') + unconfirmed)
  if get(h, p .. 'h') == 1 and get(h, p .. 'l') > 0 and get(h, p .. 'd') < get(h, p .. 'u') then
    -- The server's bucket, which has not charged the holds, is no fuller than full (LearnedBudget.Apply).
    h[p .. 'd'] = get(h, p .. 'u')
  end
end

apply('r', tonumber(ARGV[5]), tonumber(ARGV[6]), false, 0)
apply('i', tonumber(ARGV[7]), tonumber(ARGV[8]), false, 0)
apply('o', tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[13] == '1', tonumber(ARGV[46]))
if itpm > 0 then h['nid'] = math.max(0, get(h, 'nid') + tonumber(ARGV[11])) end
if otpm > 0 then h['nod'] = math.max(0, get(h, 'nod') + tonumber(ARGV[12])) end

local function learnLevel(p, a)
  local limit = tonumber(ARGV[a])
  if limit <= 0 then return end
  local remaining, shown, margin, smallMargin, smallBelow, band =
    tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local bandUpTo = tonumber(ARGV[a + 7])
  local flags = tonumber(ARGV[a + 8])
  local belowEmpty = math.floor(flags / 2) % 2 == 1
  local bandUnconfirmed = get(h, p .. 'u')
  if flags % 2 == 1 then bandUnconfirmed = 0 end
  h[p .. 'h'] = math.floor(flags / 4) % 2
  local counted = band > 0 and get(h, p .. 'l') == limit
  local readsEmpty = belowEmpty and (get(h, 'cd') > now or h[p .. 'h'] == 1) and remaining <= 0 and get(h, p .. 'l') == limit
  if shown >= 0 then
    if limit == get(h, p .. 'l') then h[p .. 'c'] = math.max(get(h, p .. 'c'), shown) else h[p .. 'c'] = shown end
  end
  local c = get(h, p .. 'c')
  if bandUpTo > 0 and not (c > 0 and c <= bandUpTo) then counted = false end
  if c > 0 and c < smallBelow then margin = smallMargin end
  h[p .. 'l'] = limit
  local debt = size(h, p) - math.max(0, remaining - margin) + get(h, p .. 'u')
  local own = get(h, p .. 'd')
  h[p .. 'k'] = 0
  if counted and belowEmpty then
    h[p .. 'k'] = 1
    -- The own count moves only as far as the header's rounding requires; a header of 0 sets no lower end.
    local level = size(h, p) - own + get(h, p .. 'u')
    local high = math.min(size(h, p), remaining + band - 1)
    if remaining > 0 then
      local low = remaining - band
      high = math.max(low, high)
      level = math.max(low, level)
    end
    level = math.min(high, level)
    debt = size(h, p) - level + get(h, p .. 'u')
  elseif counted and own <= debt and own >= size(h, p) - math.min(size(h, p), remaining + band) + bandUnconfirmed then
    -- The own count stands where the rounded header cannot tell it wrong (LearnedBudget.Learn).
    debt = own
  elseif readsEmpty and own > debt then
    -- The server may be below empty, and a header reads no lower than 0: the own count stands.
    debt = own
  end
  h[p .. 'd'] = math.max(0, debt)
  h[p .. 's'] = now
  h[p .. 'x'] = 0
end

learnLevel('r', 14)
learnLevel('i', 23)
learnLevel('o', 32)
local cooldown = tonumber(ARGV[41])
if cooldown > 0 then h['cd'] = math.max(get(h, 'cd'), now + cooldown) end
if ARGV[42] == '1' then
  h['rmt'] = 1
  redis.call('SADD', KEYS[4], KEYS[1])
end
save(h, bucketTtl)
redis.call('SADD', KEYS[3], KEYS[1])

local freed = 0
if ARGV[43] ~= '' then
  freed = redis.call('ZREM', KEYS[2], ARGV[43])
  if freed == 1 then redis.call('PUBLISH', ARGV[44], ARGV[45]) end
end
return freed
