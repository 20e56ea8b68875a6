using System.Globalization;
using Pacer.Usage;

namespace Pacer.Gateway.Alerts;

/// <summary>
/// Decides which alerts fire from a sequence of <see cref="AlertReading"/>s. An alert starts when its condition becomes
/// true and resolves when it becomes false: each start and each end is reported once, as an <see cref="AlertChange"/>.
/// Readings carry their own time, so the rules replay exactly under a fake clock. Not thread-safe: one caller evaluates.
/// </summary>
internal sealed class AlertRules
{
    private readonly AlertOptions _options;
    private readonly Queue<AlertReading> _window = new();
    private readonly Dictionary<(AlertRule Rule, string Subject), Alert> _firing = [];
    private AlertReading? _baseline;
    private IReadOnlyList<BudgetStatus> _budgets = [];
    private long _answeredAtLastFailure = -1;
    private long _lastUnreachable;

    public AlertRules(AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Gets the alerts firing now, with their latest values.</summary>
    public IReadOnlyList<Alert> Firing => [.. _firing.Values.OrderBy(a => a.StartedAt).ThenBy(a => a.Rule, StringComparer.Ordinal)];

    /// <summary>Takes a reading and returns the alerts that started or resolved with it.</summary>
    public IReadOnlyList<AlertChange> Evaluate(AlertReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        Slide(reading);
        if (reading.Budgets is { } budgets)
        {
            _budgets = budgets;
        }

        var now = new Dictionary<(AlertRule Rule, string Subject), Condition>();
        var rateLimited = reading.UpstreamRateLimited - (_baseline?.UpstreamRateLimited ?? 0);
        if (rateLimited >= _options.UpstreamRateLimited)
        {
            now[(AlertRule.UpstreamRateLimited, string.Empty)] = new(rateLimited, _options.UpstreamRateLimited,
                Text($"The upstream answered {rateLimited} requests with 429 in the last {Seconds(_options.Window)} (alert at {_options.UpstreamRateLimited}); Pacer retried them, but the limits may be above what the upstream allows."));
        }

        var longestWait = _window.Max(r => r.LongestQueueWait);
        if (longestWait > _options.QueueWait)
        {
            now[(AlertRule.QueueWait, string.Empty)] = new(Math.Round(longestWait.TotalMilliseconds), _options.QueueWait.TotalMilliseconds,
                Text($"A request waited {longestWait.TotalMilliseconds:0} ms in the queue in the last {Seconds(_options.Window)} (alert above {_options.QueueWait.TotalMilliseconds:0} ms): traffic is above the limits."));
        }

        if (Unreachable(reading) is { } unreachable)
        {
            now[(AlertRule.UpstreamUnreachable, string.Empty)] = new(unreachable, _options.Unreachable,
                Text($"{unreachable} requests in the last {Seconds(_options.Window)} could not reach the upstream, and none has reached it since."));
        }

        if (reading.SharedStoreDegraded)
        {
            now[(AlertRule.SharedStoreDegraded, string.Empty)] = new(1, 1,
                "The shared limiter store (Redis) cannot be reached: this gateway holds to its own share of the limits (PACER_REDIS_FAILURE=share) or refuses every request (closed) until Redis answers again.");
        }

        foreach (var budget in _budgets)
        {
            AddBudget(now, budget);
        }

        return Apply(now, reading.Time);
    }

    private void Slide(AlertReading reading)
    {
        _window.Enqueue(reading);
        var start = reading.Time - _options.Window;
        while (_window.Count > 1 && _window.Peek().Time <= start)
        {
            // The last reading at or before the window's start is the baseline its counts are measured from.
            _baseline = _window.Dequeue();
        }
    }

    private long? Unreachable(AlertReading reading)
    {
        if (reading.Unreachable > _lastUnreachable)
        {
            _lastUnreachable = reading.Unreachable;
            _answeredAtLastFailure = reading.Answered;
        }

        var failures = reading.Unreachable - (_baseline?.Unreachable ?? 0);
        var answeredSince = _answeredAtLastFailure >= 0 && reading.Answered > _answeredAtLastFailure;
        return failures >= _options.Unreachable && !answeredSince ? failures : null;
    }

    private void AddBudget(Dictionary<(AlertRule Rule, string Subject), Condition> now, BudgetStatus budget)
    {
        // A budget of 0 credits refuses every request on purpose: that is not news.
        var credits = budget.Budget.Credits;
        if (credits <= 0)
        {
            return;
        }

        var percent = 100.0 * budget.Spent / credits;
        var user = budget.Budget.User;
        var period = budget.Budget.PeriodName;
        if (percent >= 100)
        {
            now[(AlertRule.BudgetExhausted, user)] = new(Math.Round(percent, 1), 100,
                Text($"User '{user}' has spent {budget.Spent} of its {credits}-credit {period} budget: its requests are refused until {budget.ResetsAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}."));
        }

        if (percent >= _options.BudgetWarningPercent)
        {
            now[(AlertRule.BudgetWarning, user)] = new(Math.Round(percent, 1), _options.BudgetWarningPercent,
                Text($"User '{user}' has spent {budget.Spent} of its {credits}-credit {period} budget ({percent:0.#}%, alert at {_options.BudgetWarningPercent}%)."));
        }
    }

    private List<AlertChange> Apply(Dictionary<(AlertRule Rule, string Subject), Condition> now, DateTimeOffset time)
    {
        var changes = new List<AlertChange>();
        foreach (var (key, alert) in _firing.ToList())
        {
            if (now.TryGetValue(key, out var condition))
            {
                _firing[key] = alert with { Message = condition.Message, Value = condition.Value };
            }
            else
            {
                _firing.Remove(key);
                changes.Add(new AlertChange(alert with { ResolvedAt = time }));
            }
        }

        foreach (var (key, condition) in now)
        {
            if (!_firing.ContainsKey(key))
            {
                var alert = new Alert(AlertRuleNames.Name(key.Rule), AlertRuleNames.Severity(key.Rule), key.Subject.Length == 0 ? null : key.Subject,
                    condition.Message, condition.Value, condition.Threshold, time);
                _firing[key] = alert;
                changes.Add(new AlertChange(alert));
            }
        }

        return changes;
    }

    private static string Seconds(TimeSpan window) => string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0} s");

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Condition(double Value, double Threshold, string Message);
}
