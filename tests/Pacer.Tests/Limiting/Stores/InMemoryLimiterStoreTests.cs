using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting.Stores;

/// <summary>The limiter store contract in one process, and what only the in-memory store promises.</summary>
public sealed class InMemoryLimiterStoreTests : LimiterStoreContractTests
{
    protected override ILimiterStore CreateStore(FakeTimeProvider time, TimeSpan? leaseTimeToLive) => new InMemoryLimiterStore(time, leaseTimeToLive);

    [Fact]
    public void EveryOperation_InOneProcess_CompletesSynchronously()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        var batch = new AdmissionBatch(Owner, 1) { Policy = Roomy };
        batch.Add(new AdmissionCandidate(bucket, 1, new RequestCost(10, 20)));

        CompletedAtOnce(store.AdmitAsync(batch, Ct)).ShouldBeTrue();
        CompletedAtOnce(store.RenewAsync(Owner, new long[] { 1 }, Ct)).ShouldBeTrue();
        CompletedAtOnce(store.UpdateAsync(new BucketUpdate(bucket, Roomy) { LeaseOwner = Owner, FreeLease = 1 }, Ct)).ShouldBeTrue();
        CompletedAtOnce(store.ForgetOutputAccountingAsync(Ct)).ShouldBeTrue();
        CompletedAtOnce(store.SnapshotAsync(Roomy, Ct)).ShouldBeTrue();

        batch.Decision(0).ShouldBe(Admitted());
        store.ReadLoad().ShouldBe(new LimiterLoad(0, 1, 0));
    }

    [Fact]
    public async Task ReadLoad_LeasesAndWindow_ReadsThemAtTheStoresNow()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        await AdmitAllAsync(store, Roomy, Candidate(bucket), Candidate(bucket));
        Time.Advance(TimeSpan.FromSeconds(5));
        await AdmitAsync(store, Roomy, Candidate(bucket));

        var atFive = store.ReadLoad();
        Time.Advance(TimeSpan.FromSeconds(5));
        var atTen = store.ReadLoad();
        Time.Advance(TimeSpan.FromSeconds(55));

        atFive.ShouldBe(new LimiterLoad(3, 3, 0));
        atTen.ShouldBe(new LimiterLoad(1, 3, 0), "the first two leases expired, their admissions are still in the window");
        store.ReadLoad().ShouldBe(new LimiterLoad(0, 0, 0));
    }

    [Fact]
    public async Task CapacityFreed_UnknownOrAlreadyFreedLease_IsNotRaised()
    {
        var store = Open(TimeSpan.FromSeconds(10));
        var bucket = NewBucket();
        var raised = 0;
        store.CapacityFreed += (_, _) => raised++;
        var lease = Candidate(bucket);
        await AdmitAsync(store, Roomy, lease);
        await FreeAsync(store, Roomy, bucket, lease.LeaseId);

        await FreeAsync(store, Roomy, bucket, lease.LeaseId);
        await FreeAsync(store, Roomy, bucket, 424_242);
        await store.UpdateAsync(new BucketUpdate(bucket, Roomy) { Cooldown = TimeSpan.FromSeconds(1) }, Ct);

        raised.ShouldBe(1);
    }

    [Fact]
    public async Task AdmitAsync_ManyUnknownModels_ForgetsTheIdleStatesOnly()
    {
        var store = (InMemoryLimiterStore)Open();
        var (learned, reserving, cooling, recent) = (NewBucket(), NewBucket(), NewBucket(), NewBucket());
        await LearnAsync(store, Roomy, learned, new LearnedLevels(new LearnedLevel(50, 50, -1, 0), default, default));
        await store.UpdateAsync(new BucketUpdate(reserving, Roomy) { ReservesMaxTokens = true }, Ct);
        await store.UpdateAsync(new BucketUpdate(cooling, Roomy) { Cooldown = TimeSpan.FromMinutes(10) }, Ct);
        await LookAsync(store, Roomy, Candidate(recent));

        // 4096 states in all: the next new one finds the map full and forgets the idle ones first.
        const int Unknown = 4092;
        var batch = new AdmissionBatch(Owner, Unknown) { Policy = Roomy, LookOnly = true };
        var upstreamKey = NewBucket().UpstreamKey;
        for (var i = 0; i < Unknown; i++)
        {
            batch.Add(new AdmissionCandidate(new BucketKey(upstreamKey, $"unknown-model-{i}"), 0, default));
        }

        await store.AdmitAsync(batch, Ct);
        var grown = store.BucketCount;
        Time.Advance(TimeSpan.FromSeconds(299));
        await LookAsync(store, Roomy, Candidate(recent));
        Time.Advance(TimeSpan.FromSeconds(1));
        await LookAsync(store, Roomy, Candidate(NewBucket()));

        grown.ShouldBe(4096);
        store.BucketCount.ShouldBe(5, "the learned, reserving, cooling and recently used states stay, with the new one");
        (await BucketAsync(store, Roomy, learned))!.Requests.Limit.ShouldBe(50);
        (await LookAsync(store, Roomy, Candidate(cooling))).ShouldBe(Waits(TimeSpan.FromMinutes(5), AdmissionBlockers.Cooldown));
        (await LookAsync(store, Roomy, Candidate(reserving))).ShouldBe(Admitted(reserving: true));
    }

    [Fact]
    public void Constructor_TimeToLiveNotPositive_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new InMemoryLimiterStore(Time, TimeSpan.Zero)).ParamName.ShouldBe("leaseTimeToLive");
    }

    [Fact]
    public async Task CapacityFreed_AnotherLimiterReleases_IsRaisedBeforeTheUpdateReturns()
    {
        var store = Open();
        var bucket = NewBucket();
        var policy = new PacerOptions { MaxConcurrentRequests = 1 };
        var freed = 0;
        store.CapacityFreed += (_, _) => freed++;

        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 1, default), Owner)).ShouldBe(Admitted());
        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 1, default), OtherOwner)).ShouldBe(Waits(TimeSpan.Zero, AdmissionBlockers.Concurrency));
        await FreeAsync(store, policy, bucket, 1, Owner);

        freed.ShouldBe(1);
        (await AdmitAsync(store, policy, new AdmissionCandidate(bucket, 1, default), OtherOwner)).ShouldBe(Admitted());
    }

    // Looks at a ValueTask as it is returned, then consumes it once.
    private static bool CompletedAtOnce(ValueTask task)
    {
        var done = task.IsCompletedSuccessfully;
        task.GetAwaiter().GetResult();
        return done;
    }

    private static bool CompletedAtOnce<T>(ValueTask<T> task)
    {
        var done = task.IsCompletedSuccessfully;
        task.GetAwaiter().GetResult();
        return done;
    }
}
