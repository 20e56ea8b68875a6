using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Telemetry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Pacer's engine in a service collection.</summary>
public static class PacerServiceCollectionExtensions
{
    /// <summary>
    /// Reads <see cref="PacerOptions"/> from <paramref name="configuration"/> (the seed's environment variables, <c>.env</c>,
    /// the <c>Pacer</c> section) and registers the engine. Invalid settings fail here, at startup, with a
    /// <see cref="PacerOptionsException"/> that names every invalid field, its value and its allowed range.
    /// </summary>
    public static IServiceCollection AddPacer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddPacer(PacerConfiguration.Bind(configuration));
    }

    /// <summary>
    /// Registers the engine with the given settings: the <see cref="PacerOptions"/> read at startup (the live ones are
    /// <see cref="Limiter.Options"/>), a singleton <see cref="Limiter"/> (with any registered <see cref="ILimiterStore"/> and
    /// <see cref="ModelClassMap"/>), <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is registered,
    /// the metrics, and a transient <see cref="PacerHandler"/> that reports to every registered <see cref="IRequestObserver"/>.
    /// </summary>
    public static IServiceCollection AddPacer(this IServiceCollection services, PacerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        PacerOptionsValidator.ThrowIfInvalid(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        services.TryAddSingleton(static sp => new Limiter(
            sp.GetRequiredService<PacerOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILimiterStore>(),
            sp.GetService<ModelClassMap>(),
            logger: sp.GetService<ILoggerFactory>()?.CreateLogger<Limiter>()));

        // One set of instruments per limiter, shared by every handler the HttpClient factory creates.
        services.TryAddSingleton(static sp => new PacerMetrics(sp.GetRequiredService<Limiter>(), sp.GetService<IMeterFactory>()));
        services.TryAddTransient(static sp => new PacerHandler(
            sp.GetRequiredService<Limiter>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<PacerHandler>(),
            sp.GetServices<IRequestObserver>(),
            sp.GetRequiredService<PacerMetrics>(),
            ownsMetrics: false,
            random: null,
            ownsLimiter: false));
        return services;
    }
}
