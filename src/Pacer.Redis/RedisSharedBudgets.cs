using Pacer.Usage;
using StackExchange.Redis;

namespace Pacer.Redis;

/// <summary>
/// Users' budget totals on Redis (see <see cref="ISharedBudgets"/>): one counter per user and period,
/// <c>{prefix}:budget:{user}:{period start}</c>, started from the ledger's spending and kept
/// <see cref="TimeToLive"/>, so that the holds of an instance that died go away with it.
/// </summary>
internal sealed class RedisSharedBudgets(IConnectionMultiplexer redis, RedisKeys keys, TimeSpan timeout) : ISharedBudgets
{
    /// <summary>How long a total lives before it is started again from the ledger.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(5);

    private const string TryAddScript = """
        local total = redis.call('GET', KEYS[1])
        if not total then
          total = tonumber(ARGV[3])
          redis.call('SET', KEYS[1], total, 'EX', ARGV[4])
        else
          total = tonumber(total)
        end
        local credits, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
        if total >= limit or total + credits > limit then return -1 end
        return redis.call('INCRBY', KEYS[1], credits)
        """;

    private const string AddScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
        return 0
        """;

    public async ValueTask<long?> TryAddAsync(string user, DateTimeOffset periodStart, long credits, long limit, long spent, CancellationToken cancellationToken = default)
    {
        var total = (long)await redis.GetDatabase()
            .ScriptEvaluateAsync(TryAddScript, [keys.Budget(user, periodStart)], [credits, limit, Math.Max(0, spent), (long)TimeToLive.TotalSeconds])
            .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        return total < 0 ? null : total;
    }

    public async ValueTask AddAsync(string user, DateTimeOffset periodStart, long credits, CancellationToken cancellationToken = default) =>
        await redis.GetDatabase().ScriptEvaluateAsync(AddScript, [keys.Budget(user, periodStart)], [credits])
            .WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
}
