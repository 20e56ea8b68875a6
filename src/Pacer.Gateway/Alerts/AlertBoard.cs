namespace Pacer.Gateway.Alerts;

/// <summary>
/// Where alerts go once decided: the log (once per episode: a line when it starts, one when it ends), the webhook, and
/// what the dashboard shows (the alerts firing and the latest episodes). Thread-safe.
/// </summary>
internal sealed class AlertBoard(AlertWebhook webhook, ILogger<AlertBoard> logger)
{
    /// <summary>How many started or ended episodes the board keeps for the dashboard.</summary>
    public const int RecentCapacity = 50;

    private readonly Lock _gate = new();
    private readonly LinkedList<Alert> _recent = new();
    private IReadOnlyList<Alert> _firing = [];

    /// <summary>Gets the alerts firing now.</summary>
    public IReadOnlyList<Alert> Firing
    {
        get
        {
            lock (_gate)
            {
                return _firing;
            }
        }
    }

    /// <summary>Gets the latest starts and ends, newest first.</summary>
    public IReadOnlyList<Alert> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Publishes an evaluation: the alerts firing now, and those that started or ended with it.</summary>
    public void Publish(IReadOnlyList<Alert> firing, IReadOnlyList<AlertChange> changes)
    {
        ArgumentNullException.ThrowIfNull(firing);
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            _firing = firing;
            foreach (var change in changes)
            {
                _recent.AddFirst(change.Alert);
                if (_recent.Count > RecentCapacity)
                {
                    _recent.RemoveLast();
                }
            }
        }

        foreach (var change in changes)
        {
            var alert = change.Alert;
            var subject = alert.Subject is null ? string.Empty : $" for '{alert.Subject}'";
            if (change.Fired)
            {
                AlertLog.Fired(logger, alert.Rule, alert.Severity, subject, alert.Message);
            }
            else
            {
                AlertLog.Resolved(logger, alert.Rule, subject, (long)(alert.ResolvedAt!.Value - alert.StartedAt).TotalMilliseconds);
            }

            webhook.Enqueue(alert);
        }
    }
}
