using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting.Stores;

/// <summary>
/// The contract every limiter store keeps, on the store's own clock. Run against the in-memory store (Pacer.Tests) and
/// against Redis (Pacer.Redis.Tests, which compiles this same file): it uses Pacer's public API alone. Each test opens
/// its stores through <see cref="CreateStore"/> on this test's <see cref="Time"/>, which it advances, and draws on bucket
/// keys of its own. The request window and the leases belong to the store, not to a bucket, so every store a test
/// opens must start empty (on a shared server: under a key prefix of its own).
/// </summary>
public abstract class LimiterStoreContractTests : IAsyncLifetime
{
    protected const string Owner = "limiter-a";
    protected const string OtherOwner = "limiter-b";

    protected static readonly DateTimeOffset Start = new(2025, 2, 24, 22, 0, 0, TimeSpan.Zero);

    /// <summary>A policy whose shared limits stay out of the way of the budget under test.</summary>
    protected static readonly PacerOptions Roomy = new() { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 };

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<ILimiterStore> _stores = [];
    private long _lastLease;

    /// <summary>Gets the clock every store of this test reads.</summary>
    protected FakeTimeProvider Time { get; } = new(Start);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await DisposeStoreAsync(store);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Creates an empty store whose clock is <paramref name="time"/>.</summary>
    protected abstract ILimiterStore CreateStore(FakeTimeProvider time, TimeSpan? leaseTimeToLive);

    /// <summary>Releases what <see cref="CreateStore"/> opened, once the test is over.</summary>
    protected virtual ValueTask DisposeStoreAsync(ILimiterStore store) => ValueTask.CompletedTask;

    [Fact]
    public async Task AdmitAsync_WithinLimits_AdmitsAndHoldsALease()
    {
        var store = Open();
        var bucket = NewBucket();

        var decision = await AdmitAsync(store, Roomy, Candidate(bucket, input: 100, output: 50));

        decision.ShouldBe(Admitted());
        var snapshot = await store.SnapshotAsync(Roomy, Ct);
        (snapshot.InFlight, snapshot.RequestsInWindow, snapshot.UntilOldestLeaves).ShouldBe((1, 1, TimeSpan.FromSeconds(60)));
        snapshot.Buckets.ShouldNotContain(b => b.KeyId == bucket.UpstreamKey, "a bucket with nothing learned and no cooldown is not listed");
    }

    [Fact]
    public async Task AdmitAsync_LookOnly_DecidesButTakesNothing()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxRequestsPerMinute = 60, Burst = 1, MaxConcurrentRequests = 1, InputTokensPerMinute = 1000 };

        (await LookAsync(store, policy, Candidate(bucket, input: 1000))).ShouldBe(Admitted());
        (await LookAsync(store, policy, Candidate(bucket, input: 1000))).ShouldBe(Admitted());
        var snapshot = await store.SnapshotAsync(policy, Ct);
        (snapshot.InFlight, snapshot.RequestsInWindow).ShouldBe((0, 0));

        (await AdmitAsync(store, policy, Candidate(bucket, input: 1000))).ShouldBe(Admitted());
        (await LookAsync(store, policy, Candidate(bucket, input: 1000))).ShouldBe(
            Waits(TimeSpan.FromSeconds(60), AdmissionBlockers.Concurrency | AdmissionBlockers.RequestRate | AdmissionBlockers.InputTokenBudget, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task AdmitAsync_BurstSpent_PacesAtTheEmissionInterval()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxRequestsPerMinute = 60, Burst = 2, MaxConcurrentRequests = 50 };

        (await AdmitAllAsync(store, policy, Candidate(bucket), Candidate(bucket), Candidate(bucket))).ShouldBe(
        [
            Admitted(),
            Admitted(),
            Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.RequestRate, TimeSpan.FromSeconds(1)),
        ]);
        Time.Advance(TimeSpan.FromMilliseconds(999));
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.FromMilliseconds(1), AdmissionBlockers.RequestRate, TimeSpan.FromMilliseconds(1)));
        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Admitted());
    }

    [Fact]
    public async Task AdmitAsync_BurstOfTheWholeMinute_NeverAdmitsMoreThanTheLimitInAnySixtySeconds()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxRequestsPerMinute = 5, Burst = 5, MaxConcurrentRequests = 50 };
        var admittedAt = new List<TimeSpan>();

        // Ask again and again, sleeping (on fake time) exactly as long as each refusal says.
        while (Time.GetUtcNow() - Start < TimeSpan.FromSeconds(180))
        {
            var decision = await AdmitAsync(store, policy, Candidate(bucket));
            if (decision.Admitted)
            {
                admittedAt.Add(Time.GetUtcNow() - Start);
                continue;
            }

            decision.Blockers.ShouldBe(AdmissionBlockers.RequestRate);
            decision.RetryAfter.ShouldBeGreaterThan(TimeSpan.Zero);
            Time.Advance(decision.RetryAfter);
        }

        admittedAt.Select(t => t.TotalSeconds).ShouldBe([0, 0, 0, 0, 0, 60, 60, 60, 60, 60, 120, 120, 120, 120, 120]);
        foreach (var at in admittedAt)
        {
            admittedAt.Count(t => t > at - TimeSpan.FromSeconds(60) && t <= at).ShouldBeLessThanOrEqualTo(5);
        }
    }

    [Fact]
    public async Task AdmitAsync_BurstAfterAnEarlierAdmission_WindowKeepsTheMinuteToTheLimit()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxRequestsPerMinute = 5, Burst = 5, MaxConcurrentRequests = 50 };
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Admitted());
        Time.Advance(TimeSpan.FromSeconds(48));

        // Pacing alone would admit five more now: six in one minute.
        var decisions = await AdmitAllAsync(store, policy, Candidate(bucket), Candidate(bucket), Candidate(bucket), Candidate(bucket), Candidate(bucket));

        decisions.ShouldBe([Admitted(), Admitted(), Admitted(), Admitted(), Waits(TimeSpan.FromSeconds(12), AdmissionBlockers.RequestRate, TimeSpan.FromSeconds(12))]);
        Time.Advance(TimeSpan.FromSeconds(12));
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Admitted());
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.FromSeconds(48), AdmissionBlockers.RequestRate, TimeSpan.FromSeconds(48)));
    }

    [Fact]
    public async Task SnapshotAsync_AdmissionsInTheWindow_CountsThemUntilTheyLeave()
    {
        var store = Open();
        var bucket = NewBucket();
        await AdmitAsync(store, Roomy, Candidate(bucket));
        Time.Advance(TimeSpan.FromSeconds(20));
        await AdmitAsync(store, Roomy, Candidate(bucket));

        Time.Advance(TimeSpan.FromSeconds(10));
        var atThirty = await store.SnapshotAsync(Roomy, Ct);
        Time.Advance(TimeSpan.FromSeconds(30));
        var atSixty = await store.SnapshotAsync(Roomy, Ct);
        Time.Advance(TimeSpan.FromSeconds(20));
        var atEighty = await store.SnapshotAsync(Roomy, Ct);

        (atThirty.RequestsInWindow, atThirty.UntilOldestLeaves).ShouldBe((2, TimeSpan.FromSeconds(30)));
        (atSixty.RequestsInWindow, atSixty.UntilOldestLeaves).ShouldBe((1, TimeSpan.FromSeconds(20)));
        (atEighty.RequestsInWindow, atEighty.UntilOldestLeaves).ShouldBe((0, TimeSpan.Zero));
        atEighty.InFlight.ShouldBe(2);
    }

    [Fact]
    public async Task AdmitAsync_ConcurrencyFull_WaitsWithoutATimeUntilALeaseIsFreed()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 2 };
        var first = Candidate(bucket);
        await AdmitAllAsync(store, policy, first, Candidate(bucket));

        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency));
        await FreeAsync(store, policy, bucket, first.LeaseId);

        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Admitted());
        (await store.SnapshotAsync(policy, Ct)).InFlight.ShouldBe(2);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(10)]
    public async Task UpdateAsync_LeaseFreedTwiceOrUnknown_ChangesNothing(int? timeToLiveSeconds)
    {
        var store = Open(timeToLiveSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 2 };
        var first = Candidate(bucket);
        var second = Candidate(bucket);
        await AdmitAllAsync(store, policy, first, second);
        await FreeAsync(store, policy, bucket, first.LeaseId);

        await FreeAsync(store, policy, bucket, first.LeaseId);
        await FreeAsync(store, policy, bucket, 424_242);
        await FreeAsync(store, policy, bucket, second.LeaseId, OtherOwner);

        (await store.SnapshotAsync(policy, Ct)).InFlight.ShouldBe(1, "only the first lease was freed");
        (await AdmitAllAsync(store, policy, Candidate(bucket), Candidate(bucket))).ShouldBe([Admitted(), Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency)]);
    }

    [Fact]
    public async Task CapacityFreed_LeaseFreed_IsRaised()
    {
        var store = Open();
        var bucket = NewBucket();
        var raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.CapacityFreed += (_, _) => raised.TrySetResult();
        var lease = Candidate(bucket);
        await AdmitAsync(store, Roomy, lease);

        await FreeAsync(store, Roomy, bucket, lease.LeaseId);

        await raised.Task.WaitAsync(Patience, Ct);
        (await store.SnapshotAsync(Roomy, Ct)).InFlight.ShouldBe(0);
    }

    [Fact]
    public async Task AdmitAsync_BucketMustWait_ClosesItToItsLaterCandidatesOnly()
    {
        var store = Open();
        var waiting = NewBucket();
        var other = NewBucket();
        await LearnAsync(store, Roomy, waiting, new LearnedLevels(default, Level(60_000, 1000), default));

        // The second candidate of the waiting bucket would fit, but must not overtake the first.
        var decisions = await AdmitAllAsync(
            store,
            Roomy,
            Candidate(waiting, input: 2000),
            Candidate(other, input: 5000),
            Candidate(waiting, input: 100),
            Candidate(other, input: 5000));

        var head = Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.UpstreamInputTokens);
        decisions.ShouldBe([head, Admitted(), head, Admitted()]);
        (await BucketAsync(store, Roomy, waiting))!.InputTokens.Remaining.ShouldBe(1000);
        (await store.SnapshotAsync(Roomy, Ct)).InFlight.ShouldBe(2);
    }

    [Fact]
    public async Task AdmitAsync_SharedLimitRefuses_EveryLaterCandidateWaitsForTheSharedLimitAlone()
    {
        var store = Open();
        var (first, cooling, third) = (NewBucket(), NewBucket(), NewBucket());
        var policy = new PacerOptions { MaxRequestsPerMinute = 60, Burst = 1, MaxConcurrentRequests = 50 };
        await store.UpdateAsync(new BucketUpdate(cooling, policy) { Cooldown = TimeSpan.FromSeconds(5) }, Ct);

        var decisions = await AdmitAllAsync(store, policy, Candidate(first), Candidate(cooling), Candidate(third), Candidate(first));

        var shared = Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.RequestRate, TimeSpan.FromSeconds(1));
        decisions.ShouldBe([Admitted(), Waits(TimeSpan.FromSeconds(5), AdmissionBlockers.RequestRate | AdmissionBlockers.Cooldown, TimeSpan.FromSeconds(1)), shared, shared]);
        (await store.SnapshotAsync(policy, Ct)).RequestsInWindow.ShouldBe(1);
    }

    [Fact]
    public async Task AdmitAsync_ConcurrencyRefuses_EveryLaterCandidateWaitsForARelease()
    {
        var store = Open();
        var (first, cooling, third) = (NewBucket(), NewBucket(), NewBucket());
        var policy = Roomy with { MaxConcurrentRequests = 1 };
        await store.UpdateAsync(new BucketUpdate(cooling, policy) { Cooldown = TimeSpan.FromSeconds(5) }, Ct);

        var decisions = await AdmitAllAsync(store, policy, Candidate(first), Candidate(cooling), Candidate(third));

        decisions.ShouldBe(
        [
            Admitted(),
            Waits(TimeSpan.FromSeconds(5), AdmissionBlockers.Concurrency | AdmissionBlockers.Cooldown),
            Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency),
        ]);
    }

    [Fact]
    public async Task AdmitAsync_SharedRefusalAfterAReservingBucket_OtherBucketsKeepTheirOwnOutputAccounting()
    {
        var store = Open();
        var (plain, reserving) = (NewBucket(), NewBucket());
        var policy = new PacerOptions { MaxRequestsPerMinute = 60, Burst = 1, MaxConcurrentRequests = 50 };
        await store.UpdateAsync(new BucketUpdate(reserving, policy) { ReservesMaxTokens = true }, Ct);

        var decisions = await AdmitAllAsync(store, policy, Candidate(plain), Candidate(reserving), Candidate(plain));

        // The limiter adopts the reserving accounting for a bucket whose decision says so, whatever its status.
        var paced = Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.RequestRate, TimeSpan.FromSeconds(1));
        decisions.ShouldBe([Admitted(), paced with { OutputReservedOnArrival = true }, paced]);
    }

    [Fact]
    public async Task AdmitAsync_LearnedInputBelowTheRequest_WaitsForTheRefill()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 6000), default));

        (await AdmitAsync(store, Roomy, Candidate(bucket, input: 10_000))).ShouldBe(Waits(TimeSpan.FromSeconds(4), AdmissionBlockers.UpstreamInputTokens));
        Time.Advance(TimeSpan.FromSeconds(4));

        (await AdmitAsync(store, Roomy, Candidate(bucket, input: 10_000))).ShouldBe(Admitted());
        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(0);
    }

    [Fact]
    public async Task AdmitAsync_LearnedOutputBelowTheHold_WaitsForTheRefillOfTheLearnedHoldOnly()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, default, Level(6000, 600)));

        // It asks 8192 max_tokens but holds 1200 against the learned budget.
        (await AdmitAsync(store, Roomy, Candidate(bucket, output: 8192, learnedOutput: 1200))).ShouldBe(Waits(TimeSpan.FromSeconds(6), AdmissionBlockers.UpstreamOutputTokens));
        Time.Advance(TimeSpan.FromSeconds(6));

        (await AdmitAsync(store, Roomy, Candidate(bucket, output: 8192, learnedOutput: 1200))).ShouldBe(Admitted());
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(0);
    }

    [Fact]
    public async Task AdmitAsync_LearnedRequestsSpent_WaitsForOneRequestsRefill()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(Level(50, 1), default, default));

        var decisions = await AdmitAllAsync(store, Roomy, Candidate(bucket), Candidate(bucket));

        decisions.ShouldBe([Admitted(), Waits(TimeSpan.FromMilliseconds(1200), AdmissionBlockers.UpstreamRequests)]);
    }

    [Fact]
    public async Task AdmitAsync_UpstreamShowsAWholeMinutesBucket_BurstsToThePolicysMinuteAndTheWindowHoldsIt()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxRequestsPerMinute = 10, Burst = 2, MaxConcurrentRequests = 50 };
        await LearnAsync(store, policy, bucket, new LearnedLevels(Level(600, 600, shownCapacity: 600), default, default));

        var decisions = await AdmitAllAsync(store, policy, [.. Enumerable.Range(0, 11).Select(_ => Candidate(bucket))]);

        decisions.Take(10).ShouldAllBe(d => d.Admitted, "the upstream lets 600 go at once: the policy's 10 a minute go back to back");
        decisions[10].ShouldBe(Waits(TimeSpan.FromSeconds(60), AdmissionBlockers.RequestRate, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task AdmitAsync_UpstreamShowsASmallerBucket_BurstsNoFurtherThanIt()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxRequestsPerMinute = 60, Burst = 2, MaxConcurrentRequests = 50 };
        await LearnAsync(store, policy, bucket, new LearnedLevels(Level(600, 600, shownCapacity: 5), default, default));

        var decisions = await AdmitAllAsync(store, policy, [.. Enumerable.Range(0, 6).Select(_ => Candidate(bucket))]);

        decisions.Take(5).ShouldAllBe(d => d.Admitted);
        decisions[5].ShouldBe(Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.RequestRate | AdmissionBlockers.UpstreamRequests, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task AdmitAsync_LearnLimitsOff_KeepsTheOperatorsBurstWhateverTheUpstreamShowed()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxRequestsPerMinute = 60, Burst = 2, MaxConcurrentRequests = 50, LearnLimits = false };
        await LearnAsync(store, policy, bucket, new LearnedLevels(Level(600, 600, shownCapacity: 600), default, default));

        var decisions = await AdmitAllAsync(store, policy, Candidate(bucket), Candidate(bucket), Candidate(bucket));

        decisions.ShouldBe([Admitted(), Admitted(), Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.RequestRate, TimeSpan.FromSeconds(1))]);
    }

    [Fact]
    public async Task AdmitAsync_SeveralLearnedBudgetsShort_WaitsForTheLongest()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 6000), Level(6000, 600)));

        var decision = await AdmitAsync(store, Roomy, Candidate(bucket, input: 10_000, output: 1200));

        decision.ShouldBe(Waits(TimeSpan.FromSeconds(6), AdmissionBlockers.UpstreamInputTokens | AdmissionBlockers.UpstreamOutputTokens));
    }

    [Fact]
    public async Task AdmitAsync_LearnLimitsOff_IgnoresLearnedBudgets()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = Roomy with { LearnLimits = false };
        await LearnAsync(store, policy, bucket, new LearnedLevels(Level(50, 0), Level(1000, 0), Level(500, 0)));

        (await AdmitAsync(store, policy, Candidate(bucket, input: 5000, output: 5000))).ShouldBe(Admitted());
    }

    [Fact]
    public async Task SnapshotAsync_AfterLearning_ShowsLimitRemainingAndWhenFull()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 6000), default));

        var learned = await BucketAsync(store, Roomy, bucket);
        Time.Advance(TimeSpan.FromSeconds(10));
        var later = await BucketAsync(store, Roomy, bucket);

        learned.ShouldNotBeNull();
        (learned.KeyId, learned.ModelClass).ShouldBe((bucket.UpstreamKey, bucket.ModelClass));
        learned.InputTokens.ShouldBe(new BudgetSnapshot(60_000, 6000, Start + TimeSpan.FromSeconds(54)));
        learned.Requests.ShouldBe(new BudgetSnapshot(null, null, null));
        learned.OutputTokens.ShouldBe(new BudgetSnapshot(null, null, null));
        (learned.CooldownUntil, learned.OutputReservedOnArrival).ShouldBe((null, false));
        later!.InputTokens.ShouldBe(new BudgetSnapshot(60_000, 16_000, Start + TimeSpan.FromSeconds(54)));
    }

    [Fact]
    public async Task UpdateAsync_LevelWithAMargin_SetsTheLevelThatFarBelowTheRemaining()
    {
        var store = Open();
        var bucket = NewBucket();

        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 10_000, margin: 1000), default));

        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(9000);
        (await LookAsync(store, Roomy, Candidate(bucket, input: 9001))).ShouldBe(Waits(TimeSpan.FromMilliseconds(1), AdmissionBlockers.UpstreamInputTokens));
    }

    [Fact]
    public async Task UpdateAsync_SmallShownCapacity_CapsTheBucketAndTakesTheSmallMargin()
    {
        var store = Open();
        var bucket = NewBucket();

        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, new LearnedLevel(60_000, 10_000, 20_000, 1000, SmallBucketMargin: 2000, SmallBucketBelow: 40_000), default));

        (await BucketAsync(store, Roomy, bucket))!.InputTokens.ShouldBe(new BudgetSnapshot(60_000, 8000, Start + TimeSpan.FromSeconds(12)));
        Time.Advance(TimeSpan.FromSeconds(30));
        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(20_000, "the bucket refills no higher than the capacity shown");
        (await LookAsync(store, Roomy, Candidate(bucket, input: 20_001))).ShouldBe(Admitted(), "a request above the capacity but within the limit takes a full bucket into debt");
    }

    [Fact]
    public async Task UpdateAsync_LevelWithABand_KeepsTheOwnCountWhereTheHeaderAllowsItElseTakesItsLowEnd()
    {
        var store = Open();
        var bucket = NewBucket();
        static LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(6000, remaining, 3000, 500, Band: 500));
        await LearnAsync(store, Roomy, bucket, Output(2000));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(1500, "the first word is taken at the low end");

        // One second later the own count has refilled to 1,600: a header of 2,000 (1,500 to 2,499) leaves it there.
        Time.Advance(TimeSpan.FromSeconds(1));
        await LearnAsync(store, Roomy, bucket, Output(2000));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(1600);

        // A header that contradicts the own count is taken at its low end, as without a band: 0 (below 500) sets 0,
        // then 1,000 (500 to 1,499) sets 500, and 3,000 (at least 2,500) sets 2,500.
        await LearnAsync(store, Roomy, bucket, Output(0));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(0);
        await LearnAsync(store, Roomy, bucket, Output(1000));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(500);
        await LearnAsync(store, Roomy, bucket, Output(3000));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(2500);
    }

    [Theory]
    [InlineData(false, 0)] // the held 1,000 taken as not counted: the own count (1,500 remaining) reads 1,000 too high for a header of 1,000, and the low end stands: 500 less 1,000
    [InlineData(true, 1500)] // the held 1,000 may be counted already: 1,500 is within what a header of 1,000 allows
    public async Task UpdateAsync_UnconfirmedMayBeCounted_KeepsTheOwnCountThatOnlyTheRecentHoldsPutAboveTheHeader(bool mayBeCounted, long expected)
    {
        var store = Open();
        var bucket = NewBucket();
        LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(6000, remaining, 3000, 500, Band: 500, UnconfirmedMayBeCounted: mayBeCounted));
        await LearnAsync(store, Roomy, bucket, Output(3000));
        (await AdmitAsync(store, Roomy, Candidate(bucket, output: 1000, learnedOutput: 1000))).ShouldBe(Admitted());
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(1500);

        await LearnAsync(store, Roomy, bucket, Output(1000));

        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(expected);
    }

    [Theory]
    [InlineData(667, 133)] // no larger than the step: the own count of -200 stands (a header of 0 less the 300 held allows -300 to 200)
    [InlineData(2500, 33)] // larger: the header's level, 0 less the 300 held, is taken every time
    public async Task UpdateAsync_BandUpTo_KeepsTheOwnCountOnlyOnABucketNoLargerThanIt(double capacity, long expected)
    {
        var store = Open();
        var bucket = NewBucket();
        LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(20_000, remaining, capacity, 0, Band: 500, BandUpTo: 1000));
        await LearnAsync(store, Roomy, bucket, Output(1000));
        (await AdmitAsync(store, Roomy, Candidate(bucket, output: 4096, learnedOutput: 300))).ShouldBe(Admitted());
        await LearnAsync(store, Roomy, bucket, Output(0));

        // 0.3 s refill 100 tokens (20,000 a minute): the own count reads -200 when the next header of 0 comes.
        Time.Advance(TimeSpan.FromMilliseconds(300));
        await LearnAsync(store, Roomy, bucket, Output(0));

        // A second later 333 more: 133 from the own count of -200, 33 from the header's -300.
        Time.Advance(TimeSpan.FromSeconds(1));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(expected);
    }

    [Theory]
    [InlineData(false, true, 1500)] // a header of 0 at 0.5 s sets the level to empty, lifting the own count of -500; 1.5 s refill
    [InlineData(true, true, 1000)] // cooling down, the server is below empty and a header reads no lower than 0: -1,000 and 2 s refill
    [InlineData(true, false, 1500)] // no cooldown: the header's level stands
    public async Task UpdateAsync_MayBeBelowEmpty_KeepsAnOwnCountBelowAHeaderOfZeroDuringACooldown(bool mayBeBelowEmpty, bool coolingDown, long expected)
    {
        var store = Open();
        var bucket = NewBucket();
        LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(60_000, remaining, 3000, 0, MayBeBelowEmpty: mayBeBelowEmpty));
        await LearnAsync(store, Roomy, bucket, Output(0));

        // A 429 whose retry-after of 1 s showed the server a second's refill (1,000 tokens) below empty.
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy)
        {
            Cooldown = coolingDown ? TimeSpan.FromSeconds(1) : TimeSpan.Zero,
            Change = new BudgetChange(default, default, new BudgetDelta(1000, 0), 0, 0),
        }, Ct);
        Time.Advance(TimeSpan.FromMilliseconds(500));
        await LearnAsync(store, Roomy, bucket, Output(0));

        Time.Advance(TimeSpan.FromMilliseconds(1500));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(expected);
    }

    [Fact]
    public async Task UpdateAsync_MayBeBelowEmpty_AHeaderAboveZeroSetsTheLevelEvenDuringACooldown()
    {
        var store = Open();
        var bucket = NewBucket();
        static LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(60_000, remaining, 3000, 0, MayBeBelowEmpty: true));
        await LearnAsync(store, Roomy, bucket, Output(0));
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Cooldown = TimeSpan.FromSeconds(5), Change = new BudgetChange(default, default, new BudgetDelta(1000, 0), 0, 0) }, Ct);

        await LearnAsync(store, Roomy, bucket, Output(1000));

        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(1000);
    }

    [Theory]
    [InlineData(567, 1000, 300, 600)] // own count 100 below the header's rounding (500 to 1,499): raised to 500, not to the header
    [InlineData(67, 0, 300, 599)] // own count 600 above it (below 500): lowered to 499, not to 0
    [InlineData(967, 0, 1000, 33)] // own count -300 below a header of 0, which sets no lower end: it stands, and a second refills 333
    public async Task UpdateAsync_MayBeBelowEmptyWithinTheBand_MovesTheOwnCountOnlyAsFarAsTheRoundingRequires(double debt, double header, int advanceMs, long expected)
    {
        var store = Open();
        var bucket = NewBucket();
        static LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(20_000, remaining, 667, 0, Band: 500, BandUpTo: 1000, MayBeBelowEmpty: true));
        await LearnAsync(store, Roomy, bucket, Output(1000));
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Change = new BudgetChange(default, default, new BudgetDelta(debt, 0), 0, 0) }, Ct);

        await LearnAsync(store, Roomy, bucket, Output(header));

        Time.Advance(TimeSpan.FromMilliseconds(advanceMs));
        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(expected);
    }

    [Theory]
    [InlineData(667, 467)] // the own count is kept: the answer's 200 tokens above its hold settle it
    [InlineData(2500, 1000)] // the header's level is taken each time, and holds the real output already
    public async Task UpdateAsync_OutputSettlement_AppliesOnlyWhereTheOwnCountIsKept(double capacity, long expected)
    {
        var store = Open();
        var bucket = NewBucket();
        LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(20_000, remaining, capacity, 0, Band: 500, BandUpTo: 1000, MayBeBelowEmpty: true));
        await LearnAsync(store, Roomy, bucket, Output(1000));
        await LearnAsync(store, Roomy, bucket, Output(1000));

        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Change = default(BudgetChange) with { OutputSettlement = 200 } }, Ct);

        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(expected);
    }

    [Theory]
    [InlineData(false, 3000)] // the hold refills away with the rest
    [InlineData(true, 2000)] // held unproduced: the server's bucket, which has not charged it, is full, and the hold stays
    public async Task UpdateAsync_HeldUnproduced_TheHoldsInFlightDoNotRefillAway(bool heldUnproduced, long expected)
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, default, new LearnedLevel(6000, 3000, 3000, 0, MayBeBelowEmpty: true, HeldUnproduced: heldUnproduced)));
        (await AdmitAsync(store, Roomy, Candidate(bucket, output: 4096, learnedOutput: 1000))).ShouldBe(Admitted());

        Time.Advance(TimeSpan.FromSeconds(20));

        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(expected);
    }

    [Theory]
    [InlineData(false, 3)] // each hold counts whole: three of 1,000 fill the bucket of 3,000
    [InlineData(true, 5)] // half of the holds in flight is lent: the fifth needs 1,000 + 2,000 of 3,000, the sixth 1,000 + 2,500
    public async Task AdmitAsync_HeldUnproduced_LendsHalfOfTheHoldsInFlight(bool heldUnproduced, int admitted)
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, default, new LearnedLevel(6000, 3000, 3000, 0, MayBeBelowEmpty: true, HeldUnproduced: heldUnproduced)));

        var count = 0;
        while (count < 10 && (await AdmitAsync(store, Roomy, Candidate(bucket, output: 4096, learnedOutput: 1000))).Status == AdmissionStatus.Admitted)
        {
            count++;
        }

        count.ShouldBe(admitted);
        (await AdmitAsync(store, Roomy, Candidate(bucket, output: 4096, learnedOutput: 1000))).Blockers.ShouldBe(AdmissionBlockers.UpstreamOutputTokens);
    }

    [Fact]
    public async Task UpdateAsync_LevelWithoutABand_TakesTheHeadersLowEndEveryTime()
    {
        var store = Open();
        var bucket = NewBucket();
        static LearnedLevels Output(double remaining) => new(default, default, new LearnedLevel(6000, remaining, 3000, 500));
        await LearnAsync(store, Roomy, bucket, Output(2000));
        Time.Advance(TimeSpan.FromSeconds(1));

        await LearnAsync(store, Roomy, bucket, Output(2000));

        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(1500);
    }

    [Fact]
    public async Task UpdateAsync_ShownCapacity_OnlyGrowsUnderTheSameLimitAndStartsAgainWhenItChanges()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 10_000, shownCapacity: 20_000), default));

        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 10_000, shownCapacity: 15_000), default));
        var sameLimit = await BucketAsync(store, Roomy, bucket);
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(120_000, 10_000, shownCapacity: 15_000), default));
        var newLimit = await BucketAsync(store, Roomy, bucket);

        sameLimit!.InputTokens.ShouldBe(new BudgetSnapshot(60_000, 10_000, Start + TimeSpan.FromSeconds(10)));
        newLimit!.InputTokens.ShouldBe(new BudgetSnapshot(120_000, 10_000, Start + TimeSpan.FromSeconds(2.5)));
        Time.Advance(TimeSpan.FromSeconds(30));
        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(15_000);
    }

    [Fact]
    public async Task UpdateAsync_NegativeDebt_Refunds()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 6000), default));

        await ChangeAsync(store, Roomy, bucket, new BudgetChange(default, new BudgetDelta(-3000, 0), default, 0, 0));

        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(9000);
        (await LookAsync(store, Roomy, Candidate(bucket, input: 9000))).ShouldBe(Admitted());
        (await LookAsync(store, Roomy, Candidate(bucket, input: 9001))).ShouldBe(Waits(TimeSpan.FromMilliseconds(1), AdmissionBlockers.UpstreamInputTokens));
    }

    [Fact]
    public async Task UpdateAsync_RefundBeyondTheDebt_StopsAtAFullBucket()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 59_000), default));

        await ChangeAsync(store, Roomy, bucket, new BudgetChange(default, new BudgetDelta(-5000, 0), default, 0, 0));
        var refunded = await BucketAsync(store, Roomy, bucket);
        await ChangeAsync(store, Roomy, bucket, new BudgetChange(default, new BudgetDelta(1000, 0), default, 0, 0));

        refunded!.InputTokens.ShouldBe(new BudgetSnapshot(60_000, 60_000, Start));
        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(59_000, "the debt stopped at zero, not at -4000");
    }

    [Fact]
    public async Task UpdateAsync_LearningWhileRequestsAreUnconfirmed_LeavesTheRemainingLessWhatTheyHold()
    {
        var store = Open();
        var bucket = NewBucket();
        (await AdmitAsync(store, Roomy, Candidate(bucket, input: 2000))).ShouldBe(Admitted());

        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 10_000), default));
        var unconfirmed = await BucketAsync(store, Roomy, bucket);
        await ChangeAsync(store, Roomy, bucket, new BudgetChange(default, new BudgetDelta(0, -2000), default, 0, 0));
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 10_000), default));

        unconfirmed!.InputTokens.Remaining.ShouldBe(8000);
        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(10_000, "once confirmed, the server's remaining already includes it");
    }

    [Fact]
    public async Task UpdateAsync_UnconfirmedTakenBelowZero_StopsAtZero()
    {
        var store = Open();
        var bucket = NewBucket();
        await ChangeAsync(store, Roomy, bucket, new BudgetChange(default, new BudgetDelta(0, -5000), default, 0, 0));
        (await AdmitAsync(store, Roomy, Candidate(bucket, input: 1000))).ShouldBe(Admitted());

        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 10_000), default));

        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(9000);
    }

    [Fact]
    public async Task UpdateAsync_DebtWhileTheLimitIsUnknown_IsIgnoredButTheUnconfirmedCounts()
    {
        var store = Open();
        var bucket = NewBucket();
        await ChangeAsync(store, Roomy, bucket, new BudgetChange(default, new BudgetDelta(5000, 3000), default, 0, 0));

        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(60_000, 10_000), default));

        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(7000);
    }

    [Fact]
    public async Task UpdateAsync_DeltasAndLevelsTogether_AppliesTheDeltasFirst()
    {
        var store = Open();
        var bucket = NewBucket();
        (await AdmitAsync(store, Roomy, Candidate(bucket, input: 2000))).ShouldBe(Admitted());

        // A response that confirms the request and shows the level that already includes it.
        await store.UpdateAsync(
            new BucketUpdate(bucket, Roomy)
            {
                Change = new BudgetChange(default, new BudgetDelta(0, -2000), default, 0, 0),
                Levels = new LearnedLevels(default, Level(60_000, 10_000), default),
            },
            Ct);

        (await BucketAsync(store, Roomy, bucket))!.InputTokens.Remaining.ShouldBe(10_000);
    }

    [Theory]
    [InlineData(true, 5000)]
    [InlineData(false, 5500)]
    public async Task UpdateAsync_OutputRefund_WithinRoomGoesBackNoFurtherThanTheLearnedDebtLessItsRefill(bool withinRoom, long remaining)
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, default, Level(6000, 3000)));
        (await AdmitAsync(store, Roomy, Candidate(bucket, output: 1000))).ShouldBe(Admitted());
        Time.Advance(TimeSpan.FromSeconds(10));

        // Learned debt 3000, refilled 1000 since: the server's bucket can take back 2000 of the 2500.
        await ChangeAsync(store, Roomy, bucket, new BudgetChange(default, default, new BudgetDelta(-2500, 0), 0, 0) { OutputRefundWithinRoom = withinRoom });

        (await BucketAsync(store, Roomy, bucket))!.OutputTokens.Remaining.ShouldBe(remaining);
    }

    [Fact]
    public async Task AdmitAsync_RequestAboveTheLearnedLimit_IsTooLargeWithoutClosingTheBucket()
    {
        var store = Open();
        var bucket = NewBucket();
        await LearnAsync(store, Roomy, bucket, new LearnedLevels(default, Level(1000, 1000), Level(500, 500)));

        var decisions = await AdmitAllAsync(
            store,
            Roomy,
            Candidate(bucket, input: 1001, output: 100),
            Candidate(bucket, input: 10, output: 8192, learnedOutput: 501),
            Candidate(bucket, input: 1000, output: 8192, learnedOutput: 500));

        decisions.ShouldBe(
        [
            new AdmissionDecision(AdmissionStatus.TooLarge, TimeSpan.Zero, AdmissionBlockers.UpstreamInputTokens),
            new AdmissionDecision(AdmissionStatus.TooLarge, TimeSpan.Zero, AdmissionBlockers.UpstreamOutputTokens),
            Admitted(),
        ]);
    }

    [Fact]
    public async Task AdmitAsync_RequestAboveTheOperatorsPerMinuteBudgets_IsTooLarge()
    {
        var store = Open();
        var policy = Roomy with { InputTokensPerMinute = 1000, OutputTokensPerMinute = 500, TokenBurstSeconds = 10 };

        var decision = await AdmitAsync(store, policy, Candidate(NewBucket(), input: 1001, output: 501, learnedOutput: 1));

        decision.ShouldBe(new AdmissionDecision(AdmissionStatus.TooLarge, TimeSpan.Zero, AdmissionBlockers.InputTokenBudget | AdmissionBlockers.OutputTokenBudget));
    }

    [Fact]
    public async Task AdmitAsync_OperatorInputBudgetSpent_WaitsForItsRefill()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = Roomy with { InputTokensPerMinute = 6000, TokenBurstSeconds = 10 };

        var decisions = await AdmitAllAsync(store, policy, Candidate(bucket, input: 1000), Candidate(bucket, input: 500));
        Time.Advance(TimeSpan.FromSeconds(5));

        decisions.ShouldBe([Admitted(), Waits(TimeSpan.FromSeconds(5), AdmissionBlockers.InputTokenBudget)]);
        (await AdmitAsync(store, policy, Candidate(bucket, input: 500))).ShouldBe(Admitted());
        (await AdmitAsync(store, policy, Candidate(NewBucket(), input: 1000))).ShouldBe(Admitted(), "each bucket has a budget of its own");
    }

    [Fact]
    public async Task AdmitAsync_OperatorOutputBudgetSpent_HoldsTheWholeMaxTokens()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = Roomy with { OutputTokensPerMinute = 600 };

        var decisions = await AdmitAllAsync(store, policy, Candidate(bucket, output: 600, learnedOutput: 1), Candidate(bucket, output: 100, learnedOutput: 1));

        decisions.ShouldBe([Admitted(), Waits(TimeSpan.FromSeconds(10), AdmissionBlockers.OutputTokenBudget)]);
    }

    [Fact]
    public async Task AdmitAsync_RequestAboveTheOperatorBurst_WaitsForAFullBucketThenTakesItIntoDebt()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = Roomy with { InputTokensPerMinute = 6000, TokenBurstSeconds = 10 };
        await AdmitAsync(store, policy, Candidate(bucket, input: 100));

        (await AdmitAsync(store, policy, Candidate(bucket, input: 3000))).ShouldBe(Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.InputTokenBudget));
        Time.Advance(TimeSpan.FromSeconds(1));

        (await AdmitAsync(store, policy, Candidate(bucket, input: 3000))).ShouldBe(Admitted());
        (await AdmitAsync(store, policy, Candidate(bucket, input: 1))).ShouldBe(Waits(TimeSpan.FromMilliseconds(20_010), AdmissionBlockers.InputTokenBudget));
    }

    [Fact]
    public async Task UpdateAsync_OperatorRefund_ReopensTheBudgetAtOnce()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = Roomy with { InputTokensPerMinute = 6000, TokenBurstSeconds = 10 };
        await AdmitAsync(store, policy, Candidate(bucket, input: 1000));

        await ChangeAsync(store, policy, bucket, new BudgetChange(default, default, default, -500, 0));

        (await AdmitAllAsync(store, policy, Candidate(bucket, input: 500), Candidate(bucket, input: 100))).ShouldBe(
            [Admitted(), Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.InputTokenBudget)]);
    }

    [Fact]
    public async Task UpdateAsync_Cooldown_BlocksOnlyItsBucketForItsDuration()
    {
        var store = Open();
        var (cooling, other) = (NewBucket(), NewBucket());
        await store.UpdateAsync(new BucketUpdate(cooling, Roomy) { Cooldown = TimeSpan.FromSeconds(30) }, Ct);

        (await AdmitAllAsync(store, Roomy, Candidate(cooling), Candidate(other))).ShouldBe([Waits(TimeSpan.FromSeconds(30), AdmissionBlockers.Cooldown), Admitted()]);
        Time.Advance(TimeSpan.FromMilliseconds(29_999));
        (await AdmitAsync(store, Roomy, Candidate(cooling))).ShouldBe(Waits(TimeSpan.FromMilliseconds(1), AdmissionBlockers.Cooldown));
        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await AdmitAsync(store, Roomy, Candidate(cooling))).ShouldBe(Admitted());
    }

    [Fact]
    public async Task UpdateAsync_ShorterLaterCooldown_DoesNotShortenIt()
    {
        var store = Open();
        var bucket = NewBucket();
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Cooldown = TimeSpan.FromSeconds(30) }, Ct);
        Time.Advance(TimeSpan.FromSeconds(5));

        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Cooldown = TimeSpan.FromSeconds(10) }, Ct);
        var afterShorter = await LookAsync(store, Roomy, Candidate(bucket));
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Cooldown = TimeSpan.FromSeconds(60) }, Ct);

        afterShorter.ShouldBe(Waits(TimeSpan.FromSeconds(25), AdmissionBlockers.Cooldown));
        (await LookAsync(store, Roomy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.FromSeconds(60), AdmissionBlockers.Cooldown), "a longer one extends it");
    }

    [Fact]
    public async Task SnapshotAsync_CoolingBucket_IsListedUntilItsCooldownEnds()
    {
        var store = Open();
        var bucket = NewBucket();
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Cooldown = TimeSpan.FromSeconds(30) }, Ct);

        var cooling = await BucketAsync(store, Roomy, bucket);
        Time.Advance(TimeSpan.FromSeconds(30));

        cooling.ShouldNotBeNull();
        cooling.CooldownUntil.ShouldBe(Start + TimeSpan.FromSeconds(30));
        cooling.InputTokens.ShouldBe(new BudgetSnapshot(null, null, null));
        (await BucketAsync(store, Roomy, bucket)).ShouldBeNull();
    }

    [Fact]
    public async Task UpdateAsync_ReservesMaxTokens_ShowsInDecisionsAndSnapshotUntilForgotten()
    {
        var store = Open();
        var (reserving, other) = (NewBucket(), NewBucket());
        await store.UpdateAsync(new BucketUpdate(reserving, Roomy) { Levels = new LearnedLevels(default, default, Level(6000, 6000)), ReservesMaxTokens = true }, Ct);

        var decisions = await AdmitAllAsync(store, Roomy, Candidate(reserving), Candidate(other), Candidate(reserving, output: 6001));
        var learned = await BucketAsync(store, Roomy, reserving);
        await store.ForgetOutputAccountingAsync(Ct);

        decisions.ShouldBe([Admitted(reserving: true), Admitted(), new AdmissionDecision(AdmissionStatus.TooLarge, TimeSpan.Zero, AdmissionBlockers.UpstreamOutputTokens, OutputReservedOnArrival: true)]);
        learned!.OutputReservedOnArrival.ShouldBeTrue();
        (await AdmitAsync(store, Roomy, Candidate(reserving))).ShouldBe(Admitted());
        (await BucketAsync(store, Roomy, reserving))!.OutputReservedOnArrival.ShouldBeFalse();
    }

    [Fact]
    public async Task UpdateAsync_LaterUpdateWithoutTheFlag_KeepsReservesMaxTokens()
    {
        var store = Open();
        var bucket = NewBucket();
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { ReservesMaxTokens = true }, Ct);

        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Cooldown = TimeSpan.FromSeconds(1) }, Ct);

        (await LookAsync(store, Roomy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.FromSeconds(1), AdmissionBlockers.Cooldown, reserving: true));
    }

    [Fact]
    public async Task AdmitAsync_LeaseNotRenewed_FreesItsSlotAfterTheTimeToLive()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 1 };
        await AdmitAsync(store, policy, Candidate(bucket));

        Time.Advance(TimeSpan.FromMilliseconds(9999));
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency));
        Time.Advance(TimeSpan.FromMilliseconds(1));

        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Admitted());
        (await store.SnapshotAsync(policy, Ct)).InFlight.ShouldBe(1);
    }

    [Fact]
    public async Task RenewAsync_EveryThirdOfTheTimeToLive_KeepsTheLeasePastIt()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 1 };
        var held = Candidate(bucket);
        await AdmitAsync(store, policy, held);

        for (var i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(3));
            await store.RenewAsync(Owner, new[] { held.LeaseId }, Ct);
        }

        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency), "renewed at 15 s, it lives until 25 s");
        Time.Advance(TimeSpan.FromMilliseconds(9999));
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency));
        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Admitted());
    }

    [Fact]
    public async Task RenewAsync_ExpiredLease_IsNotRevived()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 1 };
        var held = Candidate(bucket);
        await AdmitAsync(store, policy, held);
        Time.Advance(TimeSpan.FromSeconds(10));

        await store.RenewAsync(Owner, new[] { held.LeaseId }, Ct);

        (await store.SnapshotAsync(policy, Ct)).InFlight.ShouldBe(0);
        (await AdmitAllAsync(store, policy, Candidate(bucket), Candidate(bucket))).ShouldBe([Admitted(), Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency)]);
    }

    [Fact]
    public async Task UpdateAsync_FreeAfterExpiry_ChangesNothing()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 2 };
        var expired = Candidate(bucket);
        await AdmitAsync(store, policy, expired);
        Time.Advance(TimeSpan.FromSeconds(10));
        (await AdmitAllAsync(store, policy, Candidate(bucket), Candidate(bucket))).ShouldBe([Admitted(), Admitted()]);

        await FreeAsync(store, policy, bucket, expired.LeaseId);

        (await store.SnapshotAsync(policy, Ct)).InFlight.ShouldBe(2);
        (await AdmitAsync(store, policy, Candidate(bucket))).ShouldBe(Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(10)]
    public async Task AdmitAsync_TwoOwners_CountTogetherAgainstTheConcurrencyLimit(int? timeToLiveSeconds)
    {
        var store = Open(timeToLiveSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 2 };

        // Lease ids are unique per owner only: both owners hold a lease 7.
        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 7, default), Owner)).ShouldBe(Admitted());
        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 7, default), OtherOwner)).ShouldBe(Admitted());
        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 8, default), Owner)).ShouldBe(Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency));

        await FreeAsync(store, policy, bucket, 7, OtherOwner);

        (await store.SnapshotAsync(policy, Ct)).InFlight.ShouldBe(1);
        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 8, default), Owner)).ShouldBe(Admitted());
    }

    [Fact]
    public async Task RenewAsync_AnotherOwnersLease_DoesNotExtendIt()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        var policy = Roomy with { MaxConcurrentRequests = 1 };
        await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 7, default), Owner);
        Time.Advance(TimeSpan.FromSeconds(5));

        await store.RenewAsync(OtherOwner, new long[] { 7 }, Ct);
        Time.Advance(TimeSpan.FromSeconds(5));

        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 1, default), OtherOwner)).ShouldBe(Admitted());
    }

    /// <summary>Opens a store on this test's clock; it is disposed when the test ends.</summary>
    protected ILimiterStore Open(TimeSpan? leaseTimeToLive = null)
    {
        var store = CreateStore(Time, leaseTimeToLive);
        _stores.Add(store);
        // A store shared over a network always lets leases expire; asked for none, its leases must outlive any test.
        if (leaseTimeToLive is null && store.LeaseTimeToLive is { } forever)
        {
            forever.ShouldBeGreaterThan(TimeSpan.FromDays(1));
        }
        else
        {
            store.LeaseTimeToLive.ShouldBe(leaseTimeToLive);
        }

        return store;
    }

    /// <summary>Gets a bucket no other test uses (a shared server keeps every test's buckets apart).</summary>
    protected static BucketKey NewBucket(string modelClass = "claude-sonnet-4") => new($"key-{Guid.NewGuid():N}", modelClass);

    protected AdmissionCandidate Candidate(BucketKey bucket, int input = 0, int output = 0, int? learnedOutput = null) => new(
        bucket,
        ++_lastLease,
        learnedOutput is { } held ? new RequestCost(input, output) { LearnedOutputTokens = held } : new RequestCost(input, output));

    protected static async Task<AdmissionDecision[]> DecideAsync(ILimiterStore store, PacerOptions policy, bool lookOnly, string owner, params AdmissionCandidate[] candidates)
    {
        var batch = new AdmissionBatch(owner, candidates.Length) { Policy = policy, LookOnly = lookOnly };
        foreach (var candidate in candidates)
        {
            batch.Add(candidate);
        }

        await store.AdmitAsync(batch, Ct);
        var decisions = new AdmissionDecision[batch.Count];
        for (var i = 0; i < decisions.Length; i++)
        {
            decisions[i] = batch.Decision(i);
        }

        return decisions;
    }

    protected static Task<AdmissionDecision[]> AdmitAllAsync(ILimiterStore store, PacerOptions policy, params AdmissionCandidate[] candidates) =>
        DecideAsync(store, policy, lookOnly: false, Owner, candidates);

    protected static async Task<AdmissionDecision> AdmitAsync(ILimiterStore store, PacerOptions policy, AdmissionCandidate candidate, string owner = Owner) =>
        (await DecideAsync(store, policy, lookOnly: false, owner, candidate))[0];

    protected static async Task<AdmissionDecision> LookAsync(ILimiterStore store, PacerOptions policy, AdmissionCandidate candidate) =>
        (await DecideAsync(store, policy, lookOnly: true, Owner, candidate))[0];

    protected static Task FreeAsync(ILimiterStore store, PacerOptions policy, BucketKey bucket, long lease, string owner = Owner) =>
        store.UpdateAsync(new BucketUpdate(bucket, policy) { LeaseOwner = owner, FreeLease = lease }, Ct).AsTask();

    protected static Task LearnAsync(ILimiterStore store, PacerOptions policy, BucketKey bucket, LearnedLevels levels) =>
        store.UpdateAsync(new BucketUpdate(bucket, policy) { Levels = levels }, Ct).AsTask();

    protected static Task ChangeAsync(ILimiterStore store, PacerOptions policy, BucketKey bucket, BudgetChange change) =>
        store.UpdateAsync(new BucketUpdate(bucket, policy) { Change = change }, Ct).AsTask();

    /// <summary>Gets this bucket's part of a snapshot, or null when the snapshot does not list it.</summary>
    protected static async Task<UpstreamBucketSnapshot?> BucketAsync(ILimiterStore store, PacerOptions policy, BucketKey bucket) =>
        (await store.SnapshotAsync(policy, Ct)).Buckets.SingleOrDefault(b => b.KeyId == bucket.UpstreamKey && b.ModelClass == bucket.ModelClass);

    /// <summary>A level as a response without a reset shows it: no capacity proven unless given.</summary>
    protected static LearnedLevel Level(long limit, double remaining, double shownCapacity = -1, double margin = 0) => new(limit, remaining, shownCapacity, margin);

    protected static AdmissionDecision Admitted(bool reserving = false) => AdmissionDecision.Admit with { OutputReservedOnArrival = reserving };

    protected static AdmissionDecision Waits(TimeSpan retryAfter, AdmissionBlockers blockers, TimeSpan shared = default, bool reserving = false) =>
        new(AdmissionStatus.Wait, retryAfter, blockers, shared, reserving);
}
