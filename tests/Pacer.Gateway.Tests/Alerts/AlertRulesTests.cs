using Microsoft.Extensions.Time.Testing;
using Pacer.Gateway.Alerts;
using Pacer.Usage;

namespace Pacer.Gateway.Tests.Alerts;

public sealed class AlertRulesTests
{
    private static readonly AlertOptions Options = new()
    {
        Window = TimeSpan.FromSeconds(60),
        UpstreamRateLimited = 3,
        QueueWait = TimeSpan.FromSeconds(30),
        Unreachable = 2,
        BudgetWarningPercent = 80,
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly AlertRules _rules = new(Options);
    private long _rateLimited;
    private long _unreachable;
    private long _answered;

    [Fact]
    public void Evaluate_429sReachThresholdWithinWindow_FiresOnceThenResolvesWhenTheyLeaveIt()
    {
        Tick(rateLimited: 1).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(10));
        Tick(rateLimited: 1).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(10));

        var fired = Tick(rateLimited: 1).ShouldHaveSingleItem();

        fired.Fired.ShouldBeTrue();
        fired.Alert.Rule.ShouldBe("upstream_429s");
        fired.Alert.Severity.ShouldBe("warning");
        fired.Alert.Value.ShouldBe(3);
        fired.Alert.StartedAt.ShouldBe(_time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(30));
        Tick().ShouldBeEmpty();
        _rules.Firing.ShouldHaveSingleItem().Rule.ShouldBe("upstream_429s");

        // 60 s after the first 429 only two remain in the window.
        _time.Advance(TimeSpan.FromSeconds(10));
        var resolved = Tick().ShouldHaveSingleItem();
        resolved.Fired.ShouldBeFalse();
        resolved.Alert.ResolvedAt.ShouldBe(_time.GetUtcNow());
        resolved.Alert.State.ShouldBe("resolved");
        _rules.Firing.ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_429sSpreadWiderThanWindow_NeverFire()
    {
        for (var i = 0; i < 10; i++)
        {
            Tick(rateLimited: 1).ShouldBeEmpty();
            _time.Advance(TimeSpan.FromSeconds(31));
        }
    }

    [Fact]
    public void Evaluate_QueueWaitAboveBound_FiresUntilTheWindowHasNoSuchWait()
    {
        Tick(queueWait: TimeSpan.FromSeconds(30)).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));

        var fired = Tick(queueWait: TimeSpan.FromMilliseconds(30_001)).ShouldHaveSingleItem();

        fired.Alert.Rule.ShouldBe("queue_wait");
        fired.Alert.Value.ShouldBe(30_001);
        fired.Alert.Threshold.ShouldBe(30_000);
        _time.Advance(TimeSpan.FromSeconds(59));
        Tick().ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));
        Tick().ShouldHaveSingleItem().Fired.ShouldBeFalse();
    }

    [Fact]
    public void Evaluate_UpstreamUnreachable_FiresCriticalUntilARequestIsAnswered()
    {
        Tick(unreachable: 1).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(5));

        var fired = Tick(unreachable: 1).ShouldHaveSingleItem();

        fired.Alert.Rule.ShouldBe("upstream_unreachable");
        fired.Alert.Severity.ShouldBe("critical");
        _time.Advance(TimeSpan.FromSeconds(5));
        Tick().ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));
        Tick(answered: 1).ShouldHaveSingleItem().Fired.ShouldBeFalse();
    }

    [Fact]
    public void Evaluate_UnreachableWhileOthersAreAnswered_DoesNotFireOnOldFailures()
    {
        Tick(unreachable: 1, answered: 1).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));
        Tick(answered: 1).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));

        // Two failures in the window, and the upstream answered nothing since the last one.
        Tick(unreachable: 1).ShouldHaveSingleItem().Alert.Rule.ShouldBe("upstream_unreachable");
    }

    [Fact]
    public void Evaluate_BudgetAt80And100Percent_WarnsThenExhaustsPerUserAndResolvesWhenCleared()
    {
        Tick(budgets: [Budget("alice", 100, spent: 79), Budget("bob", 10, spent: 1)]).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(5));

        var warning = Tick(budgets: [Budget("alice", 100, spent: 80), Budget("bob", 10, spent: 1)]).ShouldHaveSingleItem();

        warning.Alert.Rule.ShouldBe("budget_warning");
        warning.Alert.Subject.ShouldBe("alice");
        warning.Alert.Value.ShouldBe(80);
        warning.Alert.Message.ShouldContain("80 of its 100-credit day budget");
        _time.Advance(TimeSpan.FromSeconds(5));
        var exhausted = Tick(budgets: [Budget("alice", 100, spent: 100)]).ShouldHaveSingleItem();
        exhausted.Alert.Rule.ShouldBe("budget_exhausted");
        exhausted.Alert.Severity.ShouldBe("critical");
        exhausted.Alert.Subject.ShouldBe("alice");

        // Budgets not read this time: the last ones hold, nothing changes.
        _time.Advance(TimeSpan.FromSeconds(1));
        Tick().ShouldBeEmpty();
        _rules.Firing.Select(a => a.Rule).ShouldBe(["budget_warning", "budget_exhausted"], ignoreOrder: true);

        _time.Advance(TimeSpan.FromSeconds(4));
        var cleared = Tick(budgets: []);
        cleared.Select(c => (c.Alert.Rule, c.Fired)).ShouldBe([("budget_warning", false), ("budget_exhausted", false)], ignoreOrder: true);
    }

    [Fact]
    public void Evaluate_ZeroCreditBudget_IsNotAnAlert()
    {
        Tick(budgets: [Budget("nobody", 0, spent: 0)]).ShouldBeEmpty();
    }

    [Fact]
    public void Evaluate_SharedStoreDegraded_FiresCriticalWhileItLasts()
    {
        Tick().ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));

        var fired = Tick(degraded: true).ShouldHaveSingleItem();

        fired.Alert.Rule.ShouldBe("shared_store_degraded");
        fired.Alert.Severity.ShouldBe("critical");
        _time.Advance(TimeSpan.FromSeconds(1));
        Tick(degraded: true).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromSeconds(1));
        var resolved = Tick().ShouldHaveSingleItem();
        resolved.Fired.ShouldBeFalse();
        (resolved.Alert.ResolvedAt - resolved.Alert.StartedAt).ShouldBe(TimeSpan.FromSeconds(2));
    }

    private IReadOnlyList<AlertChange> Tick(int rateLimited = 0, int unreachable = 0, int answered = 0, TimeSpan queueWait = default, IReadOnlyList<BudgetStatus>? budgets = null, bool degraded = false)
    {
        _rateLimited += rateLimited;
        _unreachable += unreachable;
        _answered += answered;
        return _rules.Evaluate(new AlertReading(_time.GetUtcNow(), _rateLimited, _unreachable, _answered, queueWait, budgets, degraded));
    }

    private BudgetStatus Budget(string user, long credits, long spent) => new()
    {
        Budget = new UserBudget(user, credits, BudgetPeriod.Day),
        Spent = spent,
        Reserved = 0,
        PeriodStart = new DateTimeOffset(_time.GetUtcNow().Date, TimeSpan.Zero),
        ResetsAt = new DateTimeOffset(_time.GetUtcNow().Date.AddDays(1), TimeSpan.Zero),
    };
}
