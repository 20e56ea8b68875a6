using Microsoft.Extensions.Time.Testing;
using Pacer.Limiting;
using Pacer.Tests.Limiting.Stores;
using StackExchange.Redis;

namespace Pacer.Redis.Tests;

/// <summary>The store contract on a real Redis; each test has its own prefix, and the scripts read the test's fake clock.</summary>
public sealed class RedisLimiterStoreContractTests(RedisServer server) : LimiterStoreContractTests
{
    private ConnectionMultiplexer? _redis;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    protected override ILimiterStore CreateStore(FakeTimeProvider time, TimeSpan? leaseTimeToLive)
    {
        _redis ??= server.ConnectAsync().GetAwaiter().GetResult();
        var options = new RedisLimiterOptions
        {
            Url = server.Url,
            Prefix = "contract-" + Guid.NewGuid().ToString("N"),
            LeaseTimeToLive = leaseTimeToLive ?? TimeSpan.FromDays(365),
        };
        return new RedisLimiterStore(_redis, options, ownsConnection: false, logger: null, time, () => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000);
    }
}
