using Pacer.Usage;

namespace Pacer.Redis.Tests;

/// <summary>Two instances' budget guards on one ledger and one Redis hold and charge one budget together.</summary>
public sealed class SharedBudgetsTests(RedisServer server)
{
    [Fact]
    public async Task ReserveAsync_TwoInstances_CannotHoldMoreThanTheBudgetTogether()
    {
        var folder = Directory.CreateTempSubdirectory("pacer-budget-").FullName;
        try
        {
            await using var ledger = await SqliteUsageLedger.OpenAsync(Path.Combine(folder, "usage.db"));
            await using var store = await RedisLimiterStore.ConnectAsync(new RedisLimiterOptions { Url = server.Url, Prefix = "budget-" + Guid.NewGuid().ToString("N") });
            var first = new BudgetGuard(ledger, ledger, TimeProvider.System, refreshInterval: null, store.Budgets);
            var second = new BudgetGuard(ledger, ledger, TimeProvider.System, refreshInterval: null, store.Budgets);
            await first.SetBudgetAsync(new UserBudget("alice", 10, BudgetPeriod.Month), TestContext.Current.CancellationToken);

            var held = await first.ReserveAsync("alice", 6, TestContext.Current.CancellationToken);

            // The second instance's own view shows nothing held; the shared total refuses.
            var refused = await Should.ThrowAsync<BudgetExceededException>(() => second.ReserveAsync("alice", 6, TestContext.Current.CancellationToken).AsTask());
            refused.Message.ShouldContain("alice");
            using (await second.ReserveAsync("alice", 4, TestContext.Current.CancellationToken))
            {
            }

            held.Dispose();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            BudgetReservation? after = null;
            while (after is null && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                try
                {
                    after = await second.ReserveAsync("alice", 6, TestContext.Current.CancellationToken);
                }
                catch (BudgetExceededException)
                {
                    // The returned hold reaches Redis in the background.
                    await Task.Delay(20, TestContext.Current.CancellationToken);
                }
            }

            after.ShouldNotBeNull().Credits.ShouldBe(6);
            after.Dispose();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ReserveAsync_WithoutSharedTotals_EachInstanceSeesOnlyItsOwnHolds()
    {
        var folder = Directory.CreateTempSubdirectory("pacer-budget-").FullName;
        try
        {
            await using var ledger = await SqliteUsageLedger.OpenAsync(Path.Combine(folder, "usage.db"));
            var first = new BudgetGuard(ledger, ledger);
            var second = new BudgetGuard(ledger, ledger);
            await first.SetBudgetAsync(new UserBudget("bob", 10, BudgetPeriod.Month), TestContext.Current.CancellationToken);

            using var a = await first.ReserveAsync("bob", 6, TestContext.Current.CancellationToken);
            using var b = await second.ReserveAsync("bob", 6, TestContext.Current.CancellationToken);

            // What a gateway without Redis allows: 12 credits held against a budget of 10.
            (a.Credits + b.Credits).ShouldBe(12);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
