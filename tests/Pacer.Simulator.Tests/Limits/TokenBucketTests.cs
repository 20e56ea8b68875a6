using Microsoft.Extensions.Time.Testing;
using Pacer.Simulator.Limits;

namespace Pacer.Simulator.Tests.Limits;

public sealed class TokenBucketTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TimeUntil_FullBucket_LetsExactlyTheLimitThrough()
    {
        var bucket = new TokenBucket(50, 60, _time.GetUtcNow());

        for (var i = 0; i < 50; i++)
        {
            bucket.TimeUntil(1, _time.GetUtcNow()).ShouldBe(TimeSpan.Zero);
            bucket.Take(1, _time.GetUtcNow());
        }

        // One more in the same instant waits for one unit at 50/60 per second: 1.2 s.
        bucket.TimeUntil(1, _time.GetUtcNow()).ShouldBe(TimeSpan.FromSeconds(1.2));
        bucket.Available(_time.GetUtcNow()).ShouldBe(0);
    }

    [Fact]
    public void Available_AfterEmptying_RefillsLimitOverSixtyPerSecond()
    {
        var bucket = new TokenBucket(60, 60, _time.GetUtcNow());
        bucket.Take(60, _time.GetUtcNow());

        _time.Advance(TimeSpan.FromMilliseconds(999));
        bucket.Available(_time.GetUtcNow()).ShouldBe(0);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        bucket.Available(_time.GetUtcNow()).ShouldBe(1);
        _time.Advance(TimeSpan.FromSeconds(29));
        bucket.Available(_time.GetUtcNow()).ShouldBe(30);
        _time.Advance(TimeSpan.FromMinutes(5));
        bucket.Available(_time.GetUtcNow()).ShouldBe(60);
    }

    [Fact]
    public void Available_TokenBucket_RefillsThirtyThousandPerMinuteAsFiveHundredPerSecond()
    {
        var bucket = new TokenBucket(30_000, 60, _time.GetUtcNow());
        bucket.Take(30_000, _time.GetUtcNow());

        _time.Advance(TimeSpan.FromSeconds(3));

        bucket.Available(_time.GetUtcNow()).ShouldBe(1_500);
        bucket.TimeUntil(2_000, _time.GetUtcNow()).ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void TimeUntil_OneSecondBurst_EnforcesSixtyPerMinuteAsOnePerSecond()
    {
        var bucket = new TokenBucket(60, 1, _time.GetUtcNow());

        bucket.Available(_time.GetUtcNow()).ShouldBe(1);
        bucket.Take(1, _time.GetUtcNow());
        bucket.TimeUntil(1, _time.GetUtcNow()).ShouldBe(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(10));
        bucket.Available(_time.GetUtcNow()).ShouldBe(1);
    }

    [Fact]
    public void CanEverFit_MoreThanTheCapacity_IsFalse()
    {
        var bucket = new TokenBucket(1_000, 60, _time.GetUtcNow());

        bucket.CanEverFit(1_000).ShouldBeTrue();
        bucket.CanEverFit(1_001).ShouldBeFalse();
    }

    [Fact]
    public void Take_BeyondTheLevel_LeavesADebtRepaidByRefill()
    {
        var bucket = new TokenBucket(600, 60, _time.GetUtcNow());
        bucket.Take(700, _time.GetUtcNow());

        bucket.Available(_time.GetUtcNow()).ShouldBe(0);
        bucket.TimeUntil(1, _time.GetUtcNow()).ShouldBe(TimeSpan.FromSeconds(10.1));
    }

    [Fact]
    public void Give_MoreThanTaken_StopsAtTheCapacity()
    {
        var bucket = new TokenBucket(100, 60, _time.GetUtcNow());
        bucket.Take(10, _time.GetUtcNow());

        bucket.Give(50, _time.GetUtcNow());

        bucket.Available(_time.GetUtcNow()).ShouldBe(100);
        bucket.TimeUntilFull(_time.GetUtcNow()).ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void TimeUntilFull_HalfEmpty_IsHalfAMinute()
    {
        var bucket = new TokenBucket(8_000, 60, _time.GetUtcNow());
        bucket.Take(4_000, _time.GetUtcNow());

        bucket.TimeUntilFull(_time.GetUtcNow()).ShouldBe(TimeSpan.FromSeconds(30));
    }
}
