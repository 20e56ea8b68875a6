-- Shared by every Pacer script (prepended to each): the store's clock and the bucket arithmetic.
-- Times are microseconds of the Redis server's clock; ARGV[1], when not empty, replaces it (tests drive a fake clock).
local MINUTE = 60000000
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function load(key)
  local flat = redis.call('HGETALL', key)
  local h = { key = key }
  for i = 1, #flat, 2 do h[flat[i]] = tonumber(flat[i + 1]) or flat[i + 1] end
  return h
end

local function get(h, f) return h[f] or 0 end

local function save(h, ttl)
  local args = {}
  for f, v in pairs(h) do
    if f ~= 'key' then
      args[#args + 1] = f
      args[#args + 1] = string.format('%.17g', v)
    end
  end
  if #args > 0 then redis.call('HSET', h.key, unpack(args)) end
  redis.call('EXPIRE', h.key, ttl)
end

-- A learned budget p ('r', 'i', 'o'): limit pl, debt pd, stamp ps, unconfirmed pu, capacity pc, spent since learned px,
-- holds unproduced ph (1: the holds in flight do not refill away and half of them is lent to admission; LearnedBudget),
-- keeps own count pk (1: answers' settlements apply).
local function size(h, p)
  local l, c = get(h, p .. 'l'), get(h, p .. 'c')
  if c > 0 and c < l then return c end
  return l
end

local function refill(h, p, perMinute, floor)
  floor = floor or 0
  local s = get(h, p .. 's')
  if now <= s then return end
  local d = get(h, p .. 'd')
  if d > floor then h[p .. 'd'] = math.max(floor, d - perMinute * (now - s) / MINUTE) end
  h[p .. 's'] = now
end

local function refillLearned(h, p)
  local l = get(h, p .. 'l')
  if l <= 0 then return end
  if get(h, p .. 'h') == 1 then refill(h, p, l, get(h, p .. 'u')) else refill(h, p, l) end
end

local function untilFits(debt, amount, capacity, perMinute)
  local missing = debt - math.max(0, capacity - amount)
  if missing <= 0 then return 0 end
  return math.max(1, math.ceil(missing * MINUTE / perMinute))
end

-- The wait of a learned budget for amount (LearnedBudget.TicksUntil): with ph set, half of the holds in flight is lent.
local function untilLearnedFits(h, p, amount)
  local d, l, cap = get(h, p .. 'd'), get(h, p .. 'l'), size(h, p)
  if get(h, p .. 'h') ~= 1 then return untilFits(d, amount, cap, l) end
  local u = get(h, p .. 'u')
  local credit = u * 0.5
  local ticks = untilFits(d - credit, amount, cap, l)
  if ticks == 0 or d - credit - math.max(0, cap - amount) <= d - u then return ticks end
  -- Only an answer's end makes the room: wait at least as long as the holds' counted share takes to refill.
  return math.max(ticks, untilFits(u - credit, 0, 0, l))
end

local function spend(h, p, amount)
  if get(h, p .. 'l') <= 0 then return end
  h[p .. 'd'] = math.max(0, get(h, p .. 'd') + amount)
  if amount > 0 then h[p .. 'x'] = get(h, p .. 'x') + amount end
end
