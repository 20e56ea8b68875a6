using Microsoft.Data.Sqlite;
using Pacer.Configuration;
using Pacer.Gateway.Storage;
using Pacer.Limiting;

namespace Pacer.Gateway.Admin;

/// <summary>
/// Changes the running policy from the admin API: validated whole, applied to the limiter and written to the store
/// together, or not at all. Persisted values win over the environment at the next start.
/// </summary>
internal sealed class RateLimitSettings(Limiter limiter, SettingsStore store, TimeProvider timeProvider)
{
    private readonly Lock _gate = new();

    /// <summary>
    /// Applies the persisted values over <paramref name="environment"/>. A persisted value that is no longer valid (a range
    /// changed, or it was saved with <c>PACER_EXTENDED_RANGES=true</c> and the gateway now runs without) is skipped and
    /// reported in <paramref name="skipped"/>, so that the gateway still starts.
    /// </summary>
    public static PacerOptions Overlay(PacerOptions environment, SettingsStore store, out IReadOnlyList<SettingError> skipped)
    {
        ArgumentNullException.ThrowIfNull(store);
        var options = environment;
        var errors = new List<SettingError>();
        foreach (var (name, value) in store.Load())
        {
            var setting = PacerSettings.All.FirstOrDefault(s => string.Equals(s.JsonName, name, StringComparison.Ordinal));
            if (setting is null)
            {
                errors.Add(new SettingError(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture), "is not a known setting"));
                continue;
            }

            var candidate = new PacerOptionsUpdate().Set(setting.Name, value).ApplyTo(options, SettingNaming.Json, out var invalid);
            if (invalid.Count > 0 && !options.ExtendedRanges && ValidWithExtendedRanges(setting, value, options))
            {
                // Saved while the gateway ran with PACER_EXTENDED_RANGES=true; without it the seed's range holds.
                errors.Add(new SettingError(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"is allowed only with {PacerConfiguration.ExtendedRangesVariable}=true, which is not set now; allowed {setting.RangeText}"));
            }
            else if (invalid.Count > 0)
            {
                errors.AddRange(invalid);
            }
            else
            {
                options = candidate;
            }
        }

        skipped = errors;
        return options;
    }

    private static bool ValidWithExtendedRanges(PacerSetting setting, double value, PacerOptions options)
    {
        new PacerOptionsUpdate().Set(setting.Name, value).ApplyTo(options with { ExtendedRanges = true }, SettingNaming.Json, out var invalid);
        return invalid.Count == 0;
    }

    /// <summary>The names of the settings persisted in the store.</summary>
    public IReadOnlyCollection<string> Persisted() => store.Load().Keys.ToList();

    /// <summary>
    /// Applies <paramref name="update"/> to the limiter and the store; returns the new policy, or throws
    /// <see cref="PacerOptionsException"/> listing every invalid field (nothing changed).
    /// </summary>
    public PacerOptions Apply(PacerOptionsUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            var before = limiter.Options;
            update.ApplyTo(before, SettingNaming.Json, out var errors);
            if (errors.Count > 0)
            {
                throw new PacerOptionsException(errors);
            }

            var applied = false;
            try
            {
                store.Save(update.Values, timeProvider.GetUtcNow(), () =>
                {
                    limiter.Reconfigure(update, SettingNaming.Json);
                    applied = true;
                });
            }
            catch (SqliteException) when (applied)
            {
                // The store refused the commit after the limiter took the change: put the limiter back.
                limiter.Reconfigure(before);
                throw;
            }

            return limiter.Options;
        }
    }

    /// <summary>Forgets every persisted setting and puts the environment's policy back in force.</summary>
    public PacerOptions Reset(PacerOptions environment)
    {
        lock (_gate)
        {
            var before = limiter.Options;
            var applied = false;
            try
            {
                store.Clear(() =>
                {
                    limiter.Reconfigure(environment);
                    applied = true;
                });
            }
            catch (SqliteException) when (applied)
            {
                limiter.Reconfigure(before);
                throw;
            }

            return limiter.Options;
        }
    }
}
