using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>
/// <see cref="OutputReservation.Auto"/>: a bucket holds <c>max_tokens</c> until a response shows that the upstream does
/// not reserve it (its debt, as the reset tells it, is smaller than the <c>max_tokens</c> of the requests it counted less
/// its refill since), then the output estimate; a 429 that shows that the upstream reserves <c>max_tokens</c> (output
/// remaining above zero but below the request's <c>max_tokens</c>, requests and input not explaining it) makes it hold
/// <c>max_tokens</c> for good.
/// </summary>
public sealed class LimiterOutputAccountingTests : IDisposable
{
    private const string Model = "claude-sonnet-4-5";
    private const int MaxTokens = 8_000;
    private const int Estimate = 1_000;

    private static readonly PacerOptions Wide = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 };

    private readonly FakeTimeProvider _time = new(LimiterFixture.Epoch);
    private readonly FakeLogger _log = new();
    private Limiter _limiter;

    public LimiterOutputAccountingTests() => _limiter = Create(Wide);

    [Fact]
    public void Default_IsAutoAndHoldsMaxTokensUntilTheAccountingIsShown()
    {
        new PacerOptions().OutputReservation.ShouldBe(OutputReservation.Auto);

        using var permit = AcquireNow();

        permit.Reserved.LearnedOutputTokens.ShouldBe(MaxTokens);
        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
    }

    [Fact]
    public void Success_ServerHoldsLessThanTheReservations_SwitchesTheBucketToTheEstimate()
    {
        // Three requests of max_tokens 8,000 the server has counted: reserving, it would hold 24,000 (16,000 without the
        // largest, which may have ended there already); its remaining says its debt is at most 1,500 (60,000 less 59,000
        // less the rounding), its reset at most 10,250 (10 s + 0.25 s at 1,000 a second).
        ShowProduced();

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
        using var next = AcquireNow();
        next.Reserved.LearnedOutputTokens.ShouldBe(Estimate);
        _limiter.OutputReservationOf("other-key", Model).ShouldBe(OutputReservation.MaxTokens);
        var line = _log.Collector.GetSnapshot().ShouldHaveSingleItem();
        line.Level.ShouldBe(LogLevel.Information);
        line.Message.ShouldContain("counts output as produced");
        line.Message.ShouldContain("held 16000 tokens of max_tokens more than it refilled since");
    }

    [Fact]
    public void Success_RequestsInFlightAdmittedBefore_HoldTheEstimateFromThen()
    {
        // Four requests admitted holding their whole max_tokens, the last still on its way when the response shows the
        // produced accounting: from then on each holds what a request admitted now would, so a long reply does not keep
        // its max_tokens against the bucket, below what the headers show, until it ends.
        var permits = FourInFlightThenShowProduced();
        var (first, inFlight) = (permits[0], permits[3]);

        inFlight.Reserved.LearnedOutputTokens.ShouldBe(Estimate);
        first.Reserved.LearnedOutputTokens.ShouldBe(Estimate);
        ((double)OutputRemaining().ShouldNotBeNull()).ShouldBe(59_000 - (4 * Estimate), tolerance: RemainingRounding.Step / 2);

        // What they hold ends with them: nothing is left behind once they have ended and the bucket has refilled.
        inFlight.Complete(new TokenUsage(InputTokens: 2_000, OutputTokens: 3_000));
        foreach (var permit in permits)
        {
            permit.Dispose();
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        OutputRemaining().ShouldBe(60_000);
    }

    [Fact]
    public void Success_EstimateWarmsUpAfterTheProof_RequestsInFlightHoldItFromTheNextResponse()
    {
        // The proof comes with the first answers, before the model's estimate has its five replies: the requests in
        // flight keep max_tokens until a later response finds an estimate, then hold it.
        _limiter.Dispose();
        _limiter = new Limiter(Wide, _time, logger: _log);
        var permits = FourInFlightThenShowProduced();
        var (first, inFlight) = (permits[0], permits[3]);
        inFlight.Reserved.LearnedOutputTokens.ShouldBe(MaxTokens);

        for (var i = 0; i < OutputTokenEstimator.WarmUp; i++)
        {
            _limiter.OutputEstimator.Calibrate(Model, Estimate);
        }

        using var later = AcquireNow();
        _limiter.Observe(later, Headers(500, 50_000, 59_000, refused: false));

        inFlight.Reserved.LearnedOutputTokens.ShouldBe(Estimate);
        first.Reserved.LearnedOutputTokens.ShouldBe(Estimate);
        foreach (var permit in permits)
        {
            permit.Dispose();
        }
    }

    [Fact]
    public void Success_ServerMayHoldTheReservations_StaysOnMaxTokens()
    {
        // Two requests: 8,000 without the largest, within the 10,250 the reset allows (and the 30,500 the remaining does).
        using var first = AcquireNow();
        using var answered = AcquireNow();
        _limiter.Observe(answered, Headers(500, 50_000, 30_000, refused: false));

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
        _log.Collector.Count.ShouldBe(0);
    }

    [Theory]
    [InlineData(300, false, OutputReservation.Estimate)] // both still in flight here a transit later: 16,000 at the server then
    [InlineData(100, false, OutputReservation.MaxTokens)] // less than a transit later: either may have ended there unseen
    [InlineData(300, true, OutputReservation.MaxTokens)] // one answered since: 8,000, within what the reset allows
    public void Success_RequestsStillInFlightATransitLater_NeedNotSetTheLargestAside(int laterMs, bool oneAnswered, OutputReservation expected)
    {
        // The first answer's headers allow a debt of 10,250 (its reset) while the server had counted two requests of
        // max_tokens 8,000: one might have ended there and not here yet, so they show no more than 8,000. Requests still
        // in flight here a transit (0.25 s) after those headers were in flight at the server when it wrote them.
        using var first = AcquireNow();
        using var answered = AcquireNow();
        _limiter.Observe(answered, Headers(500, 50_000, 30_000, refused: false));
        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
        _time.Advance(TimeSpan.FromMilliseconds(laterMs));
        if (oneAnswered)
        {
            first.Complete(new TokenUsage(InputTokens: 2_000, OutputTokens: 8_000));
        }

        // A later answer, complete: by itself it shows nothing (the two earlier ones less the largest).
        using var later = AcquireNow();
        _limiter.Observe(later, Headers(500, 50_000, 30_000, refused: false), answerComplete: true);

        _limiter.OutputReservationOf("k", Model).ShouldBe(expected);
        if (expected == OutputReservation.Estimate)
        {
            _log.Collector.LatestRecord.Message.ShouldContain("still in flight after held 16000 tokens");
        }
    }

    [Fact]
    public void Success_RefillSinceTheRequestsArrived_CountsAgainstThem()
    {
        // Three requests counted, but 6 s ago: the server has refilled 6,000 since, so 10,000 may still be its debt, within the 10,250 its reset allows.
        using var first = AcquireNow();
        using var second = AcquireNow();
        using var answered = AcquireNow();
        _time.Advance(TimeSpan.FromSeconds(6));
        _limiter.Observe(answered, Headers(500, 50_000, 30_000, refused: false));

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
    }

    [Fact]
    public void Success_AnsweredRequestCompleteOrLaterRequests_NotCounted()
    {
        // The answered request's whole answer came (it may have been refunded), and the request admitted after it had not
        // reached the server when it wrote the headers: only one of max_tokens counts.
        using var first = AcquireNow();
        using var answered = AcquireNow();
        using var later = AcquireNow();
        _limiter.Observe(answered, Headers(500, 50_000, 30_000, refused: false), answerComplete: true);

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
    }

    [Fact]
    public void Success_RefundOfAnEarlierRequestSince_CountsAgainstThem()
    {
        // An answer admitted before the others ended after they were admitted and gave back 7,900 of its 8,000: under the
        // reserving accounting the server's debt fell by that, so the three (16,000 without the largest) may be within
        // the 10,250 the reset allows; without that refund they would not be (ShowProduced).
        var ended = AcquireNow();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var first = AcquireNow();
        using var second = AcquireNow();
        ended.Complete(new TokenUsage(InputTokens: 2_000, OutputTokens: 100));
        ended.Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var answered = AcquireNow();
        _limiter.Observe(answered, Headers(500, 50_000, 30_000, refused: false));

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a 429 proves the reserving accounting even after a response seemed to show the produced one
    public void Refusal_OutputRemainingBelowMaxTokens_SwitchesTheBucketToMaxTokens(bool producedShownBefore)
    {
        if (producedShownBefore)
        {
            ShowProduced();
        }

        Refuse(requests: 500, input: 50_000, output: 3_000);

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
        _time.Advance(TimeSpan.FromSeconds(6));
        using var next = AcquireNow();
        next.Reserved.LearnedOutputTokens.ShouldBe(MaxTokens);
        var warning = Warnings().ShouldHaveSingleItem();
        warning.Level.ShouldBe(LogLevel.Warning);
        warning.Message.ShouldContain("output-tokens remaining 3000 of 60000 for a request of max_tokens 8000");
    }

    [Theory]
    [InlineData(500, 50_000, 0)]      // output reads empty: "counted as produced" refuses then too (one is not enough)
    [InlineData(500, 50_000, 8_500)]  // room for max_tokens even after rounding: not the output budget
    [InlineData(0, 50_000, 3_000)]    // no request left: the requests budget explains it
    [InlineData(500, 2_000, 3_000)]   // input remaining less the rounding: 1,500, below 1.25 × the 2,000 estimated
    public void Refusal_ExplainedOtherwise_StaysOnTheEstimate(long requests, long input, long output)
    {
        ShowProduced();
        Refuse(requests, input, output);

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
        _time.Advance(TimeSpan.FromSeconds(5));
        using var next = AcquireNow();
        next.Reserved.LearnedOutputTokens.ShouldBe(Estimate);
        Warnings().ShouldBeEmpty();
    }

    /// <summary>Two refusals reading empty within a minute switch; not once a response has shown the produced accounting, which refuses an empty bucket now and then (only a proof, output above zero, switches then).</summary>
    [Theory]
    [InlineData(false, OutputReservation.MaxTokens)]
    [InlineData(true, OutputReservation.Estimate)]
    public void Refusal_OutputReadingEmptyTwiceInAMinute_SwitchesUnlessShownProduced(bool producedShownBefore, OutputReservation expected)
    {
        if (producedShownBefore)
        {
            ShowProduced();
        }

        Refuse(requests: 500, input: 50_000, output: 0);
        _time.Advance(TimeSpan.FromSeconds(60));
        Refuse(requests: 500, input: 50_000, output: 0);

        _limiter.OutputReservationOf("k", Model).ShouldBe(expected);
        var warnings = Warnings().ToList();
        warnings.Count.ShouldBe(producedShownBefore ? 0 : 1);
        if (!producedShownBefore)
        {
            warnings[0].Message.ShouldContain("2 429s within 60 s refused on output tokens alone");
        }
    }

    [Fact]
    public void Refusal_OutputReadingEmptyTwiceOverMoreThanAMinute_StaysOnTheEstimate()
    {
        ShowProduced();
        Refuse(requests: 500, input: 50_000, output: 0);
        _time.Advance(TimeSpan.FromSeconds(61));
        Refuse(requests: 500, input: 50_000, output: 0);
        _time.Advance(TimeSpan.FromSeconds(61));
        Refuse(requests: 500, input: 50_000, output: 0);

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
        Warnings().ShouldBeEmpty();
    }

    [Fact]
    public void Refusal_OnAnEmptyBucketShownProduced_TheViewDoesNotRefillDuringTheCooldown()
    {
        // Counted as produced, the server's bucket goes below empty and stays there for the retry-after: the local
        // view, set to empty by the 429's headers, must not refill meanwhile and let every waiter go when it ends.
        ShowProduced();
        Refuse(requests: 500, input: 50_000, output: 0);
        var afterRefusal = OutputRemaining();

        _time.Advance(TimeSpan.FromSeconds(1));

        OutputRemaining().ShouldBe(afterRefusal);
        _time.Advance(TimeSpan.FromSeconds(1));
        OutputRemaining().ShouldBe(afterRefusal + 1_000);
    }

    [Theory]
    [InlineData(0)] // refused together: the server is a second's refill below empty, not two
    [InlineData(500)] // the second half a second in: below empty until 1.5 s, half a second more
    public void Refusals_DuringOneCooldown_ChargeOnlyTheDebtBeyondWhatIsCharged(int apartMs)
    {
        // Each 429 has retry-after 1: the view must be back at empty a second after the last, not later.
        ShowProduced();
        using var first = AcquireNow();
        using var second = AcquireNow();
        RefuseWith(first, requests: 500, input: 50_000, output: 0);
        first.Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(apartMs));
        RefuseWith(second, requests: 500, input: 50_000, output: 0);
        second.Dispose();

        _time.Advance(TimeSpan.FromSeconds(1));
        OutputRemaining().ShouldBe(0);
        _time.Advance(TimeSpan.FromSeconds(1));
        OutputRemaining().ShouldBe(1_000);
    }

    [Fact]
    public void Refusal_OnAnEmptyBucketShownProduced_AnAnswerReadingEmptyDuringTheCooldownLeavesTheDebt()
    {
        // Another request's answer comes during the cooldown with its headers reading 0, as they read for any level at
        // or below empty: the view must stay a second's refill below empty, not rise to empty and let the waiters go
        // at the cooldown's end while the server is still below it.
        ShowProduced();
        var inFlight = AcquireNow();
        Refuse(requests: 500, input: 50_000, output: 0);
        _time.Advance(TimeSpan.FromMilliseconds(500));

        _limiter.Observe(inFlight, Headers(500, 50_000, 0, refused: false), answerComplete: true);
        inFlight.Complete(new TokenUsage(100, Estimate));
        inFlight.Dispose();

        // At the refusal the view was 2,000 below empty: the second's refill the retry-after showed, and the 1,000 the
        // request in flight was to produce. A header of 0 at 0.5 s would have lifted it to empty, 500 at the cooldown's end.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        OutputRemaining().ShouldBe(0);
        _time.Advance(TimeSpan.FromSeconds(2));
        OutputRemaining().ShouldBe(1_000);
    }

    [Fact]
    public void Refusal_WithoutACooldown_StaysOnTheEstimate()
    {
        ShowProduced();
        // A 529 with retry-after: the handler does not call Cooldown, so the headers prove nothing.
        using var permit = AcquireNow();
        _limiter.Observe(permit, Headers(500, 50_000, 3_000, refused: true));
        _time.Advance(TimeSpan.FromSeconds(2));
        _limiter.Cooldown("k", Model, TimeSpan.FromSeconds(1));

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
    }

    [Fact]
    public void Success_LowOutputRemaining_StaysOnTheEstimate()
    {
        ShowProduced();
        using var permit = AcquireNow();
        _limiter.Observe(permit, Headers(500, 50_000, 3_000, refused: false));
        _limiter.Cooldown("k", Model, TimeSpan.FromSeconds(1));

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
    }

    [Fact]
    public void Refusal_ExplicitEstimate_NeverSwitches()
    {
        Reset(Wide with { OutputReservation = OutputReservation.Estimate });

        Refuse(requests: 500, input: 50_000, output: 3_000);

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
        _log.Collector.Count.ShouldBe(0);
    }

    [Fact]
    public void Refusal_SwitchesOnlyItsOwnBucket_AndLogsOnce()
    {
        ShowProduced();
        ShowProduced(model: "claude-opus-4-1");
        Refuse(requests: 500, input: 50_000, output: 3_000);
        _time.Advance(TimeSpan.FromSeconds(5));
        Refuse(requests: 500, input: 50_000, output: 2_000);

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
        _limiter.OutputReservationOf("other-key", Model).ShouldBe(OutputReservation.MaxTokens); // never shown either way
        _limiter.OutputReservationOf("k", "claude-opus-4-1").ShouldBe(OutputReservation.Estimate);
        Warnings().ShouldHaveSingleItem();
    }

    [Fact]
    public void Refusal_QueuedWaiterOfTheBucket_IsAdmittedHoldingMaxTokens()
    {
        ShowProduced();
        using var refused = AcquireNow();
        _limiter.Cooldown("k", Model, TimeSpan.FromSeconds(1));
        var queued = new PendingPermit(_limiter.AcquireAsync(LimiterFixture.Request(model: Model, input: 100, output: MaxTokens), TestContext.Current.CancellationToken));
        queued.IsCompleted.ShouldBeFalse();

        RefuseWith(refused, requests: 500, input: 50_000, output: 3_000);

        // 3,000 remaining less the 1,000 the refused request holds, refilled at 1,000 per second: the estimate (1,000)
        // would have passed at once after the cooldown, max_tokens (8,000) passes after 6 seconds.
        _time.Advance(TimeSpan.FromSeconds(5));
        queued.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(1));
        queued.IsCompleted.ShouldBeTrue();
        using var admitted = queued.Permit;
        admitted.Reserved.LearnedOutputTokens.ShouldBe(MaxTokens);
    }

    [Theory]
    [InlineData(58_500, 52_000)] // near full: the server could take back only the 2,000 it lacked when it refunded
    [InlineData(10_000, 9_400)]  // far from full: the whole 7,900 unused lands
    public void Complete_Switched_RefundNoLargerThanTheServersBucketCouldTakeBack(long outputRemaining, long expected)
    {
        Refuse(requests: 500, input: 50_000, output: 3_000);
        _time.Advance(TimeSpan.FromSeconds(6));
        using var answered = AcquireNow();
        _limiter.Observe(answered, Headers(500, 50_000, outputRemaining, refused: false));
        var learned = OutputRemaining();
        using var admittedSince = AcquireNow();
        OutputRemaining().ShouldBe(learned - MaxTokens);

        answered.Complete(new TokenUsage(InputTokens: 2_000, OutputTokens: 100));

        // The server refunds the unused 7,900 when the answer ends, before the request admitted since arrives; what
        // overflows its capacity then is lost, so the local view must not count it.
        OutputRemaining().ShouldBe(expected);
    }

    [Fact]
    public void Reconfigure_ReservationChosenAgain_ForgetsTheSwitch()
    {
        Refuse(requests: 500, input: 50_000, output: 3_000);

        _limiter.Reconfigure(Wide with { OutputReservation = OutputReservation.Estimate });
        _limiter.Reconfigure(Wide with { OutputReservation = OutputReservation.Auto });
        _time.Advance(TimeSpan.FromSeconds(60));

        // Unproven again: max_tokens until a response shows the accounting, which the forgotten 429 no longer overrules.
        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
        using (var alone = AcquireNow())
        {
            // One request alone proves nothing, but shows the bucket larger than the 429's headers did.
            _limiter.Observe(alone, Headers(500, 50_000, 59_000, refused: false));
        }

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
        ShowProduced();
        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
    }

    [Fact]
    public void OutputReservationOf_LearnLimitsOff_IsMaxTokens()
    {
        Reset(Wide with { LearnLimits = false });

        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.MaxTokens);
    }

    public void Dispose() => _limiter.Dispose();

    private long? OutputRemaining() => _limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().OutputTokens.Remaining;

    private Limiter Create(PacerOptions options)
    {
        var limiter = new Limiter(options, _time, logger: _log);
        for (var i = 0; i < 20; i++)
        {
            limiter.OutputEstimator.Calibrate(Model, Estimate);
            limiter.OutputEstimator.Calibrate("claude-opus-4-1", Estimate);
        }

        return limiter;
    }

    private void Reset(PacerOptions options)
    {
        _limiter.Dispose();
        _limiter = Create(options);
    }

    private Permit AcquireNow(string model = Model)
    {
        _limiter.TryAcquire(LimiterFixture.Request(model: model, input: 2_000, output: MaxTokens), out var permit).ShouldBeTrue();
        return permit!;
    }

    private IEnumerable<FakeLogRecord> Warnings() => _log.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning);

    /// <summary>Four requests admitted holding max_tokens, the last still on its way when the third's answer shows the produced accounting.</summary>
    private Permit[] FourInFlightThenShowProduced()
    {
        Permit[] permits = [AcquireNow(), AcquireNow(), AcquireNow(), AcquireNow()];
        _limiter.Observe(permits[2], Headers(500, 50_000, 59_000, refused: false));
        _limiter.OutputReservationOf("k", Model).ShouldBe(OutputReservation.Estimate);
        return permits;
    }

    /// <summary>A response shows the server holding less than the max_tokens of three requests it counted, as the produced accounting does.</summary>
    private void ShowProduced(string model = Model)
    {
        using var first = AcquireNow(model);
        using var second = AcquireNow(model);
        using var answered = AcquireNow(model);
        _limiter.Observe(answered, Headers(500, 50_000, 59_000, refused: false));
    }

    /// <summary>A request admitted, refused with a 429 carrying these remaining figures, as the handler reports it.</summary>
    private void Refuse(long requests, long input, long output)
    {
        using var permit = AcquireNow();
        RefuseWith(permit, requests, input, output);
    }

    private void RefuseWith(Permit permit, long requests, long input, long output)
    {
        _limiter.Observe(permit, Headers(requests, input, output, refused: true));
        _limiter.Cooldown("k", Model, TimeSpan.FromSeconds(1));
    }

    private HttpResponseHeaders Headers(long requests, long input, long output, bool refused)
    {
        var headers = LimiterBudgetTests.Headers(_time.GetUtcNow(), ("requests", 1_000, requests), ("input-tokens", 100_000, input), ("output-tokens", 60_000, output));
        if (refused)
        {
            headers.TryAddWithoutValidation("retry-after", 1.ToString(CultureInfo.InvariantCulture));
        }

        return headers;
    }
}
