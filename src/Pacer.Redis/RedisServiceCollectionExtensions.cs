using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Redis;

/// <summary>Registers the Redis store as the limiter's <see cref="ILimiterStore"/>.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// When <c>PACER_REDIS_URL</c> is set in <paramref name="configuration"/>, connects to Redis now and registers the
    /// store, so that the <see cref="Limiter"/> that <c>AddPacer</c> registers shares its limits with every process on the
    /// same Redis and prefix. Throws <see cref="PacerOptionsException"/> for invalid settings and
    /// <see cref="RedisStoreException"/> when Redis cannot be reached (unless <c>PACER_REDIS_START_DEGRADED=true</c>).
    /// </summary>
    public static IServiceCollection AddPacerRedis(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = RedisConfiguration.Bind(configuration, out var startDegraded, out var errors);
        if (errors.Count > 0)
        {
            throw new PacerOptionsException(errors);
        }

        return options is null ? services : services.AddPacerRedis(options, startDegraded);
    }

    /// <summary>Connects to the Redis of <paramref name="options"/> now and registers the store (see the other overload).</summary>
    public static IServiceCollection AddPacerRedis(this IServiceCollection services, RedisLimiterOptions options, bool startDegraded = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var store = RedisLimiterStore.ConnectAsync(options, startDegraded).GetAwaiter().GetResult();
        services.TryAddSingleton(sp => store.WithLoggerFrom(sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ILimiterStore>(sp => sp.GetRequiredService<RedisLimiterStore>());
        return services;
    }
}
