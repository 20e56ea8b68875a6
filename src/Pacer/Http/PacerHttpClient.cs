using System.Net;
using Microsoft.Extensions.Logging;
using Pacer.Configuration;
using Pacer.Limiting;
using Pacer.Telemetry;

namespace Pacer.Http;

/// <summary>
/// Creates a paced <see cref="HttpClient"/> without dependency injection, for example for the official SDK:
/// <c>new AnthropicClient { HttpClient = PacerHttpClient.Create(options), MaxRetries = 0 }</c>.
/// </summary>
public static class PacerHttpClient
{
    /// <summary>Creates a client with a limiter of its own; disposing the client disposes the limiter.</summary>
    /// <param name="options">The settings; invalid ones throw <see cref="PacerOptionsException"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="loggerFactory">Where log lines go; none by default.</param>
    /// <param name="innerHandler">What sends the attempts; a <see cref="SocketsHttpHandler"/> by default.</param>
    /// <param name="observers">Who receives each request's <see cref="RequestOutcome"/>.</param>
    public static HttpClient Create(
        PacerOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        HttpMessageHandler? innerHandler = null,
        IEnumerable<IRequestObserver>? observers = null)
    {
        var limiter = new Limiter(options, timeProvider, logger: loggerFactory?.CreateLogger<Limiter>());
        return Create(limiter, loggerFactory, innerHandler, observers, ownsLimiter: true);
    }

    /// <summary>Creates a client that paces through a shared <paramref name="limiter"/>, which it does not dispose.</summary>
    public static HttpClient Create(
        Limiter limiter,
        ILoggerFactory? loggerFactory = null,
        HttpMessageHandler? innerHandler = null,
        IEnumerable<IRequestObserver>? observers = null) =>
        Create(limiter, loggerFactory, innerHandler, observers, ownsLimiter: false);

    private static HttpClient Create(
        Limiter limiter,
        ILoggerFactory? loggerFactory,
        HttpMessageHandler? innerHandler,
        IEnumerable<IRequestObserver>? observers,
        bool ownsLimiter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        var handler = new PacerHandler(
            limiter,
            loggerFactory?.CreateLogger<PacerHandler>(),
            observers,
            new PacerMetrics(limiter),
            ownsMetrics: true,
            random: null,
            ownsLimiter)
        {
            InnerHandler = innerHandler ?? new SocketsHttpHandler
            {
                // Usage is read from the bytes, so they must arrive decompressed; connections are renewed for DNS changes.
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            },
        };

        // Pacer bounds each attempt (AttemptTimeout) and each wait (MaxQueueWait); HttpClient's 100 s default would cut them.
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
