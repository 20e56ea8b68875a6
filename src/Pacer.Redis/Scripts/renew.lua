-- Extends the named leases of one owner; an expired lease is dropped first, never revived.
-- KEYS: 1 leases zset, 2 instances zset. ARGV: 1 now override, 2 lease ttl (us), 3 owner, 4.. lease ids.
-- Also keeps the owner's heartbeat, so that every process can count the live instances.
local ttl, owner = tonumber(ARGV[2]), ARGV[3]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for i = 4, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + ttl, owner .. ':' .. ARGV[i])
end
redis.call('ZADD', KEYS[2], now + ttl, owner)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return redis.call('ZCARD', KEYS[2])
