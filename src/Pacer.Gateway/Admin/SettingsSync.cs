using Pacer.Configuration;
using Pacer.Gateway.Hosting;
using Pacer.Limiting;
using Pacer.Redis;

namespace Pacer.Gateway.Admin;

/// <summary>
/// With limits shared on Redis, keeps every instance on the same settings: a change through any instance's admin API
/// is published, and each other instance applies it (and keeps it in its own database, as its own change would be).
/// An instance that starts later takes the latest published change. Without Redis, each instance keeps its own.
/// </summary>
internal sealed partial class SettingsSync(
    RedisLimiterStore store,
    RateLimitSettings settings,
    EnvironmentSettings environment,
    Limiter limiter,
    ILogger<SettingsSync> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        store.SettingsChanged += OnChanged;
        if (await store.ReadSettingsAsync().ConfigureAwait(false) is { } latest)
        {
            Take(latest);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.SettingsChanged -= OnChanged;
        return Task.CompletedTask;
    }

    /// <summary>Publishes a change this instance applied; a failure is logged (this instance keeps the change).</summary>
    public Task PublishAsync(PacerOptionsUpdate? update) => PublishAsync(new SharedSettings(
        limiter.InstanceId,
        update?.Values.ToDictionary(pair => pair.Key.JsonName, pair => pair.Value, StringComparer.Ordinal)));

    private async Task PublishAsync(SharedSettings change)
    {
        try
        {
            await store.PublishSettingsAsync(change).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException or TimeoutException)
        {
            NotPublished(logger, exception.GetType().Name);
        }
    }

    private void OnChanged(object? sender, SharedSettings change)
    {
        if (change.Origin != limiter.InstanceId)
        {
            Take(change);
        }
    }

    private void Take(SharedSettings change)
    {
        try
        {
            if (change.Values is null)
            {
                settings.Reset(environment.Options);
                Applied(logger, "the environment's values (reset)");
                return;
            }

            var update = new PacerOptionsUpdate();
            foreach (var (name, value) in change.Values)
            {
                update.Set(name, value);
            }

            settings.Apply(update);
            var values = string.Join(", ", change.Values.Select(pair => $"{pair.Key}={pair.Value}"));
            Applied(logger, values);
        }
        catch (Exception exception) when (exception is PacerOptionsException or ArgumentException)
        {
            // Another instance's ranges may differ (PACER_EXTENDED_RANGES): this one keeps its settings and says why.
            Refused(logger, exception.Message);
        }
    }

    [LoggerMessage(EventId = 46, EventName = "SharedSettingsApplied", Level = LogLevel.Information,
        Message = "Settings changed through another instance applied here: {Values}")]
    private static partial void Applied(ILogger logger, string values);

    [LoggerMessage(EventId = 47, EventName = "SharedSettingsRefused", Level = LogLevel.Warning,
        Message = "Settings changed through another instance were not applied here: {Reason}")]
    private static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(EventId = 48, EventName = "SharedSettingsNotPublished", Level = LogLevel.Warning,
        Message = "A settings change applied here could not be published to the other instances ({ExceptionType}); apply it to them too")]
    private static partial void NotPublished(ILogger logger, string exceptionType);
}
