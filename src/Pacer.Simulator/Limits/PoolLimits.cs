namespace Pacer.Simulator.Limits;

/// <summary>The per-minute limits of one pool, after overrides.</summary>
internal readonly record struct PoolLimits(long RequestsPerMinute, long InputTokensPerMinute, long OutputTokensPerMinute);
