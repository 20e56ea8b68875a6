-- Forgets the learned output accounting of every bucket. KEYS: 1 accounting set. ARGV: 1 now override.
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('HDEL', key, 'rmt')
end
redis.call('DEL', KEYS[1])
return now
