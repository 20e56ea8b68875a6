using Pacer.Configuration;
using Pacer.Retrying;
using Pacer.Tests.Support;

namespace Pacer.Tests.Retrying;

public sealed class BackoffScheduleTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Backoff_DefaultsWithMidpointJitter_DoublesFromOneSecondUpToTheCap()
    {
        var schedule = new BackoffSchedule(new ScriptedRandom(0.5).Next);
        var options = new PacerOptions();

        var delays = Enumerable.Range(0, 7).Select(n => schedule.Backoff(n, options).TotalMilliseconds).ToArray();

        delays.ShouldBe([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    }

    [Fact]
    public void Backoff_ScriptedJitter_GivesTheExactSchedule()
    {
        // 0.994 gives the seed's "Retrying in 1247ms", 0 is the low edge (-25%), 0.9 is +20%, 0.75 is +12.5%, 1 would be +25% but is capped.
        var schedule = new BackoffSchedule(new ScriptedRandom(0.994, 0.0, 0.9, 0.75, 1.0).Next);
        var options = new PacerOptions { BaseDelay = 1000, MaxDelay = 10000, BackoffFactor = 2 };

        var delays = Enumerable.Range(0, 5).Select(n => schedule.Backoff(n, options).TotalMilliseconds).ToArray();

        delays.ShouldBe([1247, 1500, 4800, 9000, 10000]);
    }

    [Fact]
    public void Backoff_SeededRandom_IsReproducibleAndWithinTwentyFivePercent()
    {
        var options = new PacerOptions { BaseDelay = 500, MaxDelay = 120000, BackoffFactor = 3 };
        var first = new BackoffSchedule(new Random(20240101).NextDouble);
        var second = new BackoffSchedule(new Random(20240101).NextDouble);

        var a = Enumerable.Range(0, 6).Select(n => first.Backoff(n, options)).ToArray();
        var b = Enumerable.Range(0, 6).Select(n => second.Backoff(n, options)).ToArray();

        a.ShouldBe(b);
        for (var n = 0; n < a.Length; n++)
        {
            var nominal = Math.Min(120000, 500 * Math.Pow(3, n));
            a[n].TotalMilliseconds.ShouldBeInRange(Math.Round(nominal * 0.75), Math.Min(120000, Math.Round(nominal * 1.25)));
        }

        a.Distinct().Count().ShouldBe(a.Length);
    }

    [Fact]
    public void Backoff_FactorOne_IsConstant()
    {
        var schedule = new BackoffSchedule(new ScriptedRandom(0.5).Next);
        var options = new PacerOptions { BaseDelay = 700, BackoffFactor = 1 };

        Enumerable.Range(0, 4).Select(n => schedule.Backoff(n, options).TotalMilliseconds).ShouldAllBe(d => d == 700);
    }

    [Fact]
    public void Backoff_BaseAboveMax_IsCappedAtMax()
    {
        var schedule = new BackoffSchedule(new ScriptedRandom(0.99).Next);
        var options = new PacerOptions { BaseDelay = 10000, MaxDelay = 1000 };

        schedule.Backoff(0, options).ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Backoff_FactorFiveAfterTenRetries_DoesNotOverflow()
    {
        var schedule = new BackoffSchedule(new ScriptedRandom(0.5).Next);
        var options = new PacerOptions { BaseDelay = 10000, MaxDelay = 120000, BackoffFactor = 5 };

        schedule.Backoff(10, options).ShouldBe(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void Next_RetryAfterGiven_UsesItExactlyEvenAboveMaxDelay()
    {
        var random = new ScriptedRandom(0.5);
        var schedule = new BackoffSchedule(random.Next);
        using var response = Responses.RateLimited("45");

        var delay = schedule.Next(response.Headers, 0, new PacerOptions { MaxDelay = 30000 }, Now);

        delay.ShouldBe(new RetryDelay(TimeSpan.FromSeconds(45), RetryDelaySource.RetryAfter));
        random.Calls.ShouldBe(0);
    }

    [Fact]
    public void Next_NoRetryAfter_UsesTheBackoff()
    {
        var schedule = new BackoffSchedule(new ScriptedRandom(0.5).Next);
        using var response = Responses.Error(529, "overloaded_error");

        var delay = schedule.Next(response.Headers, 2, new PacerOptions(), Now);

        delay.ShouldBe(new RetryDelay(TimeSpan.FromSeconds(4), RetryDelaySource.Backoff));
    }
}
