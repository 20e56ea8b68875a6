using System.Diagnostics;
using Pacer.Configuration;
using Pacer.Limiting;
using StackExchange.Redis;

namespace Pacer.Redis.Tests;

/// <summary>What only a real, shared Redis shows: the server's clock, limits shared between connections, outages, reloads.</summary>
public sealed class RedisLimiterStoreTests(RedisServer server)
{
    private static readonly BucketKey Bucket = new("key-1", "claude-sonnet-4");

    [Fact]
    public async Task AdmitAsync_TwoProcessesOnTheServersClock_ShareTheRequestRate()
    {
        var options = Options(server.Url);
        await using var first = await RedisLimiterStore.ConnectAsync(options);
        await using var second = await RedisLimiterStore.ConnectAsync(options);
        var policy = new PacerOptions { MaxRequestsPerMinute = 60, Burst = 1, MaxConcurrentRequests = 50 };

        (await AdmitOne(first, policy, 1)).Admitted.ShouldBeTrue();
        var refused = await AdmitOne(second, policy, 2);

        refused.Blockers.ShouldBe(AdmissionBlockers.RequestRate);
        refused.RetryAfter.ShouldBeInRange(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task UpdateAsync_LeaseFreedByOneProcess_WakesTheOtherAndAdmitsIt()
    {
        var options = Options(server.Url);
        await using var first = await RedisLimiterStore.ConnectAsync(options);
        await using var second = await RedisLimiterStore.ConnectAsync(options);
        var policy = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 1 };
        var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        second.CapacityFreed += (_, _) => woken.TrySetResult();

        (await AdmitOne(first, policy, 1, owner: "a")).Admitted.ShouldBeTrue();
        (await AdmitOne(second, policy, 2, owner: "b")).Blockers.ShouldBe(AdmissionBlockers.Concurrency);
        await first.UpdateAsync(new BucketUpdate(Bucket, policy) { LeaseOwner = "a", FreeLease = 1 });

        await woken.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        (await AdmitOne(second, policy, 2, owner: "b")).Admitted.ShouldBeTrue();
    }

    [Fact]
    public async Task Limiters_InTwoProcesses_NeverHoldMoreThanTheConcurrencyTogether()
    {
        var options = Options(server.Url);
        await using var firstStore = await RedisLimiterStore.ConnectAsync(options);
        await using var secondStore = await RedisLimiterStore.ConnectAsync(options);
        var policy = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 2 };
        using var first = new Limiter(policy, store: firstStore);
        using var second = new Limiter(policy, store: secondStore);
        var request = new AcquireRequest("key-1", "claude-sonnet-4-5", "user", new RequestCost(10, 10));

        using var a = await first.AcquireAsync(request, TestContext.Current.CancellationToken);
        using var b = await first.AcquireAsync(request, TestContext.Current.CancellationToken);
        var waiting = second.AcquireAsync(request, TestContext.Current.CancellationToken).AsTask();
        (await Task.WhenAny(waiting, Task.Delay(300, TestContext.Current.CancellationToken))).ShouldNotBe(waiting);

        a.Dispose();

        using var c = await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        (await secondStore.SnapshotAsync(policy, TestContext.Current.CancellationToken)).InFlight.ShouldBe(2);
    }

    [Fact]
    public async Task AdmitAsync_ScriptCacheFlushed_LoadsTheScriptAgain()
    {
        await using var store = await RedisLimiterStore.ConnectAsync(Options(server.Url));
        var policy = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 };
        (await AdmitOne(store, policy, 1)).Admitted.ShouldBeTrue();
        await using (var admin = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true"))
        {
            await admin.GetServers()[0].ScriptFlushAsync();
        }

        (await AdmitOne(store, policy, 2)).Admitted.ShouldBeTrue();
        store.IsDegraded.ShouldBeFalse();
    }

    [Fact]
    public async Task AdmitAsync_RedisKilled_FallsBackToItsShareThenReturnsWhenRedisDoes()
    {
        await using var own = new RedisServer();
        await own.StartAsync();
        var options = Options(own.Url) with { RetryInterval = TimeSpan.FromMilliseconds(200), OperationTimeout = TimeSpan.FromMilliseconds(300) };
        await using var store = await RedisLimiterStore.ConnectAsync(options);
        await using var other = await RedisLimiterStore.ConnectAsync(options);
        await store.RenewAsync("a", ReadOnlyMemory<long>.Empty, TestContext.Current.CancellationToken);
        await other.RenewAsync("b", ReadOnlyMemory<long>.Empty, TestContext.Current.CancellationToken);
        await store.RenewAsync("a", ReadOnlyMemory<long>.Empty, TestContext.Current.CancellationToken);
        store.LiveInstances.ShouldBe(2);
        var policy = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 4 };

        await own.KillAsync();
        var clock = Stopwatch.StartNew();
        var first = await AdmitOne(store, policy, 1);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
        store.IsDegraded.ShouldBeTrue();
        first.Admitted.ShouldBeTrue();
        (await AdmitOne(store, policy, 2)).Admitted.ShouldBeTrue();

        // Half of the four slots: two live instances were last counted.
        (await AdmitOne(store, policy, 3)).Blockers.ShouldBe(AdmissionBlockers.Concurrency);

        await own.StartAsync();
        var back = Stopwatch.StartNew();
        while (store.IsDegraded && back.Elapsed < TimeSpan.FromSeconds(15))
        {
            await AdmitOne(store, policy, 100 + back.ElapsedMilliseconds);
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        store.IsDegraded.ShouldBeFalse();

        // A lease taken while degraded is freed where it was taken.
        await store.UpdateAsync(new BucketUpdate(Bucket, policy) { LeaseOwner = "owner", FreeLease = 1 }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AdmitAsync_RedisKilledAndFailClosed_RefusesAtOnce()
    {
        await using var own = new RedisServer();
        await own.StartAsync();
        var options = Options(own.Url) with { FailurePolicy = RedisFailurePolicy.FailClosed, OperationTimeout = TimeSpan.FromMilliseconds(300) };
        await using var store = await RedisLimiterStore.ConnectAsync(options);
        var policy = new PacerOptions();

        await own.KillAsync();
        var decision = await AdmitOne(store, policy, 1);

        decision.Admitted.ShouldBeFalse();
        decision.Blockers.ShouldBe(AdmissionBlockers.SharedStore);
        decision.BlockedForAll.ShouldBeTrue();
        decision.RetryAfter.ShouldBeGreaterThan(TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task ConnectAsync_NothingListens_FailsWithOneLineNamingTheSetting()
    {
        var options = Options("redis://127.0.0.1:1");

        var error = await Should.ThrowAsync<RedisStoreException>(() => RedisLimiterStore.ConnectAsync(options));

        error.Message.ShouldStartWith("PACER_REDIS_URL: Redis at 127.0.0.1:1 cannot be reached");
        error.Message.ShouldContain("PACER_REDIS_START_DEGRADED");
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public async Task ConnectAsync_NothingListensButStartDegraded_StartsOnItsShare()
    {
        await using var store = await RedisLimiterStore.ConnectAsync(Options("redis://127.0.0.1:1"), startDegraded: true);

        store.IsDegraded.ShouldBeTrue();
        (await AdmitOne(store, new PacerOptions(), 1)).Admitted.ShouldBeTrue();
    }

    [Theory]
    [InlineData("redis://:s3cret@cache.internal:6380/2", "cache.internal:6380", 2, false)]
    [InlineData("rediss://user:pw@cache.internal", "cache.internal:6379", null, true)]
    [InlineData("cache.internal:6379,password=pw", "cache.internal:6379", null, false)]
    public void RedisUrl_Parse_ReadsServerDatabaseAndTls(string url, string endpoint, int? database, bool tls)
    {
        var parsed = RedisUrl.Parse(url);

        var named = parsed.EndPoints.Single().ToString().ShouldNotBeNull();
        named.ShouldEndWith(endpoint.Split(':')[1]);
        named.ShouldContain(endpoint.Split(':')[0]);
        parsed.DefaultDatabase.ShouldBe(database);
        parsed.Ssl.ShouldBe(tls);
    }

    [Theory]
    [InlineData("http://cache:6379")]
    [InlineData("redis://cache:6379/zero")]
    [InlineData("")]
    public void RedisUrl_Parse_Malformed_NamesTheSettingNotThePassword(string url)
    {
        var error = Should.Throw<FormatException>(() => RedisUrl.Parse(url));

        error.Message.ShouldNotBeNull().ShouldContain("PACER_REDIS_URL");
    }

    private static RedisLimiterOptions Options(string url) => new() { Url = url, Prefix = "t-" + Guid.NewGuid().ToString("N") };

    private static async Task<AdmissionDecision> AdmitOne(RedisLimiterStore store, PacerOptions policy, long lease, string owner = "owner")
    {
        var batch = new AdmissionBatch(owner, 1) { Policy = policy };
        batch.Add(new AdmissionCandidate(Bucket, lease, new RequestCost(10, 10)));
        await store.AdmitAsync(batch);
        return batch.Decision(0);
    }
}
