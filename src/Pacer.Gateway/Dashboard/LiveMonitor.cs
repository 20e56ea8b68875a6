using System.Diagnostics.Metrics;
using Pacer.Gateway.Alerts;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Operations;
using Pacer.Limiting;
using Pacer.Redis;
using Pacer.Usage;

namespace Pacer.Gateway.Dashboard;

/// <summary>
/// Once a second: records a <see cref="LiveSample"/> into the <see cref="LiveHistory"/> and evaluates the alert rules;
/// every <see cref="BudgetEvery"/> ticks it reads the budgets too. Reads the limiter only through its public API
/// (<see cref="Limiter.Load"/>, <see cref="Limiter.Totals"/>, <see cref="Limiter.Options"/>), and the shared store, when
/// there is one, through <see cref="RedisLimiterStore.IsDegraded"/>. Also exports the budgets and
/// the firing alerts as gauges on the <c>Pacer.Gateway</c> meter, for Prometheus alerting rules.
/// </summary>
internal sealed class LiveMonitor : BackgroundService
{
    /// <summary>Budgets are read every this many samples (they change slowly, and a read may touch the store).</summary>
    public const int BudgetEvery = 5;

    private readonly Limiter _limiter;
    private readonly TrafficTally _tally;
    private readonly LiveHistory _history;
    private readonly AlertRules _rules;
    private readonly AlertBoard _board;
    private readonly BudgetGuard _budgets;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveMonitor> _logger;
    private readonly RedisLimiterStore? _sharedStore;
    private IReadOnlyList<BudgetStatus> _lastBudgets = [];
    private long _tick;

    public LiveMonitor(
        Limiter limiter,
        TrafficTally tally,
        LiveHistory history,
        AlertBoard board,
        BudgetGuard budgets,
        GatewayOptions options,
        IMeterFactory meterFactory,
        TimeProvider time,
        ILogger<LiveMonitor> logger,
        RedisLimiterStore? sharedStore = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _limiter = limiter;
        _tally = tally;
        _history = history;
        _rules = new AlertRules(options.Alerts);
        _board = board;
        _budgets = budgets;
        _time = time;
        _logger = logger;
        _sharedStore = sharedStore;

        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        meter.CreateObservableGauge("pacer.gateway.budget.spent", () => BudgetMeasurements(b => b.Spent), "{credit}", "Credits a user with a budget has spent in the current period.");
        meter.CreateObservableGauge("pacer.gateway.budget.limit", () => BudgetMeasurements(b => b.Budget.Credits), "{credit}", "A user's budget for the current period.");
        meter.CreateObservableGauge("pacer.gateway.alerts.firing", FiringMeasurements, "{alert}", "Alerts firing now, by rule.");
    }

    /// <summary>Takes one sample and evaluates the rules once (the background loop calls it every second).</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<BudgetStatus>? budgets = null;
        if (_tick++ % BudgetEvery == 0)
        {
            try
            {
                budgets = await _budgets.ListAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _lastBudgets, budgets);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                AlertLog.BudgetsUnreadable(_logger, error.Message);
            }
        }

        var now = _time.GetUtcNow();
        var options = _limiter.Options;
        var load = _limiter.Load();
        var totals = _limiter.Totals.Snapshot();
        _history.Add(new LiveSample(
            now.ToUnixTimeMilliseconds(),
            load.RecentRequests,
            options.MaxRequestsPerMinute,
            load.CurrentRequests,
            options.MaxConcurrentRequests,
            load.QueuedRequests,
            totals.Requests,
            totals.Retries,
            totals.RateLimited,
            _tally.PassedOnRateLimited,
            totals.Failures,
            totals.Rejections));

        var reading = new AlertReading(now, totals.RateLimited, _tally.Unreachable, _tally.Answered, _tally.TakeLongestQueueWait(), budgets, _sharedStore?.IsDegraded ?? false);
        var changes = _rules.Evaluate(reading);
        _board.Publish(_rules.Firing, changes);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: the first tick may read the budgets from the store.
        await Task.Yield();
        using var timer = new PeriodicTimer(LiveHistory.Interval, _time);
        try
        {
            do
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A failed sample must not stop the gateway (a background service's exception would).
                    AlertLog.MonitorFailed(_logger, error.GetType().Name, error.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private IEnumerable<Measurement<long>> BudgetMeasurements(Func<BudgetStatus, long> value)
    {
        foreach (var budget in Volatile.Read(ref _lastBudgets))
        {
            yield return new Measurement<long>(value(budget), new KeyValuePair<string, object?>("user", budget.Budget.User));
        }
    }

    private IEnumerable<Measurement<int>> FiringMeasurements() =>
        _board.Firing.GroupBy(a => a.Rule, StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("rule", g.Key)));
}
